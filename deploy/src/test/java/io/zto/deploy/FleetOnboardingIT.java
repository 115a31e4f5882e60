package io.zto.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.zto.shared.testing.Await;
import io.zto.shared.testing.ChildProcess;
import io.zto.simulator.AgentEvent;
import io.zto.simulator.AgentOptions;
import io.zto.simulator.DeviceAgent;
import io.zto.simulator.FactoryConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 5's end-to-end case against the fat jar as an operator runs it: `zto factory` makes the
 * identities, the operator API registers them (individual enrollments by import, a group whose device
 * is approved while it waits), device agents onboard, send telemetry, answer a signed command, and
 * renew a short-lived certificate.
 */
class FleetOnboardingIT {


  @TempDir
  Path tmp;

  private ZtoProcess zto;
  private OperatorClient operator;
  private Vertx devices;
  private final List<DeviceAgent> agents = new ArrayList<>();
  private final BlockingQueue<AgentEvent> events = new LinkedBlockingQueue<>();

  @AfterEach
  void stop() throws InterruptedException {
    agents.forEach(agent -> Await.result(agent.stop()));
    if (devices != null) {
      Await.result(devices.close());
    }
    if (zto != null) {
      zto.stop();
    }
  }

  @Test
  void importedAndApprovedDevicesOnboardAnswerCommandsAndRenew() throws Exception {
    // GIVEN zto.jar running with 20-second certificates, and four factory-made devices
    zto = ZtoProcess.start(tmp.resolve("zto-data"), tmp.resolve("zto.log"), "est.certificateValidity=20s");
    operator = new OperatorClient(zto.api(), zto.token());
    Path factory = tmp.resolve("factory");
    ChildProcess.Result tool = ChildProcess.run(new ProcessBuilder(ZtoProcess.java(), "-jar", ZtoProcess.JAR.toString(),
        "factory", "--out", factory.toString(), "--count", "4", "--platform-data-dir", zto.dataDir().toString(),
        "--provisioning-url", "mqtts://localhost:" + zto.provisioning()).redirectErrorStream(true), "",
        Duration.ofSeconds(120));
    assertThat(tool.exitCode()).as(tool.output()).isZero();
    // AND an operator who trusts both CAs, imports gw-000001..3 and puts gw-000004 in a manual group
    String customer = OperatorClient.json(operator.api("POST", "/api/v1/trust-anchors", "application/json", new JsonObject()
        .put("name", "customer").put("purpose", "ldevid").put("pem", Files.readString(factory.resolve("customer-ca.pem")))
        .encode())).getString("id");
    operator.api("POST", "/api/v1/trust-anchors", "application/json", new JsonObject().put("name", "manufacturer")
        .put("purpose", "idevid").put("pem", Files.readString(factory.resolve("manufacturer-ca.pem"))).encode());
    String lines = String.join("\n", Files.readAllLines(factory.resolve("enrollments.jsonl")).subList(0, 3));
    assertThat(OperatorClient.json(operator.api("POST", "/api/v1/enrollments:import", "application/x-ndjson", lines)).getInteger("imported"))
        .isEqualTo(3);
    assertThat(operator.api("POST", "/api/v1/enrollment-groups", "application/json", new JsonObject().put("name", "line-1")
        .put("trustAnchor", customer).put("approval", "manual").encode()).statusCode()).isEqualTo(201);
    // WHEN the four agents start
    devices = Vertx.vertx();
    AgentOptions options = AgentOptions.defaults().withTelemetryInterval(Duration.ZERO).withMaxAttempts(3)
        .withBackoff(Duration.ofMillis(200), Duration.ofSeconds(2));
    List<Future<Void>> started = new ArrayList<>();
    for (int i = 1; i <= 4; i++) {
      DeviceAgent agent = new DeviceAgent(devices, FactoryConfig.read(
          factory.resolve(String.format("devices/gw-%06d/factory.json", i))), options, events::add);
      agents.add(agent);
      started.add(agent.start());
    }
    // THEN the imported three onboard, the group's device waits until the operator approves it
    for (int i = 0; i < 3; i++) {
      Await.result(started.get(i));
    }
    String pending = operator.awaitPending("gw-000004");
    assertThat(operator.api("POST", "/api/v1/provisioning-requests/" + pending + "/approve", null, null).statusCode())
        .isEqualTo(200);
    Await.result(started.get(3));
    // AND every device is provisioned, sends telemetry and answers a signed command
    for (DeviceAgent agent : agents) {
      Await.result(agent.publishTelemetry());
      assertThat(OperatorClient.json(operator.api("GET", "/api/v1/devices/" + agent.deviceId(), null, null)).getString("state"))
          .isEqualTo("provisioned");
      String command = OperatorClient.json(operator.api("POST", "/api/v1/devices/" + agent.deviceId() + "/commands", "application/json",
          new JsonObject().put("name", "ping").encode())).getString("id");
      assertThat(operator.awaitCommand(command).getString("status")).isEqualTo("completed");
    }
    // AND the short-lived certificates are renewed before they expire
    String before = agents.get(0).certificate().getSerialNumber().toString(16);
    OperatorClient.awaitEvent(events, agents.get(0).deviceId(), AgentEvent.Kind.RENEWED);
    OperatorClient.awaitEvent(events, agents.get(0).deviceId(), AgentEvent.Kind.CONNECTED);
    assertThat(agents.get(0).certificate().getSerialNumber().toString(16)).isNotEqualTo(before);
    JsonArray certificates = OperatorClient.json(operator.api("GET", "/api/v1/certificates?deviceId=gw-000001", null, null))
        .getJsonArray("items");
    assertThat(certificates.size()).isGreaterThanOrEqualTo(2);
  }

}
