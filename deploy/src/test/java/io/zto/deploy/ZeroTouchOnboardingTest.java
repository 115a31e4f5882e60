package io.zto.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.zto.shared.config.ZtoConfig;
import io.zto.deploy.est.BcEst;
import io.zto.shared.pki.ChainVerifier;
import io.zto.shared.pki.KeyPairs;
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
import java.security.PrivateKey;
import java.security.cert.CRLReason;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
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
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.est.ESTException;
import org.bouncycastle.est.EnrollmentResponse;
import org.slf4j.LoggerFactory;

/**
 * The mission end to end on one node: factory identities, an operator registering them through the
 * API, device agents onboarding with nobody touching them (provisioning over MQTT, EST enrollment,
 * operational connect), telemetry, a signed command answered; and the lifecycle: revocation (dropped,
 * refused, on the CRL, re-provisioning under the enrollment's policy), disable and enable, retire, renewal
 * of 30-second certificates and the warning about a device that stops renewing (docs/lifecycle.md).
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
    // WHEN its certificate is revoked for key compromise through the API
    X509Certificate revoked = first.certificate();
    PrivateKey revokedKey = first.privateKey();
    String serial = revoked.getSerialNumber().toString(16);
    Instant asked = Instant.now();
    assertThat(operator.api("POST", "/api/v1/certificates/" + serial + "/revoke", "application/json",
        new JsonObject().put("reason", "keyCompromise").encode()).statusCode()).isEqualTo(200);
    // THEN its live session is dropped within a second and its reconnect is refused
    AgentEvent dropped = OperatorClient.awaitEvent(events, first.deviceId(), AgentEvent.Kind.DISCONNECTED);
    assertThat(Duration.between(asked, dropped.at())).isLessThan(Duration.ofSeconds(1));
    assertThat(OperatorClient.awaitEvent(events, first.deviceId(), AgentEvent.Kind.REPROVISIONING).detail())
        .contains("refused");
    // AND re-enrollment with it is refused (Bouncy Castle's EST client)
    assertThat(reenroll(revoked, revokedKey).getStatusCode()).isEqualTo(403);
    // AND the CRL lists the serial with the reason
    X509CRL crl = operator.crl("issuing");
    crl.verify(node.platform().pki().issuingCertificate().getPublicKey());
    assertThat(crl.getRevokedCertificate(revoked).getRevocationReason()).isEqualTo(CRLReason.KEY_COMPROMISE);
    // AND coming back through the provisioning listener it waits for an operator, who sees why
    String requestId = operator.awaitPending(first.deviceId());
    JsonObject waiting = OperatorClient.json(operator.api("GET", "/api/v1/devices/" + first.deviceId(), null, null));
    assertThat(waiting.getJsonObject("pending").getString("reason")).contains(serial, "keyCompromise");
    // WHEN the operator approves THEN it enrolls again and is back with a new certificate
    assertThat(operator.api("POST", "/api/v1/provisioning-requests/" + requestId + "/approve", null, null).statusCode())
        .isEqualTo(200);
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

  @Test
  void reprovisioningAfterRevocationFollowsThePolicyOfTheEnrollment() throws Exception {
    // GIVEN gw-000001 enrolled with the default policy (allow) and gw-000002 with reprovisionPolicy never
    start(Map.of());
    Path factory = factory(2);
    String[] lines = Files.readString(factory.resolve("enrollments.jsonl")).strip().split("\n");
    String jsonl = lines[0] + "\n" + new JsonObject(lines[1]).put("reprovisionPolicy", "never").encode() + "\n";
    assertThat(new JsonObject(operator.api("POST", "/api/v1/enrollments:import", "application/x-ndjson", jsonl).body())
        .getInteger("imported")).isEqualTo(2);
    BlockingQueue<AgentEvent> allowed = new LinkedBlockingQueue<>();
    BlockingQueue<AgentEvent> never = new LinkedBlockingQueue<>();
    DeviceAgent first = agent(factory, 1, allowed);
    DeviceAgent second = agent(factory, 2, never);
    Await.result(first.start());
    Await.result(second.start());
    // WHEN both certificates are revoked as superseded
    for (DeviceAgent agent : List.of(first, second)) {
      assertThat(operator.api("POST", "/api/v1/certificates/" + agent.certificate().getSerialNumber().toString(16)
          + "/revoke", "application/json", "{\"reason\": \"superseded\"}").statusCode()).isEqualTo(200);
    }
    // THEN the first provisions again by itself and is back
    OperatorClient.awaitEvent(allowed, first.deviceId(), AgentEvent.Kind.REPROVISIONING);
    OperatorClient.awaitEvent(allowed, first.deviceId(), AgentEvent.Kind.CONNECTED);
    // AND the second is refused, with the reason, and audited
    OperatorClient.awaitEvent(never, second.deviceId(), AgentEvent.Kind.REPROVISIONING);
    assertThat(OperatorClient.awaitEvent(never, second.deviceId(), AgentEvent.Kind.REJECTED).detail())
        .contains("does not allow re-provisioning");
    assertThat(OperatorClient.json(operator.api("GET", "/api/v1/audit?subject=" + second.deviceId()
        + "&outcome=refused", null, null)).encode()).contains("reprovisionPolicy never");
  }

  @Test
  void disabledDeviceIsRefusedEverywhereUntilEnabledAndARetiredOneIsRevokedAndClosed() throws Exception {
    // GIVEN an onboarded device
    start(Map.of());
    Path factory = factory(1);
    operator.api("POST", "/api/v1/enrollments:import", "application/x-ndjson",
        Files.readString(factory.resolve("enrollments.jsonl")));
    BlockingQueue<AgentEvent> mine = new LinkedBlockingQueue<>();
    DeviceAgent agent = agent(factory, 1, mine);
    Await.result(agent.start());
    String id = agent.deviceId();
    X509Certificate cert = agent.certificate();
    PrivateKey key = agent.privateKey();
    // WHEN an operator disables it
    Instant asked = Instant.now();
    assertThat(OperatorClient.json(operator.api("POST", "/api/v1/devices/" + id + "/disable", null, null))
        .getString("state")).isEqualTo("disabled");
    // THEN its session is dropped within a second, and the operational and provisioning listeners and EST refuse it
    AgentEvent dropped = OperatorClient.awaitEvent(mine, id, AgentEvent.Kind.DISCONNECTED);
    assertThat(Duration.between(asked, dropped.at())).isLessThan(Duration.ofSeconds(1));
    OperatorClient.awaitEvent(mine, id, AgentEvent.Kind.REPROVISIONING);
    OperatorClient.awaitEvent(mine, id, AgentEvent.Kind.FAILED);
    assertThat(reenroll(cert, key).getStatusCode()).isEqualTo(403);
    String refusals = OperatorClient.json(operator.api("GET", "/api/v1/audit?outcome=refused&limit=200", null, null))
        .encode();
    assertThat(refusals).contains("device " + id + " is disabled", "mqtt.connect");
    // AND its certificate stays valid
    String serial = cert.getSerialNumber().toString(16);
    assertThat(OperatorClient.json(operator.api("GET", "/api/v1/certificates/" + serial, null, null))
        .getString("status")).isEqualTo("valid");
    // WHEN enabled THEN the same certificate re-enrolls again (superseding it) and the device is back
    assertThat(OperatorClient.json(operator.api("POST", "/api/v1/devices/" + id + "/enable", null, null))
        .getString("state")).isEqualTo("provisioned");
    X509Certificate renewed = single(BcEst.service(tmp.resolve("zto-data/root-ca.pem"), estPort(), null, key,
        List.of(cert, node.platform().pki().issuingCertificate())).simpleEnroll(true, BcEst.csr(KeyPairs.ecP256(), id, null), null));
    assertThat(renewed.getSubjectX500Principal()).isEqualTo(cert.getSubjectX500Principal());
    OperatorClient.awaitEvent(mine, id, AgentEvent.Kind.CONNECTED);
    // WHEN retired (twice: a repeat is safe)
    X509Certificate current = agent.certificate();
    assertThat(operator.api("DELETE", "/api/v1/devices/" + id, null, null).statusCode()).isEqualTo(204);
    assertThat(operator.api("DELETE", "/api/v1/devices/" + id, null, null).statusCode()).isEqualTo(204);
    // THEN dropped, every valid certificate revoked for cessationOfOperation and on the CRL (the one the
    // re-enrollment superseded keeps its reason), enrollment closed
    OperatorClient.awaitEvent(mine, id, AgentEvent.Kind.DISCONNECTED);
    JsonObject device = OperatorClient.json(operator.api("GET", "/api/v1/devices/" + id, null, null));
    assertThat(device.getString("state")).isEqualTo("retired");
    var certificates = OperatorClient.json(operator.api("GET", "/api/v1/certificates?deviceId=" + id, null, null))
        .getJsonArray("items");
    assertThat(certificates.size()).isGreaterThanOrEqualTo(3);
    String superseded = cert.getSerialNumber().toString(16);
    certificates.forEach(c -> assertThat(((JsonObject) c).getString("revocationReason")).isEqualTo(
        superseded.equals(((JsonObject) c).getString("serial")) ? "superseded" : "cessationOfOperation"));
    X509CRL crl = operator.crl("issuing");
    assertThat(crl.getRevokedCertificate(cert).getRevocationReason()).isEqualTo(CRLReason.SUPERSEDED);
    for (X509Certificate issued : List.of(renewed, current)) {
      assertThat(crl.getRevokedCertificate(issued).getRevocationReason()).isEqualTo(CRLReason.CESSATION_OF_OPERATION);
    }
    assertThat(OperatorClient.json(operator.api("GET", "/api/v1/enrollments/" + device.getString("enrollmentId"),
        null, null)).getString("status")).isEqualTo("disabled");
    // AND asking to be provisioned again is refused, saying why
    assertThat(OperatorClient.awaitEvent(mine, id, AgentEvent.Kind.REJECTED).detail()).contains("retired");
    assertThat(OperatorClient.json(operator.api("GET", "/api/v1/audit?subject=" + id + "&action=device.retire", null,
        null)).getJsonArray("items").size()).isEqualTo(2);
  }

  @Test
  void thirtySecondCertificatesAreRenewedAndADeviceThatStopsRenewingIsWarnedAbout() throws Exception {
    // GIVEN 30-second certificates, a renewal check every second, and two onboarded devices
    start(Map.of("est.certificateValidity", "30s", "provisioning.renewalCheckInterval", "1s"));
    Path factory = factory(2);
    operator.api("POST", "/api/v1/enrollments:import", "application/x-ndjson",
        Files.readString(factory.resolve("enrollments.jsonl")));
    BlockingQueue<AgentEvent> renewing = new LinkedBlockingQueue<>();
    DeviceAgent healthy = agent(factory, 1, renewing);
    DeviceAgent silent = agent(factory, 2, new LinkedBlockingQueue<>());
    Await.result(healthy.start());
    Await.result(silent.start());
    String stale = silent.certificate().getSerialNumber().toString(16);
    // WHEN the second stops (it will not renew) and the first keeps running
    Await.result(silent.stop());
    // THEN the first renews before expiry and reconnects with its new certificate
    OperatorClient.awaitEvent(renewing, healthy.deviceId(), AgentEvent.Kind.RENEWED);
    OperatorClient.awaitEvent(renewing, healthy.deviceId(), AgentEvent.Kind.CONNECTED);
    // AND the second's certificate is listed as due, once audited, on the device and in the metric
    JsonObject due = awaitRenewalDue(stale);
    assertThat(due.getString("deviceId")).isEqualTo(silent.deviceId());
    JsonObject renewal = OperatorClient.json(operator.api("GET", "/api/v1/devices/" + silent.deviceId(), null, null))
        .getJsonObject("renewal");
    assertThat(renewal.getBoolean("due")).isTrue();
    assertThat(renewal.getString("warnedAt")).isNotNull();
    assertThat(renewal.getString("serial")).isEqualTo(stale);
    var warnings = OperatorClient.json(operator.api("GET", "/api/v1/audit?action=certificate.renewal-due", null, null))
        .getJsonArray("items");
    assertThat(warnings.size()).isEqualTo(1);
    assertThat(warnings.getJsonObject(0).getString("subject")).isEqualTo(silent.deviceId());
    assertThat(operator.api("GET", "/metrics", null, null).body()).contains("zto_certificates_renewal_due 1.0");
  }

  /** The certificate once the renewal check lists it as due and warned about. */
  private JsonObject awaitRenewalDue(String serial) throws Exception {
    for (int i = 0; i < 600; i++) {
      var items = OperatorClient.json(operator.api("GET", "/api/v1/certificates?renewalDue=true", null, null))
          .getJsonArray("items");
      for (int j = 0; j < items.size(); j++) {
        JsonObject c = items.getJsonObject(j);
        if (serial.equals(c.getString("serial")) && c.getJsonObject("renewal").getString("warnedAt") != null) {
          return c;
        }
      }
      Thread.sleep(100);
    }
    throw new AssertionError("certificate " + serial + " was never reported due for renewal");
  }

  private DeviceAgent agent(Path factory, int index, BlockingQueue<AgentEvent> queue) {
    DeviceAgent agent = new DeviceAgent(devices, FactoryConfig.read(factory.resolve(String.format(
        "devices/gw-%06d/factory.json", index))), AgentOptions.defaults().withTelemetryInterval(Duration.ZERO)
        .withBackoff(Duration.ofMillis(200), Duration.ofSeconds(1)), queue::add);
    agents.add(agent);
    return agent;
  }

  /** simplereenroll with Bouncy Castle's EST client, expected to be refused. */
  private ESTException reenroll(X509Certificate cert, PrivateKey key) {
    return catchThrowableOfType(() -> BcEst.service(tmp.resolve("zto-data/root-ca.pem"), estPort(), null, key,
        List.of(cert, node.platform().pki().issuingCertificate())).simpleEnroll(true, BcEst.csr(KeyPairs.ecP256(), cert.getSubjectX500Principal().getName()
        .substring(3), null), null), ESTException.class);
  }

  private static X509Certificate single(EnrollmentResponse response) throws Exception {
    return new JcaX509CertificateConverter().getCertificate(response.getStore().getMatches(null).iterator().next());
  }

  private int estPort() {
    return node.platform().config().est().port();
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
