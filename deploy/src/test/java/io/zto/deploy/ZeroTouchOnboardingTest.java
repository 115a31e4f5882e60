package io.zto.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.zto.shared.config.ZtoConfig;
import io.zto.shared.pki.ChainVerifier;
import io.zto.shared.testing.Await;
import io.zto.simulator.AgentEvent;
import io.zto.simulator.AgentOptions;
import io.zto.simulator.DeviceAgent;
import io.zto.simulator.Endpoints;
import io.zto.simulator.FactoryConfig;
import io.zto.simulator.FactoryTool;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * The mission end to end on one node: factory identities, an operator registering them through the
 * API, device agents onboarding with nobody touching them (provisioning over MQTT, EST enrollment,
 * operational connect), telemetry, a signed command answered, and a revoked certificate leading the
 * device to provision again.
 */
class ZeroTouchOnboardingTest {


  @TempDir
  Path tmp;

  private Node node;
  private Vertx devices;
  private OperatorClient operator;
  private final List<DeviceAgent> agents = new ArrayList<>();
  private final BlockingQueue<AgentEvent> events = new LinkedBlockingQueue<>();
  private final ListAppender<ILoggingEvent> warnings = new ListAppender<>();

  private static Logger root() {
    return (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
  }

  private void start(Map<String, String> extra) throws Exception {
    Map<String, String> settings = new HashMap<>(extra);
    settings.put("dataDir", tmp.resolve("zto-data").toString());
    settings.put("http.port", Integer.toString(freePort()));
    settings.put("est.port", Integer.toString(freePort()));
    settings.put("mqtt.operational.port", Integer.toString(freePort()));
    settings.put("mqtt.provisioning.port", Integer.toString(freePort()));
    // the strict blocked-thread checker of EventLoopNotBlockedTest, now under a real onboarding
    node = Await.result(Node.start(ZtoConfig.of(settings), EventLoopNotBlockedTest.strictChecker()));
    operator = new OperatorClient("http://127.0.0.1:" + node.httpPort(),
        Files.readString(tmp.resolve("zto-data/admin-token")).strip());
    devices = Vertx.vertx();
  }

  @BeforeEach
  void captureWarnings() {
    warnings.start();
    root().addAppender(warnings);
  }

  @AfterEach
  void stop() {
    root().detachAppender(warnings);
    agents.forEach(agent -> Await.result(agent.stop()));
    if (devices != null) {
      Await.result(devices.close());
    }
    if (node != null) {
      Await.result(node.stop());
    }
  }

  @Test
  void factoryDevicesOnboardWithNobodyTouchingThemAndComeBackAfterRevocation() throws Exception {
    // GIVEN three factory-made devices whose CAs and enrollments an operator registered
    start(Map.of());
    Path factory = factory(3);
    JsonObject imported = new JsonObject(operator.api("POST", "/api/v1/enrollments:import", "application/x-ndjson",
        Files.readString(factory.resolve("enrollments.jsonl"))).body());
    assertThat(imported.getInteger("imported")).isEqualTo(3);
    // WHEN their agents start
    AgentOptions options = AgentOptions.defaults().withTelemetryInterval(Duration.ZERO).withMaxAttempts(3)
        .withBackoff(Duration.ofMillis(200), Duration.ofSeconds(2));
    for (int i = 1; i <= 3; i++) {
      FactoryConfig config = FactoryConfig.read(factory.resolve(String.format("devices/gw-%06d/factory.json", i)));
      agents.add(new DeviceAgent(devices, config, options, events::add));
    }
    for (DeviceAgent agent : agents) {
      Await.result(agent.start());
    }
    // THEN each holds a certificate of the platform's issuing CA and is connected and sending telemetry
    for (DeviceAgent agent : agents) {
      assertThat(agent.certificate().getSubjectX500Principal().getName()).isEqualTo("CN=" + agent.deviceId());
      ChainVerifier.verify(List.of(agent.certificate(), node.platform().pki().issuingCertificate()),
          List.of(node.platform().pki().rootCertificate()), Instant.now());
      Await.result(agent.publishTelemetry());
      assertThat(new JsonObject(operator.api("GET", "/api/v1/devices/" + agent.deviceId(), null, null).body())
          .getString("state")).isEqualTo("provisioned");
    }
    // AND a signed command is verified by the device and answered
    DeviceAgent first = agents.get(0);
    String commandId = new JsonObject(operator.api("POST", "/api/v1/devices/" + first.deviceId() + "/commands",
        "application/json", new JsonObject().put("name", "reboot").encode()).body()).getString("id");
    assertThat(operator.awaitCommand(commandId).getJsonObject("result").getString("status")).isEqualTo("ok");
    // WHEN its certificate is revoked THEN it is dropped, refused, and provisions and enrolls again
    String serial = first.certificate().getSerialNumber().toString(16);
    assertThat(operator.api("POST", "/api/v1/certificates/" + serial + "/revoke", "application/json",
        new JsonObject().put("reason", "keyCompromise").encode()).statusCode()).isEqualTo(200);
    OperatorClient.awaitEvent(events, first.deviceId(), AgentEvent.Kind.REPROVISIONING);
    OperatorClient.awaitEvent(events, first.deviceId(), AgentEvent.Kind.CONNECTED);
    assertThat(first.certificate().getSerialNumber().toString(16)).isNotEqualTo(serial);
    // AND no event loop of the platform was blocked on the way
    assertThat(EventLoopNotBlockedTest.eventLoopWarnings(warnings)).isEmpty();
  }

  @Test
  void groupDeviceWaitsForApprovalAndRenewsItsShortLivedCertificate() throws Exception {
    // GIVEN certificates that live 15 s, and a group of the customer CA whose devices need approval
    start(Map.of("est.certificateValidity", "15s"));
    Path factory = factory(1);
    String anchor = new JsonObject(operator.api("GET", "/api/v1/trust-anchors?purpose=ldevid", null, null).body())
        .getJsonArray("items").getJsonObject(0).getString("id");
    assertThat(operator.api("POST", "/api/v1/enrollment-groups", "application/json", new JsonObject().put("name", "line-1")
        .put("trustAnchor", anchor).put("approval", "manual").encode()).statusCode()).isEqualTo(201);
    // WHEN the device starts THEN it waits, pending
    DeviceAgent agent = new DeviceAgent(devices, FactoryConfig.read(factory.resolve("devices/gw-000001/factory.json")),
        AgentOptions.defaults().withTelemetryInterval(Duration.ZERO).withMaxAttempts(2), events::add);
    agents.add(agent);
    var started = agent.start();
    String requestId = operator.awaitPending("gw-000001");
    // WHEN an operator approves while it waits THEN the config reaches it and it onboards
    assertThat(operator.api("POST", "/api/v1/provisioning-requests/" + requestId + "/approve", null, null).statusCode())
        .isEqualTo(200);
    Await.result(started);
    String firstSerial = agent.certificate().getSerialNumber().toString(16);
    // AND before its certificate expires it re-enrolls and reconnects with the new one
    OperatorClient.awaitEvent(events, "gw-000001", AgentEvent.Kind.RENEWED);
    OperatorClient.awaitEvent(events, "gw-000001", AgentEvent.Kind.CONNECTED);
    assertThat(agent.certificate().getSerialNumber().toString(16)).isNotEqualTo(firstSerial);
    assertThat(agent.certificate().getNotAfter().toInstant()).isAfter(Instant.now());
  }

  @Test
  void devicesOnboardThroughTheOpenSslEngineToo() throws Exception {
    // GIVEN every TLS listener on BoringSSL (pki.tlsEngine=openssl) and a registered device
    start(Map.of("pki.tlsEngine", "openssl"));
    Path factory = factory(1);
    operator.api("POST", "/api/v1/enrollments:import", "application/x-ndjson", Files.readString(factory.resolve("enrollments.jsonl")));
    // WHEN it starts THEN it provisions (8884), enrolls (8443) and connects (8883) over that engine
    DeviceAgent agent = new DeviceAgent(devices, FactoryConfig.read(factory.resolve("devices/gw-000001/factory.json")),
        AgentOptions.defaults().withTelemetryInterval(Duration.ZERO).withMaxAttempts(2), events::add);
    agents.add(agent);
    Await.result(agent.start());
    Await.result(agent.publishTelemetry());
    String commandId = new JsonObject(operator.api("POST", "/api/v1/devices/gw-000001/commands", "application/json",
        new JsonObject().put("name", "ping").encode()).body()).getString("id");
    assertThat(operator.awaitCommand(commandId).getString("status")).isEqualTo("completed");
  }

  @Test
  void anAgentWhoseFirstEndpointsAreDeadOnboardsAndOperatesThroughTheNextOnes() throws Exception {
    // GIVEN a registered device whose agent knows a dead node first for each of provisioning, EST and MQTT
    start(Map.of());
    Path factory = factory(1);
    operator.api("POST", "/api/v1/enrollments:import", "application/x-ndjson", Files.readString(factory.resolve("enrollments.jsonl")));
    var config = node.platform().config();
    String dead = "localhost:" + freePort();
    Endpoints endpoints = new Endpoints(
        List.of("mqtts://" + dead, "mqtts://localhost:" + config.mqtt().provisioning().port()),
        List.of("https://" + dead + "/.well-known/est", "https://localhost:" + config.est().port() + "/.well-known/est"),
        List.of("mqtts://" + dead, "mqtts://localhost:" + config.mqtt().operational().port()));
    // WHEN it starts
    DeviceAgent agent = new DeviceAgent(devices, FactoryConfig.read(factory.resolve("devices/gw-000001/factory.json")),
        AgentOptions.defaults().withTelemetryInterval(Duration.ZERO).withMaxAttempts(3)
            .withBackoff(Duration.ofMillis(100), Duration.ofMillis(500)), endpoints, events::add);
    agents.add(agent);
    Await.result(agent.start());
    // THEN it onboarded through the live node, its refused attempts on the dead one reported, and operates
    assertThat(events).anySatisfy(e -> assertThat(e.kind()).isEqualTo(AgentEvent.Kind.FAILED));
    Await.result(agent.publishTelemetry());
    String commandId = new JsonObject(operator.api("POST", "/api/v1/devices/gw-000001/commands", "application/json",
        new JsonObject().put("name", "ping").encode()).body()).getString("id");
    assertThat(operator.awaitCommand(commandId).getString("status")).isEqualTo("completed");
  }

  private Path factory(int count) throws Exception {
    Path factory = tmp.resolve("factory");
    int port = node.platform().config().mqtt().provisioning().port();
    assertThat(FactoryTool.run(new String[] {"--out", factory.toString(), "--count", Integer.toString(count),
        "--platform-data-dir", tmp.resolve("zto-data").toString(), "--provisioning-url", "mqtts://localhost:" + port},
        new PrintStream(new ByteArrayOutputStream()), System.err)).isZero();
    assertThat(operator.api("POST", "/api/v1/trust-anchors", "application/json", new JsonObject().put("name", "customer")
        .put("purpose", "ldevid").put("pem", Files.readString(factory.resolve("customer-ca.pem"))).encode())
        .statusCode()).isEqualTo(201);
    assertThat(operator.api("POST", "/api/v1/trust-anchors", "application/json", new JsonObject().put("name", "manufacturer")
        .put("purpose", "idevid").put("pem", Files.readString(factory.resolve("manufacturer-ca.pem"))).encode())
        .statusCode()).isEqualTo(201);
    return factory;
  }

  private static int freePort() throws Exception {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }
}
