package io.zto.deploy.est;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.zto.deploy.Node;
import io.zto.shared.config.ZtoConfig;
import io.zto.shared.domain.Device;
import io.zto.shared.domain.EstChallenge;
import io.zto.shared.domain.MqttCredential;
import io.zto.shared.domain.TrustAnchor;
import io.zto.shared.pki.Fingerprints;
import io.zto.shared.security.SecretHasher;
import io.zto.shared.security.Secrets;
import io.zto.shared.store.ChallengeRepository;
import io.zto.shared.store.CredentialRepository;
import io.zto.shared.store.DeviceRepository;
import io.zto.shared.store.TrustAnchorRepository;
import io.zto.shared.testing.Await;
import io.zto.shared.testing.DeviceIdentities;
import io.zto.shared.testing.DeviceIdentity;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;

/**
 * A whole zto node (roles est and crl, and broker if asked) for EST tests, with a customer LDevID CA registered as trust
 * anchor, and helpers to seed provisioned devices with a one-time challenge, as provisioning would.
 */
final class EstTestNode implements AutoCloseable {

  static final SecretHasher HASHER = SecretHasher.argon2id();

  final Node node;
  final int estPort;
  /** The operational MQTT listener's port; 0 when the node runs no broker. */
  final int operationalPort;
  final Path dataDir;
  final DeviceIdentities identities = DeviceIdentities.create();
  private final HttpClient http = HttpClient.newHttpClient();

  private EstTestNode(Node node, int estPort, int operationalPort, Path dataDir) {
    this.node = node;
    this.estPort = estPort;
    this.operationalPort = operationalPort;
    this.dataDir = dataDir;
  }

  /** A node on the embedded database (dbUrl null) or PostgreSQL, with the given EST profiles. */
  static EstTestNode start(Path dataDir, String dbUrl, JsonArray profiles) {
    return start(dataDir, dbUrl, profiles, false);
  }

  /** As {@link #start(Path, String, JsonArray)} on the embedded database, with the broker role too. */
  static EstTestNode withBroker(Path dataDir) {
    return start(dataDir, null, null, true);
  }

  private static EstTestNode start(Path dataDir, String dbUrl, JsonArray profiles, boolean broker) {
    int estPort = freePort();
    int operationalPort = broker ? freePort() : 0;
    JsonObject est = new JsonObject().put("port", estPort).put("retryAfter", "2s");
    if (profiles != null) {
      est.put("profiles", profiles);
    }
    JsonArray roles = new JsonArray().add("est").add("crl");
    if (broker) {
      roles.add("broker");
    }
    JsonObject json = new JsonObject().put("dataDir", dataDir.toString()).put("roles", roles)
        .put("http", new JsonObject().put("port", 0)).put("est", est)
        .put("mqtt", new JsonObject().put("operational", new JsonObject().put("port", operationalPort))
            .put("provisioning", new JsonObject().put("port", 0)));
    if (dbUrl != null) {
      json.put("db", new JsonObject().put("url", dbUrl));
    }
    EstTestNode started = new EstTestNode(Await.result(Node.start(ZtoConfig.fromJson(json))), estPort,
        operationalPort, dataDir);
    TrustAnchorRepository anchors = new TrustAnchorRepository(started.node.platform().db());
    Await.result(anchors.create(TrustAnchor.create("customer", TrustAnchor.Purpose.LDEVID,
        started.identities.ldevidCaPem(), Fingerprints.sha256(started.identities.ldevidCa()),
        started.identities.ldevidCa().getSubjectX500Principal().getName(),
        started.identities.ldevidCa().getNotAfter().toInstant())));
    return started;
  }

  /** A provisioned device with an LDevID and a fresh challenge, as the provisioning verticle leaves it. */
  ProvisionedDevice provision(String deviceId) {
    DeviceIdentity ldevid = identities.ldevid(deviceId);
    Await.result(new DeviceRepository(node.platform().db()).upsert(Device.seen(deviceId, "default",
        Device.State.PROVISIONED)));
    return new ProvisionedDevice(deviceId, ldevid, newChallenge(deviceId));
  }

  /** Gives the device an operational MQTT password, as provisioning does. */
  void mqttPassword(String deviceId, String password) {
    Await.result(new CredentialRepository(node.platform().db()).replace(new MqttCredential(deviceId, deviceId,
        HASHER.hash(password), "req-" + deviceId, Instant.now())));
  }

  /** Issues a new challenge for the device (the previous unused ones stop working). */
  String newChallenge(String deviceId) {
    String secret = Secrets.randomToken(128);
    Await.result(new ChallengeRepository(node.platform().db()).issue(EstChallenge.issue(deviceId, HASHER.hash(secret),
        "req-" + Secrets.randomToken(128), Instant.now().plus(Duration.ofMinutes(30)))));
    return secret;
  }

  /** The issuing CA and root, as PEM, for clients' trust. */
  Path rootPem() {
    return dataDir.resolve("root-ca.pem");
  }

  String adminToken() {
    try {
      return Files.readString(dataDir.resolve("admin-token")).trim();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  String estBase() {
    return "https://localhost:" + estPort + "/.well-known/est";
  }

  String httpBase() {
    return "http://127.0.0.1:" + node.httpPort();
  }

  /** An operator API call; body null for GET. */
  HttpResponse<String> api(String method, String path, String body) {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(httpBase() + path))
        .header("Authorization", "Bearer " + adminToken());
    request = body == null ? request.method(method, HttpRequest.BodyPublishers.noBody())
        : request.header("Content-Type", "application/json").method(method, HttpRequest.BodyPublishers.ofString(body));
    try {
      return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  @Override
  public void close() {
    Await.result(node.stop());
  }

  private static int freePort() {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A device ready to enroll: its LDevID and its one-time challenge. */
  record ProvisionedDevice(String deviceId, DeviceIdentity ldevid, String challenge) {}
}
