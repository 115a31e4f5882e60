package io.zto.broker;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import io.zto.shared.bus.Addresses;
import io.zto.shared.bus.DeliverMessage;
import io.zto.shared.config.ZtoConfig;
import io.zto.shared.domain.AuditEvent;
import io.zto.shared.domain.Device;
import io.zto.shared.pki.PlatformPki;
import io.zto.shared.security.SecretHasher;
import io.zto.shared.store.AuditRepository;
import io.zto.shared.testing.Await;
import io.zto.shared.testing.TestPki;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Service accounts that try to act as someone else (contract section 9), with mosquitto clients on the
 * plain listener (no anonymous access) and the operational listener: device ids and other identities'
 * sessions are not theirs, the {@code zto/} tree is the platform's, and publish and subscribe rights are
 * separate.
 */
class SessionOwnershipTest {

  static final String PASSWORD = "account-password";
  /** A device the platform knows (it has a certificate, credentials and a row in devices). */
  static final String DEVICE = "dev-owned-1";

  @TempDir
  static Path dir;
  static TestBroker broker;
  static OperationalDevices devices;

  @BeforeAll
  static void start() throws IOException {
    String hash = SecretHasher.argon2id().hash(PASSWORD);
    JsonArray accounts = new JsonArray()
        .add(account("backend", hash).put("publish", new JsonArray().add("backend/#"))
            .put("subscribe", new JsonArray().add("backend/#")))
        // same rights as backend, written the old way: one allow list for both
        .add(account("intruder", hash).put("allow", new JsonArray().add("backend/#")))
        .add(account("wide", hash).put("allow", new JsonArray().add("#")))
        .add(account("split", hash).put("publish", new JsonArray().add("backend/out/#"))
            .put("subscribe", new JsonArray().add("devices/+/telemetry")));
    JsonObject mqtt = new JsonObject().put("host", "127.0.0.1")
        .put("plain", new JsonObject().put("enabled", true).put("port", 0).put("allowAnonymous", false))
        .put("operational", new JsonObject().put("port", 0)).put("provisioning", new JsonObject().put("port", 0))
        .put("serviceAccounts", accounts);
    PlatformPki pki = TestPki.create(dir.resolve("data"));
    broker = TestBroker.start(pki, ZtoConfig.fromJson(new JsonObject().put("mqtt", mqtt)));
    devices = new OperationalDevices(pki, broker.platform.db(), broker.vertx, dir);
    devices.create(DEVICE, Device.State.PROVISIONED, "device-password");
  }

  private static JsonObject account(String name, String hash) {
    return new JsonObject().put("username", name).put("passwordHash", hash);
  }

  @AfterAll
  static void stop() {
    broker.close();
  }

  /** A mosquitto client on the plain listener logged in as {@code account}. */
  private static List<String> plain(String tool, String version, String account, String clientId, String... more) {
    List<String> command = new ArrayList<>(List.of("stdbuf", "-oL", tool, "-h", "127.0.0.1", "-p",
        String.valueOf(broker.plainPort()), "-V", version, "-i", clientId, "-u", account, "-P", PASSWORD));
    command.addAll(List.of(more));
    return command;
  }

  private static long refusedConnects(String clientId, String reasonPart) {
    return Await.result(new AuditRepository(broker.platform.db()).list(AuditRepository.Query.all(500))).items()
        .stream().filter(e -> e.action().equals("mqtt.connect") && e.outcome() == AuditEvent.Outcome.REFUSED
            && e.actor().equals(clientId) && e.reason().contains(reasonPart)).count();
  }

  private static String storedOwner(String clientId) {
    for (Row row : Await.result(broker.platform.db().query("SELECT owner FROM broker_sessions WHERE client_id = $1",
        Tuple.of(clientId)))) {
      return row.getString("owner");
    }
    return null;
  }

  @Test
  void serviceAccountCannotTakeADeviceClientId() {
    // GIVEN a device the platform knows, and a service account with valid credentials
    // WHEN the account connects with the device's id as client id: 3.1.1 and 5 on the plain listener, and
    // 5 on the operational listener (TLS, password login without a certificate), asking for its session
    Clients.Run v311 = Clients.run(plain("mosquitto_sub", "mqttv311", "intruder", DEVICE, "-c", "-q", "1",
        "-t", "backend/#", "-W", "5"));
    Clients.Run v5 = Clients.run(plain("mosquitto_sub", "mqttv5", "intruder", DEVICE, "-c", "-x", "300", "-q", "1",
        "-t", "backend/#", "-W", "5"));
    Clients.Run operational = Clients.run(List.of("mosquitto_sub", "-h", "127.0.0.1", "-p",
        String.valueOf(broker.operationalPort()), "--cafile", devices.rootPem().toString(), "-V", "mqttv5", "-i",
        DEVICE, "-u", "intruder", "-P", PASSWORD, "-c", "-x", "300", "-t", "backend/#", "-W", "5"));
    // THEN each is refused as an invalid client identifier (3.1.1: 2 identifier rejected; 5: 0x85)
    assertThat(v311.err()).contains("identifier rejected");
    assertThat(v5.err()).contains("Client Identifier not valid");
    assertThat(operational.err()).contains("Client Identifier not valid");
    // AND no session was opened or stored for the device's id, and each refusal is audited with the reason
    assertThat(broker.onBroker(() -> broker.verticle.node().broker().session(DEVICE))).isNull();
    assertThat(storedOwner(DEVICE)).isNull();
    Clients.awaitTrue(() -> refusedConnects(DEVICE, "is a device id") >= 3, "three refusals audited");
  }

  @Test
  void aClientIdThatNamesNoDeviceIsFreeForAServiceAccount() {
    // GIVEN an id of the device-id form that no device has (yet)
    // WHEN a service account uses it, with a persistent session
    Clients.Run run = Clients.run(plain("mosquitto_sub", "mqttv311", "backend", "gw-not-yet-1", "-c", "-q", "1",
        "-t", "backend/jobs", "-E"));
    // THEN it is accepted and its session is stored as the account's
    assertThat(run.exit()).as(run.err()).isZero();
    Clients.awaitTrue(() -> "account:backend".equals(storedOwner("gw-not-yet-1")), "session stored with its owner");
  }

  @Test
  void persistentSessionIsNotResumedByAnotherIdentity() {
    // GIVEN backend's persistent session "worker-1" subscribed to backend/jobs, offline, with a job queued
    Clients.Run subscribed = Clients.run(plain("mosquitto_sub", "mqttv311", "backend", "worker-1", "-c", "-q", "1",
        "-t", "backend/jobs", "-E"));
    assertThat(subscribed.exit()).as(subscribed.err()).isZero();
    Clients.Run queued = Clients.run(plain("mosquitto_pub", "mqttv311", "backend", "job-publisher-1", "-q", "1",
        "-t", "backend/jobs", "-m", "job-1"));
    assertThat(queued.exit()).as(queued.err()).isZero();
    // WHEN another service account with the same rights connects as "worker-1" asking for its session
    Clients.Run v311 = Clients.run(plain("mosquitto_sub", "mqttv311", "intruder", "worker-1", "-c", "-q", "1",
        "-t", "backend/jobs", "-C", "1", "-W", "5"));
    Clients.Run v5 = Clients.run(plain("mosquitto_sub", "mqttv5", "intruder", "worker-1", "-c", "-x", "300", "-q", "1",
        "-t", "backend/jobs", "-C", "1", "-W", "5"));
    // THEN it is refused (3.1.1: 2; 5: 0x85) and receives nothing
    assertThat(v311.err()).contains("identifier rejected");
    assertThat(v5.err()).contains("Client Identifier not valid");
    assertThat(v311.out() + v5.out()).doesNotContain("job-1");
    // AND the owner's session is untouched: it resumes with the queued job
    Clients.Run resumed = Clients.run(plain("mosquitto_sub", "mqttv311", "backend", "worker-1", "-c", "-q", "1",
        "-t", "backend/jobs", "-C", "1", "-W", "10"));
    assertThat(resumed.out().strip()).isEqualTo("job-1");
    assertThat(storedOwner("worker-1")).isEqualTo("account:backend");
  }

  @Test
  void aRestoredSessionKeepsItsOwner() {
    // GIVEN backend's persistent session "worker-2", offline with a job queued, and the broker restarted
    Clients.Run subscribed = Clients.run(plain("mosquitto_sub", "mqttv311", "backend", "worker-2", "-c", "-q", "1",
        "-t", "backend/restart", "-E"));
    assertThat(subscribed.exit()).as(subscribed.err()).isZero();
    Clients.Run queued = Clients.run(plain("mosquitto_pub", "mqttv311", "backend", "job-publisher-2", "-q", "1",
        "-t", "backend/restart", "-m", "job-2"));
    assertThat(queued.exit()).as(queued.err()).isZero();
    Clients.awaitTrue(() -> "account:backend".equals(storedOwner("worker-2")), "session stored with its owner");
    broker.restart();
    // WHEN another identity asks for "worker-2"'s session on the restarted broker
    Clients.Run stolen = Clients.run(plain("mosquitto_sub", "mqttv311", "intruder", "worker-2", "-c", "-q", "1",
        "-t", "backend/restart", "-C", "1", "-W", "5"));
    // THEN it is refused, and the owner still resumes its restored session with the job
    assertThat(stolen.err()).contains("identifier rejected");
    Clients.Run resumed = Clients.run(plain("mosquitto_sub", "mqttv311", "backend", "worker-2", "-c", "-q", "1",
        "-t", "backend/restart", "-C", "1", "-W", "10"));
    assertThat(resumed.out().strip()).isEqualTo("job-2");
  }

  @Test
  void serviceAccountCannotPublishUnderZto() {
    // GIVEN an account whose allow list is "#"
    // WHEN it publishes a forged provisioning answer to a device's response topic (MQTT 5, QoS 1)
    Clients.Run forged = Clients.run(plain("mosquitto_pub", "mqttv5", "wide", "forger-1", "-q", "1", "-d",
        "-t", "zto/v1/" + DEVICE + "/provision/response", "-m", "{\"status\":\"provisioned\"}"));
    // THEN PUBACK says 0x87 not authorized, and the denial is audited with the account's name
    assertThat(forged.out()).contains("received PUBACK (Mid: 1, RC:135)");
    Clients.awaitTrue(() -> Await.result(new AuditRepository(broker.platform.db()).list(AuditRepository.Query.all(500)))
        .items().stream().anyMatch(e -> e.action().equals("mqtt.publish") && e.outcome() == AuditEvent.Outcome.REFUSED
            && e.actor().equals("wide") && ("zto/v1/" + DEVICE + "/provision/response").equals(e.subject())),
        "publish denial audited");
  }

  @Test
  void serviceAccountCannotReadZto() {
    // GIVEN an account whose allow list is "#"
    // WHEN it subscribes to the zto/ tree by name (3.1.1 and 5)
    Clients.Run v311 = Clients.run(plain("mosquitto_sub", "mqttv311", "wide", "reader-1", "-t", "zto/#", "-W", "3",
        "-d"));
    Clients.Run v5 = Clients.run(plain("mosquitto_sub", "mqttv5", "wide", "reader-2", "-t",
        "zto/v1/+/provision/response", "-W", "3", "-d"));
    // THEN SUBACK refuses: 0x80 (128) in 3.1.1, 0x87 (135) in 5
    assertThat(v311.out()).contains("Subscribed (mid: 1): 128");
    assertThat(v5.out()).contains("Subscribed (mid: 1): 135");
  }

  @Test
  void reservedTopicsAreNotDeliveredThroughWildcards() {
    // GIVEN an account subscribed to "#" (granted: it may read everything but the platform's tree)
    Clients.Running everything = Clients.start(plain("mosquitto_sub", "mqttv5", "wide", "reader-3", "-t", "#", "-q", "1",
        "-C", "1", "-W", "20", "-v", "-d"));
    Clients.awaitOutput(everything, "SUBACK");
    // WHEN the platform publishes a provisioning answer with a password, then a command
    broker.vertx.eventBus().publish(Addresses.BROKER_DELIVER, new DeliverMessage("zto/v1/" + DEVICE
        + "/provision/response", Buffer.buffer("{\"password\":\"never-for-a-wildcard\"}"), 1, false, null).toJson());
    broker.vertx.eventBus().publish(Addresses.BROKER_DELIVER, new DeliverMessage("devices/" + DEVICE + "/commands/c1",
        Buffer.buffer("command-1"), 1, false, null).toJson());
    // THEN the first (and only) message it receives is the command: the answer never reached it
    Clients.Run ended = everything.await();
    assertThat(ended.out()).contains("devices/" + DEVICE + "/commands/c1 command-1")
        .doesNotContain("never-for-a-wildcard");
  }

  @Test
  void publishAndSubscribeRightsAreSeparate() {
    // GIVEN "split": publish backend/out/#, subscribe devices/+/telemetry
    // WHEN it subscribes to where it may only publish, and to where it may read
    Clients.Run subscribeToPublishList = Clients.run(plain("mosquitto_sub", "mqttv5", "split", "split-1", "-t",
        "backend/out/#", "-W", "3", "-d"));
    Clients.Run subscribeToSubscribeList = Clients.run(plain("mosquitto_sub", "mqttv5", "split", "split-2", "-q", "1",
        "-t", "devices/+/telemetry", "-W", "3", "-d"));
    // AND publishes to where it may only read, and to where it may publish
    Clients.Run publishToSubscribeList = Clients.run(plain("mosquitto_pub", "mqttv5", "split", "split-3", "-q", "1",
        "-d", "-t", "devices/" + DEVICE + "/telemetry", "-m", "fake"));
    Clients.Run publishToPublishList = Clients.run(plain("mosquitto_pub", "mqttv5", "split", "split-4", "-q", "1",
        "-d", "-t", "backend/out/x", "-m", "ok"));
    // THEN only the operations of each list are allowed
    assertThat(subscribeToPublishList.out()).contains("Subscribed (mid: 1): 135");
    assertThat(subscribeToSubscribeList.out()).contains("Subscribed (mid: 1): 1");
    assertThat(publishToSubscribeList.out()).contains("received PUBACK (Mid: 1, RC:135)");
    assertThat(publishToPublishList.exit()).as(publishToPublishList.err()).isZero();
    assertThat(publishToPublishList.out()).contains("received PUBACK (Mid: 1, RC:0)");
  }
}
