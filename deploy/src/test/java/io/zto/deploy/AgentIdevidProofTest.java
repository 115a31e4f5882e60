package io.zto.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.zto.shared.config.ZtoConfig;
import io.zto.shared.testing.Await;
import io.zto.simulator.AgentEvent;
import io.zto.simulator.AgentOptions;
import io.zto.simulator.DeviceAgent;
import io.zto.simulator.FactoryConfig;
import io.zto.simulator.FactoryTool;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The device agent ({@code zto device}) proving its IDevID with an {@code idevidProof} against a real node:
 * an enrollment that knows the device only by its IDevID serial provisions it, and a device whose IDevID's
 * CA the platform does not trust gets nothing.
 */
class AgentIdevidProofTest {

  @TempDir
  Path tmp;

  private Node node;
  private Vertx devices;
  private OperatorClient operator;
  private Path factory;
  private final List<DeviceAgent> agents = new ArrayList<>();
  private final BlockingQueue<AgentEvent> events = new LinkedBlockingQueue<>();
  private final AgentOptions options = AgentOptions.defaults().withTelemetryInterval(Duration.ZERO).withMaxAttempts(2)
      .withBackoff(Duration.ofMillis(200), Duration.ofSeconds(1));

  @BeforeEach
  void start() throws Exception {
    node = Await.result(Node.start(ZtoConfig.of(Map.of("dataDir", tmp.resolve("zto-data").toString(),
        "http.port", freePort(), "est.port", freePort(), "mqtt.operational.port", freePort(),
        "mqtt.provisioning.port", freePort()))));
    operator = new OperatorClient("http://127.0.0.1:" + node.httpPort(),
        Files.readString(tmp.resolve("zto-data/admin-token")).strip());
    devices = Vertx.vertx();
    // two factory-made devices (IDevID SN-gw-00000N of the factory's manufacturer CA), the LDevID CA trusted
    factory = tmp.resolve("factory");
    assertThat(FactoryTool.run(new String[] {"--out", factory.toString(), "--count", "2", "--platform-data-dir",
        tmp.resolve("zto-data").toString(), "--provisioning-url",
        "mqtts://localhost:" + node.platform().config().mqtt().provisioning().port()},
        new PrintStream(new ByteArrayOutputStream()), System.err)).isZero();
    trust("customer", "ldevid", "customer-ca.pem");
  }

  @AfterEach
  void stop() {
    agents.forEach(agent -> Await.result(agent.stop()));
    if (devices != null) {
      Await.result(devices.close());
    }
    if (node != null) {
      Await.result(node.stop());
    }
  }

  @Test
  void anAgentEnrolledOnlyByItsIdevidSerialProvesItsIdevidAndOnboards() throws Exception {
    // GIVEN the manufacturer CA trusted for IDevIDs and an enrollment naming only gw-000001's IDevID serial
    trust("manufacturer", "idevid", "manufacturer-ca.pem");
    enroll(new JsonObject().put("idevidSerial", "SN-gw-000001").put("approval", "auto"));
    // WHEN its agent starts
    DeviceAgent agent = agent("gw-000001");
    Await.result(agent.start());
    // THEN its idevidProof matched the enrollment: it is provisioned, enrolled and connected
    assertThat(agent.certificate().getSubjectX500Principal().getName()).isEqualTo("CN=gw-000001");
    Await.result(agent.publishTelemetry());
    JsonObject device = new JsonObject(operator.api("GET", "/api/v1/devices/gw-000001", null, null).body());
    assertThat(device.getString("state")).isEqualTo("provisioned");
    assertThat(device.getString("idevidSerial")).isEqualTo("SN-gw-000001");
  }

  @Test
  void anAgentWhoseIdevidCaIsNotTrustedGetsNothing() throws Exception {
    // GIVEN an enrollment by gw-000002's IDevID serial, but its manufacturer CA not trusted for IDevIDs
    enroll(new JsonObject().put("idevidSerial", "SN-gw-000002").put("approval", "auto"));
    // WHEN its agent tries (twice)
    DeviceAgent agent = agent("gw-000002");
    Throwable failure = Await.failure(agent.start());
    // THEN it is rejected with a reason about its IDevID, and nothing was provisioned
    assertThat(failure.getMessage()).containsIgnoringCase("idevid");
    assertThat(agent.config()).isNull();
    HttpResponse<String> device = operator.api("GET", "/api/v1/devices/gw-000002", null, null);
    assertThat(device.statusCode() == 404 || !"provisioned".equals(new JsonObject(device.body()).getString("state")))
        .as(device.body()).isTrue();
  }

  private DeviceAgent agent(String deviceId) {
    DeviceAgent agent = new DeviceAgent(devices, FactoryConfig.read(factory.resolve("devices/" + deviceId
        + "/factory.json")), options, events::add);
    agents.add(agent);
    return agent;
  }

  private void trust(String name, String purpose, String file) throws Exception {
    assertThat(operator.api("POST", "/api/v1/trust-anchors", "application/json", new JsonObject().put("name", name)
        .put("purpose", purpose).put("pem", Files.readString(factory.resolve(file))).encode()).statusCode())
        .isEqualTo(201);
  }

  private void enroll(JsonObject enrollment) throws Exception {
    HttpResponse<String> created = operator.api("POST", "/api/v1/enrollments", "application/json", enrollment.encode());
    assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
  }

  private static String freePort() throws Exception {
    try (ServerSocket socket = new ServerSocket(0)) {
      return Integer.toString(socket.getLocalPort());
    }
  }
}
