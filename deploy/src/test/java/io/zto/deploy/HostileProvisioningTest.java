package io.zto.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSObject;
import com.nimbusds.jose.Payload;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.util.Base64;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.zto.deploy.est.BcEst;
import io.zto.shared.config.ZtoConfig;
import io.zto.shared.pki.Fingerprints;
import io.zto.shared.pki.KeyPairs;
import io.zto.shared.pki.Pem;
import io.zto.shared.store.CredentialRepository;
import io.zto.shared.testing.Await;
import io.zto.shared.testing.DeviceIdentities;
import io.zto.shared.testing.DeviceIdentity;
import java.net.ServerSocket;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPrivateKey;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.est.EnrollmentResponse;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 13's attacks on provisioning, on the wire: one node, configured through the operator API, and
 * devices played by {@code mosquitto_rr} (Debian's mosquitto clients: MQTT 5 over TLS with the LDevID,
 * subscribe to the response topic, publish the request, print the answer). A foreign CA's certificate
 * for a provisioned device and a copied IDevID win nothing; a three-level customer chain provisions; a
 * device moved to a new LDevID by an operator's approval gets its config.
 */
class HostileProvisioningTest {

  private static final long CLIENT_TIMEOUT_SECONDS = 30;

  @TempDir
  Path tmp;

  private Node node;
  private OperatorClient operator;
  private int provisioningPort;
  private JsonObject credentials;

  @BeforeEach
  void start() throws Exception {
    provisioningPort = freePort();
    node = Await.result(Node.start(ZtoConfig.of(Map.of("dataDir", tmp.resolve("zto-data").toString(),
        "http.port", Integer.toString(freePort()), "est.port", Integer.toString(freePort()),
        "mqtt.operational.port", Integer.toString(freePort()), "mqtt.provisioning.port",
        Integer.toString(provisioningPort)))));
    operator = new OperatorClient("http://127.0.0.1:" + node.httpPort(),
        Files.readString(tmp.resolve("zto-data/admin-token")).strip());
    credentials = new JsonObject(Files.readString(tmp.resolve("zto-data/provisioning-credentials.json")));
  }

  @AfterEach
  void stop() {
    if (node != null) {
      Await.result(node.stop());
    }
  }

  @Test
  void anotherCustomersCaWinsNothingOfAProvisionedDeviceUntilAnOperatorMovesIt() throws Exception {
    // GIVEN customers A and B, both trusted for LDevIDs (one tenant: only the binding stands between them),
    // and A's gw-a1 enrolled by device id and provisioned over the provisioning listener
    DeviceIdentities customerA = DeviceIdentities.create();
    DeviceIdentities customerB = DeviceIdentities.create();
    String anchorA = anchor("customer-a", "ldevid", customerA.ldevidCa(), null);
    String anchorB = anchor("customer-b", "ldevid", customerB.ldevidCa(), null);
    enroll(new JsonObject().put("deviceId", "gw-a1").put("approval", "auto"));
    DeviceIdentity victim = customerA.ldevid("gw-a1");
    JsonObject first = provision(victim, List.of(victim.certificate()), request("r-1"));
    assertThat(first.getString("status")).as(first.encode()).isEqualTo("provisioned");
    String password = first.getJsonObject("config").getJsonObject("mqtt").getString("password");
    JsonObject victimRow = device("gw-a1");
    assertThat(victimRow.getJsonObject("binding").getString("trustAnchor")).isEqualTo(anchorA);
    // WHEN customer B's CA issues a certificate for gw-a1 and it asks over the listener
    DeviceIdentity intruder = customerB.ldevid("gw-a1");
    JsonObject attack = provision(intruder, List.of(intruder.certificate()), request("r-evil"));
    // THEN it is held for an operator, saying why, without a config
    assertThat(attack.getString("status")).as(attack.encode()).isEqualTo("pending");
    assertThat(attack.getString("reason")).startsWith("another CA").contains("customer-b");
    assertThat(attack.containsKey("config")).isFalse();
    // AND repeating the victim's requestId (no secret) does not replay the victim's answer to it
    JsonObject replayed = provision(intruder, List.of(intruder.certificate()), request("r-1"));
    assertThat(replayed.getString("status")).as(replayed.encode()).isEqualTo("rejected");
    assertThat(replayed.containsKey("config")).isFalse();
    // AND the victim is untouched: the same device record (now showing the request waiting), its password
    // still the valid one
    JsonObject after = device("gw-a1");
    assertThat(after.remove("pending")).isNotNull();
    assertThat(after).isEqualTo(victimRow);
    String hash = Await.result(new CredentialRepository(node.platform().db()).get("gw-a1")).orElseThrow().passwordHash();
    assertThat(node.platform().pki().randomSecrets().verify(password, hash)).isTrue();
    // AND the approval queue shows the held request with its reason and the anchor it came with
    JsonObject held = pending("gw-a1");
    assertThat(held.getString("reason")).startsWith("another CA");
    assertThat(held.getString("trustAnchor")).isEqualTo(anchorB);
    // WHEN an operator approves the move (positive control: the device moved to a new LDevID onboards)
    assertThat(operator.api("POST", "/api/v1/provisioning-requests/" + held.getString("id") + "/approve", null, null)
        .statusCode()).isEqualTo(200);
    // THEN asking again with that requestId gives it its config, and it is bound to B's anchor and LDevID
    JsonObject moved = provision(intruder, List.of(intruder.certificate()), request("r-evil"));
    assertThat(moved.getString("status")).as(moved.encode()).isEqualTo("provisioned");
    assertThat(moved.getJsonObject("config").getString("deviceId")).isEqualTo("gw-a1");
    JsonObject binding = device("gw-a1").getJsonObject("binding");
    assertThat(binding.getString("trustAnchor")).isEqualTo(anchorB);
    assertThat(binding.getString("ldevidFingerprint")).isEqualTo(Fingerprints.sha256(intruder.certificate()));
    // AND it onboards: enrolls over EST with the new LDevID (Bouncy Castle's EST client) and connects
    onboard(intruder, moved.getJsonObject("config"));
    // AND the old LDevID is now the one held
    assertThat(provision(victim, List.of(victim.certificate()), request("r-2")).getString("status"))
        .isEqualTo("pending");
  }

  @Test
  void aCopiedIdevidWinsNothingButAProofWithItsKeyProvisions() throws Exception {
    // GIVEN a customer CA and a manufacturer CA trusted, and an enrollment keyed by an IDevID serial
    DeviceIdentities pki = DeviceIdentities.create();
    anchor("customer", "ldevid", pki.ldevidCa(), null);
    anchor("manufacturer", "idevid", pki.idevidCa(), null);
    DeviceIdentity idevid = pki.idevid("SN-77", "HW-77");
    enroll(new JsonObject().put("idevidSerial", "SN-77").put("approval", "auto"));
    // WHEN an intruder pastes the real device's public IDevID PEM into its request (issue 13, attack 3)
    DeviceIdentity intruder = pki.ldevid("gw-x");
    JsonObject copied = provision(intruder, List.of(intruder.certificate()),
        request("r-1").put("idevid", idevid.certificatePem()));
    // THEN it is rejected and told a bare PEM is no evidence
    assertThat(copied.getString("status")).as(copied.encode()).isEqualTo("rejected");
    assertThat(copied.getString("reason")).contains("unknown device", "not evidence", "idevidProof");
    // WHEN the real device proves its IDevID for its request and LDevID
    DeviceIdentity real = pki.ldevid("gw-77");
    String proof = proof(idevid, "r-1", "gw-77", real);
    JsonObject proven = provision(real, List.of(real.certificate()), request("r-1").put("idevidProof", proof));
    // THEN it is provisioned under the IDevID enrollment
    assertThat(proven.getString("status")).as(proven.encode()).isEqualTo("provisioned");
    assertThat(device("gw-77").getString("idevidSerial")).isEqualTo("SN-77");
    // AND the intruder replaying that captured proof from its own LDevID is rejected
    JsonObject replayed = provision(intruder, List.of(intruder.certificate()),
        request("r-2").put("idevidProof", proof));
    assertThat(replayed.getString("status")).isEqualTo("rejected");
    assertThat(replayed.getString("reason")).contains("requestId 'r-1' is not this request's 'r-2'");
    assertThat(Await.result(new CredentialRepository(node.platform().db()).get("gw-x"))).isEmpty();
  }

  @Test
  void aThreeLevelCustomerChainProvisionsWithTheIntermediateInTheTlsChain() throws Exception {
    // GIVEN the customer's root trusted for LDevIDs, and a device issued by a line CA under it
    DeviceIdentities root = DeviceIdentities.create();
    DeviceIdentities line = root.underIntermediates("Line 1");
    anchor("customer-root", "ldevid", root.ldevidCa(), "plant-1");
    enroll(new JsonObject().put("deviceId", "gw-line-1").put("approval", "auto").put("tenant", "plant-1"));
    DeviceIdentity device = line.ldevid("gw-line-1");
    // WHEN it presents only its leaf THEN the listener refuses it (no path to the root) and it gets no answer
    Run leafOnly = mosquittoRr(device, List.of(device.certificate()), request("r-0"));
    assertThat(leafOnly.exit()).as(leafOnly.err()).isNotZero();
    assertThat(leafOnly.out()).isBlank();
    // WHEN it presents its leaf and the line CA
    JsonObject answer = provision(device, List.of(device.certificate(), line.ldevidCa()), request("r-1"));
    // THEN it is provisioned in its tenant, bound to the root anchor, its LDevID issued by the line CA
    assertThat(answer.getString("status")).as(answer.encode()).isEqualTo("provisioned");
    assertThat(answer.getJsonObject("config").getString("tenant")).isEqualTo("plant-1");
    JsonObject row = device("gw-line-1");
    assertThat(row.getString("ldevidIssuer")).contains("Line 1 LDevID Line CA");
    assertThat(row.getJsonObject("binding").getString("ldevidFingerprint"))
        .isEqualTo(Fingerprints.sha256(device.certificate()));
  }

  @Test
  void theOperatorApiTakesTenantsOfAnchorsAndTheAnchorOfAnEnrollment() throws Exception {
    DeviceIdentities pki = DeviceIdentities.create();
    // WHEN a trust anchor names a tenant that is not a name THEN 400 saying so
    HttpResponse<String> badTenant = operator.api("POST", "/api/v1/trust-anchors", "application/json",
        new JsonObject().put("name", "x").put("purpose", "ldevid").put("pem", Pem.encode(pki.ldevidCa()))
            .put("tenant", "two words").encode());
    assertThat(badTenant.statusCode()).isEqualTo(400);
    assertThat(badTenant.body()).contains("tenant");
    // GIVEN an ldevid anchor of tenant plant-2 and an idevid anchor
    String ldevid = anchor("plant-2-ca", "ldevid", pki.ldevidCa(), "plant-2");
    String idevid = anchor("maker-ca", "idevid", pki.idevidCa(), null);
    assertThat(OperatorClient.json(operator.api("GET", "/api/v1/trust-anchors/" + ldevid, null, null))
        .getString("tenant")).isEqualTo("plant-2");
    // WHEN an enrollment names the idevid anchor, or one that does not exist THEN 400, nothing stored
    for (String wrong : List.of(idevid, "no-such-anchor")) {
      HttpResponse<String> refused = operator.api("POST", "/api/v1/enrollments", "application/json",
          new JsonObject().put("deviceId", "gw-t1").put("approval", "auto").put("trustAnchor", wrong).encode());
      assertThat(refused.statusCode()).as(refused.body()).isEqualTo(400);
      assertThat(refused.body()).contains("trustAnchor must be the id of a trust anchor of purpose ldevid");
    }
    // WHEN it names the ldevid anchor THEN it is stored naming it, and the anchor cannot be deleted meanwhile
    HttpResponse<String> created = operator.api("POST", "/api/v1/enrollments", "application/json",
        new JsonObject().put("deviceId", "gw-t1").put("approval", "auto").put("trustAnchor", ldevid).encode());
    assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
    assertThat(OperatorClient.json(created).getString("trustAnchor")).isEqualTo(ldevid);
    assertThat(operator.api("DELETE", "/api/v1/trust-anchors/" + ldevid, null, null).statusCode()).isEqualTo(409);
    // AND a CSV import takes the column too
    HttpResponse<String> imported = operator.api("POST", "/api/v1/enrollments:import", "text/csv",
        "deviceId,approval,trustAnchor\ngw-t2,auto," + ldevid + "\ngw-t3,auto,missing\n");
    JsonObject result = OperatorClient.json(imported);
    assertThat(result.getInteger("imported")).as(result.encode()).isEqualTo(1);
    assertThat(result.getJsonArray("errors").getJsonObject(0).getString("message")).contains("'missing'");
  }

  // ---------------------------------------------------------------------------------------------------

  private static JsonObject request(String requestId) {
    return new JsonObject().put("requestId", requestId).put("info", new JsonObject().put("fw", "1.0"));
  }

  /** The answer mosquitto_rr printed for the request. */
  private JsonObject provision(DeviceIdentity device, List<X509Certificate> tlsChain, JsonObject request)
      throws Exception {
    Run run = mosquittoRr(device, tlsChain, request);
    assertThat(run.exit()).as(run.err()).isZero();
    return new JsonObject(run.out().strip());
  }

  private record Run(int exit, String out, String err) {}

  /**
   * The rest of onboarding with a provisioned config: simpleenroll with the LDevID and the challenge, then
   * a QoS 1 publish on the operational listener with the new certificate (mosquitto_pub), which must succeed.
   */
  private void onboard(DeviceIdentity ldevid, JsonObject config) throws Exception {
    String id = config.getString("deviceId");
    Path root = tmp.resolve("zto-data/root-ca.pem");
    KeyPair key = KeyPairs.ecP256();
    EnrollmentResponse enrolled = BcEst.service(root, node.platform().config().est().port(), null, ldevid.key(),
            List.of(ldevid.certificate()))
        .simpleEnroll(false, BcEst.csr(key, id, config.getJsonObject("est").getString("challengePassword")), null);
    X509CertificateHolder issued = enrolled.getStore().getMatches(null).iterator().next();
    Path dir = Files.createTempDirectory(tmp, id + "-operational");
    Path certificate = Files.writeString(dir.resolve("cert.pem"),
        Pem.encode(new JcaX509CertificateConverter().getCertificate(issued)));
    Path keyFile = Files.writeString(dir.resolve("key.pem"), Pem.encode(key.getPrivate()));
    JsonObject mqtt = config.getJsonObject("mqtt");
    Process publish = new ProcessBuilder("mosquitto_pub", "-V", "mqttv311", "-h", "localhost", "-p",
        Integer.toString(node.platform().config().mqtt().operational().port()), "--cafile", root.toString(),
        "--cert", certificate.toString(), "--key", keyFile.toString(), "-i", mqtt.getString("clientId"),
        "-u", mqtt.getString("username"), "-P", mqtt.getString("password"), "-q", "1",
        "-t", "devices/" + id + "/telemetry", "-m", "{\"t\":1}")
        .redirectErrorStream(true).redirectOutput(dir.resolve("pub.out").toFile()).start();
    if (!publish.waitFor(CLIENT_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
      publish.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
      throw new AssertionError("mosquitto_pub did not finish within " + CLIENT_TIMEOUT_SECONDS + " s");
    }
    assertThat(publish.exitValue()).as(Files.readString(dir.resolve("pub.out"))).isZero();
  }

  private Run mosquittoRr(DeviceIdentity device, List<X509Certificate> tlsChain, JsonObject request) throws Exception {
    String id = io.zto.shared.pki.DeviceIds.fromCertificate(device.certificate()).value();
    Path dir = Files.createTempDirectory(tmp, id);
    Path chain = Files.writeString(dir.resolve("ldevid-chain.pem"), Pem.encode(tlsChain));
    Path key = Files.writeString(dir.resolve("ldevid-key.pem"), device.keyPem());
    Path out = dir.resolve("out");
    Path err = dir.resolve("err");
    List<String> command = new ArrayList<>(List.of("mosquitto_rr", "-V", "mqttv5", "-h", "localhost",
        "-p", Integer.toString(provisioningPort), "--cafile", tmp.resolve("zto-data/root-ca.pem").toString(),
        "--cert", chain.toString(), "--key", key.toString(), "-i", id, "-u", credentials.getString("username"),
        "-P", credentials.getString("password"), "-q", "1", "-t", "zto/v1/" + id + "/provision/request",
        "-e", "zto/v1/" + id + "/provision/response", "-m", request.encode(), "-W", "20"));
    Process process = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
    if (!process.waitFor(CLIENT_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
      process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
      throw new AssertionError("mosquitto_rr did not finish within " + CLIENT_TIMEOUT_SECONDS + " s: "
          + Files.readString(err));
    }
    return new Run(process.exitValue(), Files.readString(out), Files.readString(err));
  }

  private String anchor(String name, String purpose, X509Certificate ca, String tenant) throws Exception {
    JsonObject body = new JsonObject().put("name", name).put("purpose", purpose).put("pem", Pem.encode(ca));
    if (tenant != null) {
      body.put("tenant", tenant);
    }
    HttpResponse<String> created = operator.api("POST", "/api/v1/trust-anchors", "application/json", body.encode());
    assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
    return OperatorClient.json(created).getString("id");
  }

  private void enroll(JsonObject enrollment) throws Exception {
    HttpResponse<String> created = operator.api("POST", "/api/v1/enrollments", "application/json", enrollment.encode());
    assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
  }

  private JsonObject device(String id) throws Exception {
    return OperatorClient.json(operator.api("GET", "/api/v1/devices/" + id, null, null));
  }

  private JsonObject pending(String deviceId) throws Exception {
    JsonArray items = OperatorClient.json(operator.api("GET", "/api/v1/provisioning-requests?status=pending", null,
        null)).getJsonArray("items");
    for (int i = 0; i < items.size(); i++) {
      if (deviceId.equals(items.getJsonObject(i).getString("deviceId"))) {
        return items.getJsonObject(i);
      }
    }
    throw new AssertionError("no pending request of " + deviceId + " in " + items.encode());
  }

  /** An idevidProof as a device makes it: ES256 with the IDevID key, x5c = [IDevID]. */
  private static String proof(DeviceIdentity idevid, String requestId, String deviceId, DeviceIdentity ldevid)
      throws CertificateEncodingException, JOSEException {
    JWSObject jws = new JWSObject(new JWSHeader.Builder(JWSAlgorithm.ES256)
        .x509CertChain(List.of(Base64.encode(idevid.certificate().getEncoded()))).build(),
        new Payload(new JsonObject().put("requestId", requestId).put("deviceId", deviceId)
            .put("ldevidFingerprint", Fingerprints.sha256(ldevid.certificate()))
            .put("iat", Instant.now().getEpochSecond()).encode()));
    jws.sign(new ECDSASigner((ECPrivateKey) idevid.key()));
    return jws.serialize();
  }

  private static int freePort() throws Exception {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }
}
