package io.zto.broker;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import io.zto.shared.bus.Addresses;
import io.zto.shared.bus.DeliverMessage;
import io.zto.shared.config.ZtoConfig;
import io.zto.shared.domain.AuditEvent;
import io.zto.shared.domain.Device;
import io.zto.shared.domain.TrustAnchor;
import io.zto.shared.pki.Fingerprints;
import io.zto.shared.pki.PlatformPki;
import io.zto.shared.security.SecretHasher;
import io.zto.shared.store.AuditRepository;
import io.zto.shared.store.TrustAnchorRepository;
import io.zto.shared.testing.Await;
import io.zto.shared.testing.DeviceIdentities;
import io.zto.shared.testing.DeviceIdentity;
import io.zto.shared.testing.TestPki;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Attacks on devices' sessions and provisioning answers through real clients (mosquitto, paho) with real
 * device certificates on both TLS listeners (contract section 9): a service account taking a device's
 * persistent session, a Response Topic pointing at another device, a provisioning answer left in the
 * session store, and a client id a device needs held by someone else.
 */
class DeviceSessionAttacksTest {

  static final String ACCOUNT_PASSWORD = "backend-password";
  static final String DEVICE_PASSWORD = "device-password";

  @TempDir
  static Path dir;
  static TestBroker broker;
  static PlatformPki pki;
  static OperationalDevices devices;
  static DeviceIdentities ldevids;

  @BeforeAll
  static void start() throws IOException {
    JsonObject backend = new JsonObject().put("username", "backend")
        .put("passwordHash", SecretHasher.argon2id().hash(ACCOUNT_PASSWORD))
        .put("allow", new JsonArray().add("backend/#"));
    // anonymous plain clients stand for anyone watching devices' topics (they may read all but zto/)
    JsonObject mqtt = new JsonObject().put("host", "127.0.0.1")
        .put("plain", new JsonObject().put("enabled", true).put("port", 0).put("allowAnonymous", true))
        .put("operational", new JsonObject().put("port", 0)).put("provisioning", new JsonObject().put("port", 0))
        .put("serviceAccounts", new JsonArray().add(backend));
    pki = TestPki.create(dir.resolve("data"));
    broker = TestBroker.start(pki, ZtoConfig.fromJson(new JsonObject().put("mqtt", mqtt)));
    devices = new OperationalDevices(pki, broker.platform.db(), broker.vertx, dir);
    ldevids = DeviceIdentities.create();
    X509Certificate ca = ldevids.ldevidCa();
    Await.result(new TrustAnchorRepository(broker.platform.db()).create(TrustAnchor.create("customer",
        TrustAnchor.Purpose.LDEVID, ldevids.ldevidCaPem(), Fingerprints.sha256(ca),
        ca.getSubjectX500Principal().getName(), ca.getNotAfter().toInstant())));
  }

  @AfterAll
  static void stop() {
    broker.close();
  }

  /** Writes an LDevID for {@code deviceId} next to the operational files ({@code <id>-ldevid.pem/.key}). */
  private static void ldevid(String deviceId) throws IOException {
    DeviceIdentity ldevid = ldevids.ldevid(deviceId);
    Files.writeString(dir.resolve(deviceId + "-ldevid.pem"), ldevid.certificatePem());
    Files.writeString(dir.resolve(deviceId + "-ldevid.key"), ldevid.keyPem());
  }

  /** A mosquitto client of device {@code deviceId} on the provisioning listener, with its LDevID. */
  private static List<String> provisioning(String tool, String deviceId, String... more) {
    List<String> command = new ArrayList<>(List.of("stdbuf", "-oL", tool, "-h", "127.0.0.1", "-p",
        String.valueOf(broker.provisioningPort()), "--cafile", devices.rootPem().toString(), "--cert",
        dir.resolve(deviceId + "-ldevid.pem").toString(), "--key", dir.resolve(deviceId + "-ldevid.key").toString(),
        "-V", "mqttv311", "-i", deviceId, "-u", pki.provisioningCredentials().username(), "-P",
        pki.provisioningCredentials().password()));
    command.addAll(List.of(more));
    return command;
  }

  /** A service account's mosquitto client on the operational listener (password login, no certificate). */
  private static List<String> serviceAccount(String tool, String clientId, String... more) {
    List<String> command = new ArrayList<>(List.of("stdbuf", "-oL", tool, "-h", "127.0.0.1", "-p",
        String.valueOf(broker.operationalPort()), "--cafile", devices.rootPem().toString(), "-V", "mqttv311", "-i",
        clientId, "-u", "backend", "-P", ACCOUNT_PASSWORD));
    command.addAll(List.of(more));
    return command;
  }

  private static void deliver(String topic, String payload) {
    broker.vertx.eventBus().publish(Addresses.BROKER_DELIVER,
        new DeliverMessage(topic, Buffer.buffer(payload), 1, false, null).toJson());
  }

  /** QoS 1/2 messages the session of {@code clientId} holds: waiting, or sent to a connection that was closing. */
  private static int waiting(String clientId) {
    return broker.onBroker(() -> {
      Session session = broker.verticle.node().broker().session(clientId);
      return session == null ? -1 : session.window().waiting().size() + session.window().inflight().size();
    });
  }

  @Test
  void serviceAccountCannotHijackADevicePersistentSession() throws IOException {
    // GIVEN a device with a persistent operational session subscribed to its commands, now offline
    String device = "dev-hijack-1";
    devices.create(device, Device.State.PROVISIONED, DEVICE_PASSWORD);
    Clients.Run subscribed = Clients.run(devices.tls("mosquitto_sub", broker.operationalPort(), device, "mqttv311",
        "-i", device, "-u", device, "-P", DEVICE_PASSWORD, "-c", "-q", "1", "-t", "devices/" + device + "/commands/#",
        "-E"));
    assertThat(subscribed.exit()).as(subscribed.err()).isZero();
    // AND a signed command queued for it by the platform
    deliver("devices/" + device + "/commands/cmd-1", "signed-command-1");
    Clients.awaitTrue(() -> waiting(device) == 1, "command queued in the device's session");
    // WHEN a back-end service account connects with the device's id and asks for its session
    Clients.Run hijack = Clients.run(serviceAccount("mosquitto_sub", device, "-c", "-q", "1", "-t", "backend/#",
        "-C", "1", "-W", "5"));
    // THEN it is refused (identifier rejected) and receives nothing
    assertThat(hijack.err()).contains("identifier rejected");
    assertThat(hijack.out()).doesNotContain("signed-command-1");
    // AND the device still resumes its session and receives the command
    Clients.Run resumed = Clients.run(devices.tls("mosquitto_sub", broker.operationalPort(), device, "mqttv311",
        "-i", device, "-u", device, "-P", DEVICE_PASSWORD, "-c", "-q", "1", "-t", "devices/" + device + "/commands/#",
        "-C", "1", "-W", "10"));
    assertThat(resumed.out().strip()).isEqualTo("signed-command-1");
  }

  @Test
  void anonymousClientCannotTakeADeviceClientId() throws IOException {
    // GIVEN a device the platform knows, and the development listener open to anonymous clients
    String device = "dev-anon-1";
    devices.create(device, Device.State.PROVISIONED, DEVICE_PASSWORD);
    // WHEN an anonymous client connects with the device's id (3.1.1 and 5)
    String port = String.valueOf(broker.plainPort());
    Clients.Run v311 = Clients.run("mosquitto_sub", "-h", "127.0.0.1", "-p", port, "-V", "mqttv311", "-i", device,
        "-c", "-q", "1", "-t", "devices/" + device + "/#", "-W", "4");
    Clients.Run v5 = Clients.run("mosquitto_sub", "-h", "127.0.0.1", "-p", port, "-V", "mqttv5", "-i", device,
        "-t", "devices/" + device + "/#", "-W", "4");
    // THEN both are refused as invalid client identifiers
    assertThat(v311.err()).contains("identifier rejected");
    assertThat(v5.err()).contains("Client Identifier not valid");
  }

  @Test
  void aDeviceSessionIsNotResumedOnTheOtherListener() throws IOException {
    // GIVEN a device with a persistent provisioning session, offline, its provisioning answer waiting in it
    String device = "dev-both-1";
    ldevid(device);
    devices.create(device, Device.State.PROVISIONED, DEVICE_PASSWORD);
    String response = "zto/v1/" + device + "/provision/response";
    Clients.Run subscribed = Clients.run(provisioning("mosquitto_sub", device, "-c", "-q", "1", "-t", response, "-E"));
    assertThat(subscribed.exit()).as(subscribed.err()).isZero();
    deliver(response, "{\"requestId\":\"r-1\",\"status\":\"provisioned\",\"secret\":\"answer-of-provisioning\"}");
    Clients.awaitTrue(() -> waiting(device) == 1, "answer waiting in the provisioning session");
    // WHEN the same device connects to the operational listener with its operational certificate, asking to resume
    Clients.Run operational = Clients.run(devices.tls("mosquitto_sub", broker.operationalPort(), device, "mqttv311",
        "-i", device, "-u", device, "-P", DEVICE_PASSWORD, "-c", "-q", "1", "-v", "-d",
        "-t", "devices/" + device + "/commands/#", "-C", "1", "-W", "4"));
    // THEN it is accepted with a fresh session: the provisioning session's answer does not follow it there
    assertThat(operational.out()).contains("received CONNACK (0)").doesNotContain("answer-of-provisioning");
    assertThat(broker.onBroker(() -> broker.verticle.node().broker().session(device).owner()))
        .isEqualTo("operational:" + device);
  }

  @Test
  void aDeviceTakesItsClientIdBackWithoutInheritingTheSession() throws IOException {
    // GIVEN a service account that used an id before any device had it: a persistent session with a job queued
    String device = "gw-late-1";
    Clients.Run squatted = Clients.run(serviceAccount("mosquitto_sub", device, "-c", "-q", "1", "-t", "backend/jobs",
        "-E"));
    assertThat(squatted.exit()).as(squatted.err()).isZero();
    Clients.Run job = Clients.run(serviceAccount("mosquitto_pub", "job-publisher", "-q", "1", "-t", "backend/jobs",
        "-m", "job-for-backend"));
    assertThat(job.exit()).as(job.err()).isZero();
    Clients.awaitTrue(() -> waiting(device) == 1, "job queued in the account's session");
    // WHEN the device with that id connects with its LDevID, asking for a persistent session
    ldevid(device);
    Clients.Run deviceRun = Clients.run(provisioning("mosquitto_sub", device, "-c", "-q", "1", "-v", "-d", "-t",
        "zto/v1/" + device + "/provision/response", "-C", "1", "-W", "4"));
    // THEN it is accepted with a fresh session: nothing of the account's session reaches it
    assertThat(deviceRun.out()).contains("received CONNACK (0)").doesNotContain("job-for-backend");
    // AND the id is the device's now: the account is refused it
    Clients.Run again = Clients.run(serviceAccount("mosquitto_sub", device, "-c", "-q", "1", "-t", "backend/jobs",
        "-C", "1", "-W", "4"));
    assertThat(again.err()).contains("identifier rejected");
  }

  @Test
  void responseTopicOfAnotherDeviceIsIgnored() throws IOException {
    // GIVEN a victim's command topic watched by a subscriber, and a provisioning service answering with secrets
    String victim = "dev-victim-1";
    Clients.Running watcher = Clients.start(List.of("stdbuf", "-oL", "mosquitto_sub", "-h", "127.0.0.1", "-p",
        String.valueOf(broker.plainPort()), "-V", "mqttv5", "-t", "devices/" + victim + "/#", "-v", "-d", "-W", "8"));
    Clients.awaitOutput(watcher, "SUBACK");
    MessageConsumer<JsonObject> service = broker.vertx.eventBus().<JsonObject>consumer(Addresses.PROVISIONING_REQUEST,
        m -> m.reply(new JsonObject().put("requestId", m.body().getString("requestId")).put("status", "provisioned")
            .put("config", new JsonObject().put("mqtt", new JsonObject().put("password", "secret-for-attacker")))));
    Await.result(service.completion());
    String attacker = "gw-attacker-1";
    ldevid(attacker);
    try {
      // WHEN a device asks to be provisioned with the victim's command topic as MQTT 5 Response Topic
      Clients.Run run = Clients.python("mqtt5_client.py", "provision", "127.0.0.1",
          String.valueOf(broker.provisioningPort()), devices.rootPem().toString(),
          dir.resolve(attacker + "-ldevid.pem").toString(), dir.resolve(attacker + "-ldevid.key").toString(), attacker,
          pki.provisioningCredentials().username(), pki.provisioningCredentials().password(), "r-inject",
          "devices/" + victim + "/commands/x").await();
      assertThat(run.exit()).as(run.out() + run.err()).isZero();
      // THEN the answer comes once, on the device's own response topic, with its correlation data
      List<JsonObject> messages = run.lines().stream().map(JsonObject::new).filter(j -> j.containsKey("message"))
          .map(j -> j.getJsonObject("message")).toList();
      assertThat(messages).singleElement().satisfies(m -> {
        assertThat(m.getString("topic")).isEqualTo("zto/v1/" + attacker + "/provision/response");
        assertThat(m.getString("CorrelationData")).isEqualTo("corr-42");
      });
      // AND nothing reaches the victim's topics; the ignored Response Topic is audited
      assertThat(watcher.await().out()).doesNotContain("secret-for-attacker").doesNotContain("commands/x");
      Clients.awaitTrue(() -> Await.result(new AuditRepository(broker.platform.db()).list(AuditRepository.Query.all(500)))
          .items().stream().anyMatch(e -> e.action().equals("mqtt.responseTopic") && e.actor().equals(attacker)
              && e.outcome() == AuditEvent.Outcome.REFUSED), "ignored Response Topic audited");
    } finally {
      Await.result(service.unregister());
    }
  }

  @Test
  void provisioningAnswerIsNotStoredInClear() throws IOException {
    // GIVEN a pending device with a persistent provisioning session subscribed to its response topic, offline
    String device = "gw-pending-1";
    ldevid(device);
    String response = "zto/v1/" + device + "/provision/response";
    Clients.Run subscribed = Clients.run(provisioning("mosquitto_sub", device, "-c", "-q", "1", "-t", response, "-E"));
    assertThat(subscribed.exit()).as(subscribed.err()).isZero();
    Clients.awaitTrue(() -> storedSessionOwner(device) != null, "the session is stored");
    // WHEN an operator's approval sends the provisioned answer, with an MQTT password and an EST challenge
    String secret = "mqtt-password-in-clear-7f3a";
    String challenge = "est-challenge-in-clear-91c2";
    deliver(response, new JsonObject().put("requestId", "r-1").put("status", "provisioned").put("config",
        new JsonObject().put("mqtt", new JsonObject().put("password", secret))
            .put("est", new JsonObject().put("challengePassword", challenge))).encode());
    Clients.awaitTrue(() -> waiting(device) == 1, "answer queued in the device's session");
    // THEN the session store holds the session as the device's, but no queued answer and no secret anywhere
    assertThat(storedSessionOwner(device)).isEqualTo("provisioning:" + device);
    assertThat(storedText()).doesNotContain(secret).doesNotContain(challenge);
    assertThat(queuedRows(device)).isZero();
    // AND the device, reconnecting, still receives the answer (it was kept in memory)
    Clients.Run resumed = Clients.run(provisioning("mosquitto_sub", device, "-c", "-q", "1", "-t", response, "-C", "1",
        "-W", "10"));
    assertThat(resumed.out()).contains(secret);
    // AND going offline again (the session snapshot is written) stores no secret either
    Clients.awaitTrue(() -> waiting(device) == 0, "nothing waiting");
    assertThat(storedText()).doesNotContain(secret).doesNotContain(challenge);
  }

  private static String storedSessionOwner(String clientId) {
    for (Row row : Await.result(broker.platform.db().query("SELECT owner FROM broker_sessions WHERE client_id = $1",
        Tuple.of(clientId)))) {
      return row.getString("owner");
    }
    return null;
  }

  private static long queuedRows(String clientId) {
    long n = 0;
    for (Row ignored : Await.result(broker.platform.db().query("SELECT seq FROM broker_queue WHERE client_id = $1",
        Tuple.of(clientId)))) {
      n++;
    }
    return n;
  }

  /**
   * Everything the broker stored as text, with every base64 payload of queued and retained messages decoded,
   * so that a secret is found whichever way it was written.
   */
  private static String storedText() {
    StringBuilder all = new StringBuilder();
    for (String sql : List.of("SELECT message AS text FROM broker_queue", "SELECT message AS text FROM broker_retained",
        "SELECT options AS text FROM broker_subscriptions", "SELECT client_id || ' ' || COALESCE(owner, '') AS text"
            + " FROM broker_sessions")) {
      for (Row row : Await.result(broker.platform.db().query(sql, Tuple.tuple()))) {
        String text = row.getString("text");
        all.append(text).append('\n');
        if (text.startsWith("{")) {
          JsonObject json = new JsonObject(text);
          JsonObject message = json.getJsonObject("message", json);
          if (message.getValue("payload") instanceof String payload) {
            all.append(decoded(payload)).append('\n');
          }
        }
      }
    }
    return all.toString();
  }

  // Vert.x writes binary JSON values as base64url without padding; older data may use the classic alphabet
  private static String decoded(String base64) {
    try {
      return new String(Base64.getUrlDecoder().decode(base64), StandardCharsets.UTF_8);
    } catch (IllegalArgumentException notUrl) {
      return new String(Base64.getDecoder().decode(base64), StandardCharsets.UTF_8);
    }
  }
}
