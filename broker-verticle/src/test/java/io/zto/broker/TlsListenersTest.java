package io.zto.broker;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import io.zto.shared.bus.Addresses;
import io.zto.shared.bus.RevocationEvent;
import io.zto.shared.domain.AuditEvent;
import io.zto.shared.domain.Device;
import io.zto.shared.domain.IssuedCertificate;
import io.zto.shared.domain.MqttCredential;
import io.zto.shared.domain.TrustAnchor;
import io.zto.shared.pki.Fingerprints;
import io.zto.shared.pki.KeyPairs;
import io.zto.shared.pki.Pem;
import io.zto.shared.pki.PlatformPki;
import io.zto.shared.security.SecretHasher;
import io.zto.shared.store.AuditRepository;
import io.zto.shared.store.CertificateRepository;
import io.zto.shared.store.CredentialRepository;
import io.zto.shared.store.DeviceRepository;
import io.zto.shared.store.TrustAnchorRepository;
import io.zto.shared.testing.Await;
import io.zto.shared.testing.DeviceIdentities;
import io.zto.shared.testing.DeviceIdentity;
import io.zto.shared.testing.TestPki;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The two mutual-TLS listeners with mosquitto clients: identity, refusals with their codes, ACLs, bridge, drops. */
class TlsListenersTest {

  static final String DEVICE = "dev-op-1";
  static final String PASSWORD = "s3cret-device-password";
  static final String DISABLED = "dev-off-1";

  @TempDir
  static Path dir;
  static TestBroker broker;
  static PlatformPki pki;
  static Path rootPem;
  static OperationalDevices devices;

  @BeforeAll
  static void start() throws IOException {
    pki = TestPki.create(dir.resolve("data"));
    broker = TestBroker.start(pki, Map.of());
    devices = new OperationalDevices(pki, broker.platform.db(), broker.vertx, dir);
    rootPem = devices.rootPem();
    devices.create(DEVICE, Device.State.PROVISIONED, PASSWORD);
    devices.create(DISABLED, Device.State.DISABLED, PASSWORD);
  }

  @AfterAll
  static void stop() {
    broker.close();
  }

  static Path write(String name, String text) throws IOException {
    return Files.writeString(dir.resolve(name), text);
  }

  static List<String> tls(String tool, int port, String id, String version, String... more) {
    return devices.tls(tool, port, id, version, more);
  }

  @Test
  void aDeviceWithItsCertificateAndPasswordPublishesUnderItsOwnTopics() {
    // GIVEN a plain-listener observer of all device topics
    Clients.Running observer = Clients.start(List.of("stdbuf", "-oL", "mosquitto_sub", "-h", "127.0.0.1", "-p",
        String.valueOf(broker.plainPort()), "-t", "devices/#", "-C", "1", "-W", "20", "-v", "-d"));
    Clients.awaitOutput(observer, "SUBACK");
    // WHEN the device publishes on the operational listener
    Clients.Run pub = Clients.run(tls("mosquitto_pub", broker.operationalPort(), DEVICE, "mqttv311", "-i", DEVICE,
        "-u", DEVICE, "-P", PASSWORD, "-t", "devices/" + DEVICE + "/telemetry", "-m", "42", "-q", "1"));
    // THEN it is accepted and delivered
    assertThat(pub.exit()).as(pub.err()).isZero();
    assertThat(observer.await().out()).contains("devices/" + DEVICE + "/telemetry 42");
  }

  @Test
  void refusalsCarryTheRightCodeAndAreAudited() {
    // WHEN the password is wrong, the client id is not the device id, or the device is disabled
    Clients.Run badPassword = Clients.run(tls("mosquitto_pub", broker.operationalPort(), DEVICE, "mqttv311", "-i",
        DEVICE, "-u", DEVICE, "-P", "wrong", "-t", "devices/" + DEVICE + "/x", "-m", "x"));
    Clients.Run badPassword5 = Clients.run(tls("mosquitto_pub", broker.operationalPort(), DEVICE, "mqttv5", "-i",
        DEVICE, "-u", DEVICE, "-P", "wrong", "-t", "devices/" + DEVICE + "/x", "-m", "x"));
    Clients.Run wrongId = Clients.run(tls("mosquitto_pub", broker.operationalPort(), DEVICE, "mqttv311", "-i",
        "someone-else", "-u", DEVICE, "-P", PASSWORD, "-t", "devices/" + DEVICE + "/x", "-m", "x"));
    Clients.Run disabled = Clients.run(tls("mosquitto_pub", broker.operationalPort(), DISABLED, "mqttv5", "-i",
        DISABLED, "-u", DISABLED, "-P", PASSWORD, "-t", "devices/" + DISABLED + "/x", "-m", "x"));
    Clients.Run noPassword = Clients.run(tls("mosquitto_pub", broker.operationalPort(), DEVICE, "mqttv311", "-i",
        DEVICE, "-u", DEVICE, "-t", "devices/" + DEVICE + "/x", "-m", "x"));
    // THEN each is refused with its return code / reason code
    assertThat(badPassword.err()).containsIgnoringCase("bad user name or password");
    assertThat(badPassword5.err()).containsIgnoringCase("bad user name or password");
    assertThat(wrongId.err()).containsIgnoringCase("identifier rejected");
    assertThat(disabled.err()).containsIgnoringCase("banned");
    assertThat(noPassword.err()).containsIgnoringCase("bad user name or password");
    // AND the refusals are in the audit log (written right after CONNACK, so waited for, bounded)
    Clients.awaitTrue(() -> Await.result(new AuditRepository(broker.platform.db()).list(AuditRepository.Query.all(100)))
        .items().stream().filter(e -> e.action().equals("mqtt.connect") && e.outcome() == AuditEvent.Outcome.REFUSED
            && e.subject().equals("operational")).count() >= 5, "five refusals audited");
  }

  @Test
  void aDeviceMayNotSubscribeOutsideItsTopics() {
    // WHEN the device subscribes to another device's topics (3.1.1 and 5)
    Clients.Run v311 = Clients.run(tls("mosquitto_sub", broker.operationalPort(), DEVICE, "mqttv311", "-i", DEVICE,
        "-u", DEVICE, "-P", PASSWORD, "-t", "devices/other/#", "-W", "5", "-d"));
    Clients.Run v5 = Clients.run(tls("mosquitto_sub", broker.operationalPort(), DEVICE, "mqttv5", "-i", DEVICE,
        "-u", DEVICE, "-P", PASSWORD, "-t", "devices/other/#", "-W", "5", "-d"));
    // THEN SUBACK refuses it: 0x80 (128) in 3.1.1, 0x87 (135) in 5
    assertThat(v311.out()).contains("Subscribed (mid: 1): 128");
    assertThat(v5.out()).contains("Subscribed (mid: 1): 135");
    // AND both denials are audited with the device and the filter
    Clients.awaitTrue(() -> Await.result(new AuditRepository(broker.platform.db()).list(AuditRepository.Query.all(100)))
        .items().stream().filter(e -> e.action().equals("mqtt.subscribe") && e.outcome() == AuditEvent.Outcome.REFUSED
            && e.actor().equals(DEVICE) && "devices/other/#".equals(e.subject())).count() >= 2,
        "subscription denials audited");
  }

  @Test
  void disablingTheDeviceDropsItsSession() {
    // GIVEN the device connected and subscribed
    Clients.Running sub = Clients.start(tls("mosquitto_sub", broker.operationalPort(), DEVICE, "mqttv5", "-i", DEVICE,
        "-u", DEVICE, "-P", PASSWORD, "-t", "devices/" + DEVICE + "/commands/#", "-d", "-W", "25"));
    Clients.awaitOutput(sub, "SUBACK");
    // WHEN the platform announces the device is blocked
    broker.vertx.eventBus().publish(Addresses.REVOCATION_EVENTS, new RevocationEvent(RevocationEvent.Kind.DEVICE,
        RevocationEvent.Action.BLOCKED, null, null, DEVICE, "disabled by operator", Instant.now()).toJson());
    // THEN the broker disconnects it with 0x98 = 152 (administrative action)
    Clients.Run ended = sub.await();
    assertThat(ended.out()).contains("Received DISCONNECT (152)");
    assertThat(ended.err()).doesNotContain("Timed out");
  }

  @Test
  void aProvisioningRequestIsAnsweredOnTheResponseTopic() throws IOException {
    // GIVEN a trusted LDevID CA, a device LDevID, and a provisioning service on the event bus
    DeviceIdentities ids = DeviceIdentities.create();
    X509Certificate ca = ids.ldevidCa();
    Await.result(new TrustAnchorRepository(broker.platform.db()).create(TrustAnchor.create("customer",
        TrustAnchor.Purpose.LDEVID, ids.ldevidCaPem(), Fingerprints.sha256(ca), ca.getSubjectX500Principal().getName(),
        ca.getNotAfter().toInstant())));
    DeviceIdentity ldevid = ids.ldevid("gw-0001");
    write("gw-0001.pem", ldevid.certificatePem());
    write("gw-0001.key", ldevid.keyPem());
    var consumer = broker.vertx.eventBus().<JsonObject>consumer(Addresses.PROVISIONING_REQUEST, m -> m.reply(
        new JsonObject().put("requestId", m.body().getString("requestId")).put("status", "provisioned")
            .put("device", m.body().getString("deviceId")).put("pemSeen", m.body().getString("ldevidPem") != null)));
    Await.result(consumer.completion());
    String user = pki.provisioningCredentials().username();
    String pass = pki.provisioningCredentials().password();
    try {
      // a persistent session subscribed to the response topic (3.1.1: one client cannot both wait and publish)
      Clients.Run subscribed = Clients.run(tls("mosquitto_sub", broker.provisioningPort(), "gw-0001", "mqttv311",
          "-i", "gw-0001", "-u", user, "-P", pass, "-t", "zto/v1/gw-0001/provision/response", "-q", "1", "-c", "-E"));
      assertThat(subscribed.exit()).as(subscribed.err()).isZero();
      // WHEN the device publishes its request in the same session
      Clients.Run pub = Clients.run(tls("mosquitto_pub", broker.provisioningPort(), "gw-0001", "mqttv311", "-i",
          "gw-0001", "-u", user, "-P", pass, "-t", "zto/v1/gw-0001/provision/request", "-q", "1", "-c", "-m",
          "{\"requestId\":\"r-1\"}"));
      assertThat(pub.exit()).as(pub.err()).isZero();
      // THEN the answer waits in the session and arrives when the device listens again
      Clients.Run sub2 = Clients.run(tls("mosquitto_sub", broker.provisioningPort(), "gw-0001", "mqttv311", "-i",
          "gw-0001", "-u", user, "-P", pass, "-t", "zto/v1/gw-0001/provision/response", "-q", "1", "-C", "1",
          "-W", "10", "-c"));
      JsonObject answer = new JsonObject(sub2.out().strip());
      assertThat(answer.getString("requestId")).isEqualTo("r-1");
      assertThat(answer.getString("status")).isEqualTo("provisioned");
      assertThat(answer.getString("device")).isEqualTo("gw-0001");
      assertThat(answer.getBoolean("pemSeen")).isTrue();
    } finally {
      Await.result(consumer.unregister());
    }
  }

  @Test
  void aProvisioningDeviceMaySubscribeOnlyToItsResponseTopic() throws IOException {
    DeviceIdentities ids = DeviceIdentities.create();
    X509Certificate ca = ids.ldevidCa();
    Await.result(new TrustAnchorRepository(broker.platform.db()).create(TrustAnchor.create("customer-2",
        TrustAnchor.Purpose.LDEVID, ids.ldevidCaPem(), Fingerprints.sha256(ca), ca.getSubjectX500Principal().getName(),
        ca.getNotAfter().toInstant())));
    DeviceIdentity ldevid = ids.ldevid("gw-0002");
    write("gw-0002.pem", ldevid.certificatePem());
    write("gw-0002.key", ldevid.keyPem());
    // WHEN it subscribes elsewhere, or connects with the wrong provisioning password
    Clients.Run denied = Clients.run(tls("mosquitto_sub", broker.provisioningPort(), "gw-0002", "mqttv5", "-i",
        "gw-0002", "-u", pki.provisioningCredentials().username(), "-P", pki.provisioningCredentials().password(),
        "-t", "zto/v1/gw-0001/provision/response", "-W", "5", "-d"));
    Clients.Run wrong = Clients.run(tls("mosquitto_sub", broker.provisioningPort(), "gw-0002", "mqttv311", "-i",
        "gw-0002", "-u", "zto-provisioning", "-P", "nope", "-t", "zto/v1/gw-0002/provision/response", "-W", "5"));
    // THEN 0x87 and bad credentials
    assertThat(denied.out()).contains("Subscribed (mid: 1): 135");
    assertThat(wrong.err()).containsIgnoringCase("bad user name or password");
  }

  @Test
  void withoutAProvisioningServiceTheDeviceIsToldToAskAgain() throws IOException {
    // GIVEN a trusted LDevID and no provisioning verticle on the bus
    DeviceIdentities ids = DeviceIdentities.create();
    X509Certificate ca = ids.ldevidCa();
    Await.result(new TrustAnchorRepository(broker.platform.db()).create(TrustAnchor.create("customer-3",
        TrustAnchor.Purpose.LDEVID, ids.ldevidCaPem(), Fingerprints.sha256(ca), ca.getSubjectX500Principal().getName(),
        ca.getNotAfter().toInstant())));
    DeviceIdentity ldevid = ids.ldevid("gw-0003");
    write("gw-0003.pem", ldevid.certificatePem());
    write("gw-0003.key", ldevid.keyPem());
    String user = pki.provisioningCredentials().username();
    String pass = pki.provisioningCredentials().password();
    // WHEN it asks to be provisioned over MQTT 5 with correlation data
    Clients.Run run = Clients.python("mqtt5_client.py", "provision", "127.0.0.1",
        String.valueOf(broker.provisioningPort()), rootPem.toString(), dir.resolve("gw-0003.pem").toString(),
        dir.resolve("gw-0003.key").toString(), "gw-0003", user, pass, "r-9").await();
    assertThat(run.exit()).as(run.out() + run.err()).isZero();
    JsonObject message = new JsonObject(run.lines().get(1)).getJsonObject("message");
    assertThat(message.getString("CorrelationData")).isEqualTo("corr-42");
    assertThat(message.getString("ContentType")).isEqualTo("application/json");
    // THEN the answer is "pending" with the reason, for the same requestId
    JsonObject json = new JsonObject(message.getString("payload"));
    assertThat(json.getString("requestId")).isEqualTo("r-9");
    assertThat(json.getString("status")).isEqualTo("pending");
    assertThat(json.getString("reason")).contains("unavailable");
  }

  @Test
  void droppingSessionsByCertificateClosesTheConnectionOfThatCertificate() throws Exception {
    // GIVEN the device connected with its certificate
    Clients.Running sub = Clients.start(tls("mosquitto_sub", broker.operationalPort(), DEVICE, "mqttv5", "-i", DEVICE,
        "-u", DEVICE, "-P", PASSWORD, "-t", "devices/" + DEVICE + "/config", "-d", "-W", "25"));
    Clients.awaitOutput(sub, "SUBACK");
    String fingerprint = Fingerprints.sha256(Pem.readCertificate(Files.readString(dir.resolve(DEVICE + ".pem"))));
    // WHEN the platform drops the sessions of that certificate
    broker.vertx.eventBus().publish(Addresses.BROKER_DROP_SESSIONS,
        new io.zto.shared.bus.DropSessions(null, fingerprint, "certificate revoked").toJson());
    // THEN the broker disconnects it (MQTT 5 DISCONNECT; a 3.1.1 client is just closed, and mosquitto_sub would
    // reconnect), before the subscriber's own timeout
    Clients.Run ended = sub.await();
    assertThat(ended.out()).contains("Received DISCONNECT (152)").doesNotContain("Timed out");
    assertThat(ended.err()).doesNotContain("Timed out");
  }
}
