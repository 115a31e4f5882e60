package io.zto.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.handler.codec.mqtt.MqttConnectReturnCode;
import io.vertx.core.Vertx;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.PemTrustOptions;
import io.vertx.mqtt.MqttClient;
import io.vertx.mqtt.MqttClientOptions;
import io.vertx.mqtt.MqttConnectionException;
import io.vertx.core.json.JsonObject;
import io.zto.deploy.est.BcEst;
import io.zto.shared.config.ZtoConfig;
import io.zto.shared.domain.RevocationReason;
import io.zto.shared.pki.FactoryCa;
import io.zto.shared.pki.Pem;
import io.zto.shared.pki.ProvisioningCredentials;
import io.zto.shared.testing.Await;
import io.zto.shared.testing.CrlServer;
import io.zto.shared.testing.TestChains;
import io.zto.shared.testing.TestCrls;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.bouncycastle.est.ESTException;
import org.bouncycastle.est.EnrollmentResponse;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Attacks on who a device is, each tried through clients nobody here wrote (mosquitto_rr, mosquitto_pub
 * and mosquitto_sub with certificate chain files, Bouncy Castle's EST client) against one node with a
 * customer PKI of the usual shape: root (the trusted anchor) -> line CA -> device. Every attack must fail
 * with the listener's refusal and change nothing; the positive controls show the same PKI works.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class HostileDeviceTest {

  private static final Duration RUN = Duration.ofSeconds(30);
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  private Path tmp;

  private Node node;
  private String token;
  private Mosquitto mosquitto;
  private Path rootPem;
  private final TestChains.Ca customerRoot = TestChains.root("Customer Root");
  private final TestChains.Ca line = customerRoot.intermediate("Line CA 1");

  @BeforeAll
  void start(@TempDir Path dir) throws Exception {
    tmp = dir;
    Map<String, String> settings = new HashMap<>();
    settings.put("dataDir", tmp.resolve("zto-data").toString());
    for (String port : new String[] {"http.port", "est.port", "mqtt.operational.port", "mqtt.provisioning.port"}) {
      settings.put(port, Integer.toString(freePort()));
    }
    node = Await.result(Node.start(ZtoConfig.of(settings), EventLoopNotBlockedTest.strictChecker()));
    token = Files.readString(tmp.resolve("zto-data/admin-token")).strip();
    rootPem = tmp.resolve("zto-data/root-ca.pem");
    mosquitto = new Mosquitto(Files.createDirectories(tmp.resolve("clients")), rootPem);
    HttpResponse<String> anchor = api("POST", "/api/v1/trust-anchors", new JsonObject().put("name", "customer")
        .put("purpose", "ldevid").put("pem", Pem.encode(customerRoot.certificate())));
    assertThat(anchor.statusCode()).as(anchor.body()).isEqualTo(201);
  }

  @AfterAll
  void stop() {
    if (node != null) {
      Await.result(node.stop());
    }
  }

  // ---- positive control ----

  @Test
  void threeLevelCustomerChainProvisionsEnrollsAndConnects() throws Exception {
    // GIVEN a device of the line CA, registered by device id, that sends the line CA in its TLS chain
    Device device = device("gw-three-level", line.device("gw-three-level"), line);
    // WHEN it provisions, enrolls and connects
    JsonObject answer = device.provision("r-1");
    assertThat(answer.getString("status")).as(answer.encode()).isEqualTo("provisioned");
    Operational operational = device.enroll(answer.getJsonObject("config"));
    // THEN the operational listener takes its QoS 1 publish
    Mosquitto.Run published = operational.publish(List.of());
    assertThat(published.succeeded()).as(published.err()).isTrue();
  }

  // ---- forged and revoked intermediates ----

  @Test
  void forgedIntermediateIsRefusedOnEveryListener() throws Exception {
    // GIVEN a provisioned device of the real line CA
    Device victim = device("gw-forge-victim", line.device("gw-forge-victim"), line);
    JsonObject answer = victim.provision("r-1");
    assertThat(answer.getString("status")).isEqualTo("provisioned");
    Operational real = victim.enroll(answer.getJsonObject("config"));
    // AND an attacker with a CA bearing the line CA's name (another key) and a certificate for the victim's id
    TestChains.Ca forged = line.forgery();
    Device attacker = new Device("gw-forge-victim", forged.device("gw-forge-victim"), forged, tmp.resolve("forger"));
    // WHEN it tries the provisioning listener: refused as not authorized
    Mosquitto.Run provisioning = attacker.tryProvision("r-2");
    assertThat(provisioning.succeeded()).isFalse();
    assertThat(provisioning.err()).containsIgnoringCase("not authori");
    // WHEN it tries EST with the victim's id: 403
    assertThatThrownBy(() -> attacker.estEnroll(real.challengeFree()))
        .isInstanceOfSatisfying(ESTException.class, e -> assertThat(e.getStatusCode()).isEqualTo(403));
    // WHEN it presents the forged CA behind the victim's real operational certificate it has no key for,
    // or its own leaf on the operational listener: refused
    Mosquitto.Run operational = mosquitto.run(RUN, "mosquitto_pub", args(attacker.login(operationalPort(),
        "gw-forge-victim", real.username, real.password), "-V", "mqttv311", "-q", "1", "-t",
        "devices/gw-forge-victim/telemetry", "-m", "x"));
    assertThat(operational.succeeded()).isFalse();
    // AND the victim still works
    assertThat(real.publish(List.of()).succeeded()).isTrue();
  }

  @Test
  void revokedIntermediateIsRefusedOnProvisioningAndEstAndDroppedLive() throws Exception {
    // GIVEN a second line CA, a provisioned device of it, and that device connected to the provisioning listener
    TestChains.Ca line2 = customerRoot.intermediate("Line CA 2");
    Device device = device("gw-line2", line2.device("gw-line2"), line2);
    assertThat(device.provision("r-1").getString("status")).isEqualTo("provisioned");
    try (Mosquitto.Running listening = mosquitto.start("mosquitto_sub", args(device.provisioningLogin(), "-V",
        "mqttv311", "-q", "1", "-t", "zto/v1/gw-line2/provision/response"))) {
      Thread.sleep(1500);
      assertThat(listening.alive()).isTrue();
      // WHEN the root's CRL lists the line CA and an operator registers it
      Vertx vertx = Vertx.vertx();
      try {
        CrlServer crl = CrlServer.http(vertx);
        TestCrls crls = new TestCrls(FactoryCa.of(customerRoot.certificate(), customerRoot.keyPair().getPrivate()));
        crl.publish(crls.complete(1, Map.of(line2.certificate().getSerialNumber(), RevocationReason.CA_COMPROMISE)));
        HttpResponse<String> source = api("POST", "/api/v1/crl-sources", new JsonObject().put("url", crl.url())
            .put("issuerPem", Pem.encode(customerRoot.certificate())).put("refreshSeconds", 3600));
        assertThat(source.statusCode()).as(source.body()).isEqualTo(201);
        String id = new JsonObject(source.body()).getString("id");
        assertThat(api("POST", "/api/v1/crl-sources/" + id + "/refresh", null).statusCode()).isEqualTo(200);
        // THEN the live session is dropped within seconds
        listening.ended(Duration.ofSeconds(10));
        // AND a new connection is refused
        Mosquitto.Run again = device.tryProvision("r-2");
        assertThat(again.succeeded()).isFalse();
        // AND EST refuses the LDevID: 403 naming the intermediate
        assertThatThrownBy(() -> device.estEnroll(null))
            .isInstanceOfSatisfying(ESTException.class, e -> assertThat(e.getStatusCode()).isEqualTo(403));
        // AND devices of the other line CA are not affected
        Device other = device("gw-line1-ok", line.device("gw-line1-ok"), line);
        assertThat(other.provision("r-1").getString("status")).isEqualTo("provisioned");
      } finally {
        Await.result(vertx.close());
      }
    }
  }

  // ---- revocation evasion (attack 2 of the trust kernel issue) ----

  @Test
  void selfSignedCertificateWithTheIssuingCasNameDoesNotEvadeRevocation() throws Exception {
    // GIVEN an enrolled device
    Device device = device("gw-evader", line.device("gw-evader"), line);
    JsonObject answer = device.provision("r-1");
    Operational operational = device.enroll(answer.getJsonObject("config"));
    // AND a self-signed certificate bearing the platform issuing CA's name, sent after its own
    X509Certificate fakeIssuer = new TestChains.Ca(node.platform().pki().issuingCertificate(), null).forgery()
        .certificate();
    try (Mosquitto.Running session = mosquitto.start("mosquitto_sub", args(operational.login(List.of(fakeIssuer)),
        "-V", "mqttv311", "-q", "1", "-t", "devices/gw-evader/commands/#"))) {
      Thread.sleep(1500);
      assertThat(session.alive()).as("connected with the extra certificate").isTrue();
      // WHEN its certificate is revoked for key compromise
      HttpResponse<String> revoked = api("POST", "/api/v1/certificates/" + operational.serial() + "/revoke",
          new JsonObject().put("reason", "keyCompromise"));
      assertThat(revoked.statusCode()).as(revoked.body()).isEqualTo(200);
      // THEN the session is dropped, and the same chain is refused afterwards
      session.ended(Duration.ofSeconds(10));
      assertThat(operational.publish(List.of(fakeIssuer)).succeeded()).isFalse();
    }
  }

  // ---- weak certificates ----

  @Test
  void ldevidWithAWeakKeyOrSha1SignatureIsRefusedAtTheProvisioningListener() throws Exception {
    // (mosquitto's OpenSSL at Debian's security level will not even send such certificates, so these are
    // the JDK's TLS client through vertx-mqtt, which does)
    Map<String, TestChains.Leaf> weak = Map.of(
        "gw-rsa1024", line.device("gw-rsa1024", TestChains.rsa(1024), "SHA256withECDSA"),
        "gw-sha1", line.device("gw-sha1", TestChains.ec("secp256r1"), "SHA1withECDSA"));
    Vertx vertx = Vertx.vertx();
    try {
      for (Map.Entry<String, TestChains.Leaf> entry : weak.entrySet()) {
        // GIVEN a registered device whose LDevID is weak
        Device device = device(entry.getKey(), entry.getValue(), line);
        // WHEN it connects to the provisioning listener
        ProvisioningCredentials factory = node.platform().pki().provisioningCredentials();
        MqttClientOptions options = new MqttClientOptions().setClientId(device.id).setUsername(factory.username())
            .setPassword(factory.password());
        options.setSsl(true).setHostnameVerificationAlgorithm("HTTPS")
            .setKeyCertOptions(new PemKeyCertOptions().setCertPath(device.chainFile.toString())
                .setKeyPath(device.keyFile.toString()))
            .setTrustOptions(new PemTrustOptions().addCertPath(rootPem.toString()));
        Throwable failure = Await.failure(MqttClient.create(vertx, options).connect(provisioningPort(), "localhost"));
        // THEN CONNACK "not authorized", and it is not provisioned
        assertThat(failure).as(entry.getKey()).hasRootCauseInstanceOf(MqttConnectionException.class);
        assertThat(((MqttConnectionException) rootCause(failure)).code())
            .isEqualTo(MqttConnectReturnCode.CONNECTION_REFUSED_NOT_AUTHORIZED);
        assertThat(api("GET", "/api/v1/devices/" + entry.getKey(), null).statusCode()).isEqualTo(404);
      }
    } finally {
      Await.result(vertx.close());
    }
  }

  // ---- a foreign CA's certificate with a bound device's id ----

  @Test
  void answerForOneLdevidNeverReachesAnotherCertificateWithTheSameDeviceId() throws Exception {
    // GIVEN another customer's CA, also trusted for LDevIDs
    TestChains.Ca otherCustomer = TestChains.root("Other Customer Root");
    HttpResponse<String> anchor = api("POST", "/api/v1/trust-anchors", new JsonObject().put("name", "other customer")
        .put("purpose", "ldevid").put("pem", Pem.encode(otherCustomer.certificate())));
    assertThat(anchor.statusCode()).as(anchor.body()).isEqualTo(201);
    // AND a device waiting for an operator's approval (manual enrollment), gone offline after its "pending"
    HttpResponse<String> enrolled = api("POST", "/api/v1/enrollments", new JsonObject().put("deviceId", "gw-waiting")
        .put("approval", "manual"));
    assertThat(enrolled.statusCode()).as(enrolled.body()).isEqualTo(201);
    Device device = new Device("gw-waiting", line.device("gw-waiting"), line, tmp.resolve("gw-waiting"));
    assertThat(device.provision("r-1").getString("status")).isEqualTo("pending");
    // AND an attacker whose certificate from the other CA carries the same device id, listening on its
    // response topic
    TestChains.Ca otherLine = otherCustomer.intermediate("Other Line CA");
    Device attacker = new Device("gw-waiting", otherLine.device("gw-waiting"), otherLine, tmp.resolve("gw-waiting-x"));
    try (Mosquitto.Running listening = mosquitto.start("mosquitto_sub", args(attacker.provisioningLogin(), "-V",
        "mqttv311", "-q", "1", "-t", "zto/v1/gw-waiting/provision/response", "-C", "1", "-W", "6"))) {
      Thread.sleep(1500);
      assertThat(listening.alive()).as("the attacker is connected").isTrue();
      // WHEN the operator approves the device's request
      String id = awaitPending("gw-waiting");
      HttpResponse<String> approved = api("POST", "/api/v1/provisioning-requests/" + id + "/approve", new JsonObject());
      assertThat(approved.statusCode()).as(approved.body()).isIn(200, 204);
      // THEN the answer with the secrets does not reach the attacker's session
      Mosquitto.Run heard = listening.ended(Duration.ofSeconds(20));
      assertThat(heard.out()).doesNotContain("provisioned").doesNotContain("password");
    }
    // AND the device gets it when it asks again with its requestId
    JsonObject answer = device.provision("r-1");
    assertThat(answer.getString("status")).isEqualTo("provisioned");
    // AND EST refuses the attacker's certificate for the bound device id, whatever challenge it sends
    Path out = tmp.resolve("gw-waiting-x/est.out");
    Mosquitto.Run est = curl(attacker, answer.getJsonObject("config").getJsonObject("est").getString("challengePassword"),
        out);
    assertThat(est.out()).startsWith("403");
    assertThat(Files.readString(out)).contains("bound to another LDevID");
    // AND the device itself enrolls
    assertThat(device.enroll(answer.getJsonObject("config")).certificate).isNotNull();
  }

  /** simpleenroll with curl and openssl as the TLS client; the status on stdout, the body in {@code out}. */
  private Mosquitto.Run curl(Device device, String challenge, Path out) throws Exception {
    KeyPair key = TestChains.ec("secp256r1");
    byte[] csr = BcEst.csr(key, device.id, challenge).getEncoded();
    Path csrFile = Files.writeString(out.resolveSibling("csr.b64"), java.util.Base64.getEncoder().encodeToString(csr));
    return mosquitto.run(RUN, "curl", List.of("-s", "-o", out.toString(), "-w", "%{http_code}", "--cacert",
        rootPem.toString(), "--cert", device.chainFile.toString(), "--key", device.keyFile.toString(),
        "-H", "Content-Type: application/pkcs10", "--data-binary", "@" + csrFile,
        "https://localhost:" + estPort() + "/.well-known/est/simpleenroll"));
  }

  private String awaitPending(String deviceId) throws Exception {
    for (int i = 0; i < 100; i++) {
      io.vertx.core.json.JsonArray items = new JsonObject(api("GET", "/api/v1/provisioning-requests?status=pending",
          null).body()).getJsonArray("items");
      for (int j = 0; j < items.size(); j++) {
        if (deviceId.equals(items.getJsonObject(j).getString("deviceId"))) {
          return items.getJsonObject(j).getString("id");
        }
      }
      Thread.sleep(100);
    }
    throw new AssertionError(deviceId + " never waited for approval");
  }

  // ---- re-enrollment under another name ----

  @Test
  void reenrollmentForAnotherDevicesNameIsRefused() throws Exception {
    // GIVEN two enrolled devices
    Device mallory = device("gw-mallory", line.device("gw-mallory"), line);
    Operational malloryCert = mallory.enroll(mallory.provision("r-1").getJsonObject("config"));
    Device alice = device("gw-alice", line.device("gw-alice"), line);
    alice.enroll(alice.provision("r-1").getJsonObject("config"));
    int aliceCertificates = certificatesOf("gw-alice");
    // WHEN mallory re-enrolls with its own certificate and a CSR naming alice
    KeyPair next = TestChains.ec("secp256r1");
    assertThatThrownBy(() -> BcEst.service(rootPem, estPort(), null, malloryCert.key,
            List.of(malloryCert.certificate, node.platform().pki().issuingCertificate()))
        .simpleEnroll(true, BcEst.csr(next, "gw-alice", null), null))
        // THEN refused, and alice has no new certificate
        .isInstanceOfSatisfying(ESTException.class, e -> assertThat(e.getStatusCode()).isBetween(400, 403));
    assertThat(certificatesOf("gw-alice")).isEqualTo(aliceCertificates);
  }

  // ---- the steps of a device, through real clients ----

  /** A customer device: its LDevID, the CA that issued it (sent in the TLS chain), files for the clients. */
  private final class Device {
    final String id;
    final TestChains.Leaf ldevid;
    final List<X509Certificate> chain;
    final Path chainFile;
    final Path keyFile;

    Device(String id, TestChains.Leaf ldevid, TestChains.Ca issuer, Path dir) throws Exception {
      this.id = id;
      this.ldevid = ldevid;
      this.chain = List.of(ldevid.certificate(), issuer.certificate());
      Files.createDirectories(dir);
      this.chainFile = Files.writeString(dir.resolve("ldevid-chain.pem"), Pem.encode(chain));
      this.keyFile = Files.writeString(dir.resolve("ldevid-key.pem"), Pem.encode(ldevid.keyPair().getPrivate()));
    }

    List<String> provisioningLogin() {
      ProvisioningCredentials factory = node.platform().pki().provisioningCredentials();
      return mosquitto.login(provisioningPort(), chainFile, keyFile, id, factory.username(), factory.password());
    }

    List<String> login(int port, String clientId, String username, String password) {
      return mosquitto.login(port, chainFile, keyFile, clientId, username, password);
    }

    Mosquitto.Run tryProvision(String requestId) throws Exception {
      return mosquitto.run(RUN, "mosquitto_rr", args(provisioningLogin(), "-q", "1", "-W", "20",
          "-t", "zto/v1/" + id + "/provision/request", "-e", "zto/v1/" + id + "/provision/response",
          "-m", new JsonObject().put("requestId", requestId).encode()));
    }

    /** The answer to a provisioning request made with mosquitto_rr. */
    JsonObject provision(String requestId) throws Exception {
      Mosquitto.Run run = tryProvision(requestId);
      assertThat(run.succeeded()).as("mosquitto_rr: " + run.err()).isTrue();
      return new JsonObject(run.out().strip());
    }

    X509Certificate estEnroll(String challenge) throws Exception {
      return single(BcEst.service(rootPem, estPort(), null, ldevid.keyPair().getPrivate(), chain)
          .simpleEnroll(false, BcEst.csr(TestChains.ec("secp256r1"), id, challenge), null));
    }

    /** simpleenroll with Bouncy Castle's EST client and the LDevID chain; the operational identity. */
    Operational enroll(JsonObject config) throws Exception {
      KeyPair operationalKey = TestChains.ec("secp256r1");
      X509Certificate certificate = single(BcEst.service(rootPem, estPort(), null, ldevid.keyPair().getPrivate(), chain)
          .simpleEnroll(false, BcEst.csr(operationalKey, id, config.getJsonObject("est").getString("challengePassword")),
              null));
      JsonObject mqtt = config.getJsonObject("mqtt");
      return new Operational(id, certificate, operationalKey.getPrivate(), mqtt.getString("username"),
          mqtt.getString("password"), tmp.resolve(id));
    }
  }

  private Device device(String id, TestChains.Leaf ldevid, TestChains.Ca issuer) throws Exception {
    HttpResponse<String> enrolled = api("POST", "/api/v1/enrollments", new JsonObject().put("deviceId", id)
        .put("approval", "auto"));
    assertThat(enrolled.statusCode()).as(enrolled.body()).isEqualTo(201);
    return new Device(id, ldevid, issuer, tmp.resolve(id));
  }

  /** A device's operational certificate and credentials. */
  private final class Operational {
    final String id;
    final X509Certificate certificate;
    final PrivateKey key;
    final String username;
    final String password;
    final Path dir;

    Operational(String id, X509Certificate certificate, PrivateKey key, String username, String password, Path dir) {
      this.id = id;
      this.certificate = certificate;
      this.key = key;
      this.username = username;
      this.password = password;
      this.dir = dir;
    }

    String serial() {
      return certificate.getSerialNumber().toString(16);
    }

    String challengeFree() {
      return null;
    }

    /** The login of this device on the operational listener, presenting {@code extra} after its certificate. */
    List<String> login(List<X509Certificate> extra) throws Exception {
      List<X509Certificate> presented = new ArrayList<>();
      presented.add(certificate);
      presented.addAll(extra);
      Path chainFile = Files.writeString(dir.resolve("operational-" + extra.size() + ".pem"), Pem.encode(presented));
      Path keyFile = Files.writeString(dir.resolve("operational-key.pem"), Pem.encode(key));
      return mosquitto.login(operationalPort(), chainFile, keyFile, id, username, password);
    }

    Mosquitto.Run publish(List<X509Certificate> extra) throws Exception {
      return mosquitto.run(RUN, "mosquitto_pub", args(login(extra), "-V", "mqttv311", "-q", "1",
          "-t", "devices/" + id + "/telemetry", "-m", "{\"t\":1}"));
    }
  }

  // ---- plumbing ----

  private static List<String> args(List<String> login, String... more) {
    List<String> all = new ArrayList<>(login);
    all.addAll(List.of(more));
    return all;
  }

  private static Throwable rootCause(Throwable failure) {
    Throwable cause = failure;
    while (cause.getCause() != null) {
      cause = cause.getCause();
    }
    return cause;
  }

  private static X509Certificate single(EnrollmentResponse response) throws Exception {
    X509CertificateHolder[] certificates = response.getStore().getMatches(null).toArray(X509CertificateHolder[]::new);
    return new JcaX509CertificateConverter().getCertificate(certificates[0]);
  }

  private int certificatesOf(String deviceId) throws Exception {
    HttpResponse<String> listed = api("GET", "/api/v1/certificates?deviceId=" + deviceId, null);
    return new JsonObject(listed.body()).getJsonArray("items").size();
  }

  private int provisioningPort() {
    return node.platform().config().mqtt().provisioning().port();
  }

  private int operationalPort() {
    return node.platform().config().mqtt().operational().port();
  }

  private int estPort() {
    return node.platform().config().est().port();
  }

  private HttpResponse<String> api(String method, String path, JsonObject body) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.httpPort() + path))
        .header("Authorization", "Bearer " + token).timeout(Duration.ofSeconds(30))
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
            : HttpRequest.BodyPublishers.ofString(body.encode()));
    if (body != null) {
      request.header("Content-Type", "application/json");
    }
    return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static int freePort() throws Exception {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }
}
