package io.zto.deploy.est;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.zto.deploy.est.EstTestNode.ProvisionedDevice;
import io.zto.shared.domain.CrlSource;
import io.zto.shared.domain.Device;
import io.zto.shared.domain.RevocationReason;
import io.zto.shared.pki.Fingerprints;
import io.zto.shared.store.CrlSourceRepository;
import io.zto.shared.pki.CsrBuilder;
import io.zto.shared.pki.KeyPairs;
import io.zto.shared.store.DeviceRepository;
import io.zto.shared.testing.Await;
import io.zto.shared.testing.DeviceIdentities;
import io.zto.shared.testing.DeviceIdentity;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Who may enroll, with what, and what the audit log keeps of it. */
class EstEnrollmentRulesTest {

  @TempDir
  static Path dataDir;

  private static EstTestNode node;

  @BeforeAll
  static void startNode() {
    node = EstTestNode.start(dataDir, null, new JsonArray().add(new JsonObject().put("name", "short").put("validity", "1h")));
  }

  @AfterAll
  static void stopNode() {
    if (node != null) {
      node.close();
    }
  }

  @Test
  void basicCredentialsSentUpFrontAreAccepted() {
    // GIVEN a provisioned device whose CSR carries no challenge
    ProvisionedDevice device = node.provision("rules-basic-1");
    // WHEN it sends deviceId:challenge as HTTP Basic with the first request
    HttpResponse<String> response = https(device).post("/simpleenroll", csr(KeyPairs.ecP256(), device.deviceId(), null),
        "Authorization", EstHttps.basic(device.deviceId(), device.challenge()));
    // THEN it is enrolled
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    assertThat(response.headers().firstValue("Content-Type")).contains("application/pkcs7-mime; smime-type=certs-only");
  }

  @Test
  void otpChallengeOfRfc7894IsAccepted() {
    // GIVEN a CSR carrying the challenge as otpChallenge
    ProvisionedDevice device = node.provision("rules-otp-1");
    KeyPair key = KeyPairs.ecP256();
    PKCS10CertificationRequest csr = new CsrBuilder(key).commonName(device.deviceId()).otpChallenge(device.challenge()).build();
    // WHEN it enrolls THEN it gets its certificate
    assertThat(https(device).post("/simpleenroll", csr).statusCode()).isEqualTo(200);
  }

  @Test
  void noChallengeAnswers401WithABasicChallenge() {
    // GIVEN a CSR without a challenge and no credentials
    ProvisionedDevice device = node.provision("rules-nochallenge-1");
    // WHEN it enrolls
    HttpResponse<String> response = https(device).post("/simpleenroll", csr(KeyPairs.ecP256(), device.deviceId(), null));
    // THEN the server asks for Basic credentials and says why
    assertThat(response.statusCode()).isEqualTo(401);
    assertThat(response.headers().firstValue("WWW-Authenticate")).contains("Basic realm=\"zto-est\"");
    assertThat(response.headers().firstValue("Zto-Reason").orElseThrow()).contains("challenge is missing");
  }

  @Test
  void csrForAnotherDeviceIs400() {
    // GIVEN a device asking for a certificate in another device's name
    ProvisionedDevice device = node.provision("rules-cn-1");
    // WHEN it enrolls THEN 400 names both ids
    HttpResponse<String> response = https(device).post("/simpleenroll", csr(KeyPairs.ecP256(), "someone-else", device.challenge()));
    assertThat(response.statusCode()).isEqualTo(400);
    assertThat(response.headers().firstValue("Content-Type")).contains("text/plain; charset=utf-8");
    assertThat(response.body()).contains("'someone-else'", "rules-cn-1");
  }

  @Test
  void disabledDeviceIsRefusedAndTheRefusalIsAudited() {
    // GIVEN a provisioned device an operator disabled
    ProvisionedDevice device = node.provision("rules-disabled-1");
    Await.result(new DeviceRepository(node.node.platform().db()).setState(device.deviceId(), Device.State.DISABLED, Instant.now()));
    // WHEN it enrolls
    HttpResponse<String> response = https(device).post("/simpleenroll", csr(KeyPairs.ecP256(), device.deviceId(), device.challenge()));
    // THEN 403 says it is disabled
    assertThat(response.statusCode()).isEqualTo(403);
    assertThat(response.body()).contains("disabled");
    // AND the audit log has the refusal with the device and the reason
    JsonObject event = new JsonObject(node.api("GET", "/api/v1/audit?subject=rules-disabled-1", null).body())
        .getJsonArray("items").getJsonObject(0);
    assertThat(event.getString("action")).isEqualTo("est.simpleenroll");
    assertThat(event.getString("outcome")).isEqualTo("refused");
    assertThat(event.getString("reason")).contains("disabled");
  }

  @Test
  void ldevidOfAnUntrustedCaIsRefused() {
    // GIVEN a device whose LDevID comes from a CA nobody registered
    DeviceIdentity stranger = DeviceIdentities.create().ldevid("rules-stranger-1");
    Await.result(new DeviceRepository(node.node.platform().db()).upsert(Device.seen("rules-stranger-1", "default",
        Device.State.PROVISIONED)));
    // WHEN it enrolls THEN 403 says the chain is not trusted
    HttpResponse<String> response = new EstHttps(node, stranger.key(), stranger.chain())
        .post("/simpleenroll", csr(KeyPairs.ecP256(), "rules-stranger-1", node.newChallenge("rules-stranger-1")));
    assertThat(response.statusCode()).isEqualTo(403);
    assertThat(response.body()).contains("does not chain to a trusted CA");
  }

  @Test
  void ldevidListedByItsCasCrlIsRefused() {
    // GIVEN a provisioned device whose LDevID its customer CA has revoked (an external CRL source's entry)
    ProvisionedDevice device = node.provision("rules-crl-1");
    CrlSourceRepository sources = new CrlSourceRepository(node.node.platform().db());
    CrlSource source = Await.result(sources.create(CrlSource.create("http://crl.example/customer.crl",
        node.identities.ldevidCaPem(), Fingerprints.sha256(node.identities.ldevidCa()), 3600,
        CrlSource.StalePolicy.KEEP_LAST)));
    Await.result(sources.replaceEntries(source.id(), new CrlSource.FetchState(null, null, "1", null, Instant.now(),
            Instant.now().plusSeconds(3600), Instant.now()),
        List.of(new CrlSource.Entry(device.ldevid().certificate().getSerialNumber().toString(16), Instant.now(),
            RevocationReason.KEY_COMPROMISE))));
    // WHEN it enrolls THEN 403 says its LDevID is revoked
    HttpResponse<String> response = https(device).post("/simpleenroll",
        csr(KeyPairs.ecP256(), device.deviceId(), device.challenge()));
    assertThat(response.statusCode()).isEqualTo(403);
    assertThat(response.body()).contains("is refused: listed by the CRL of its issuer");
  }

  @Test
  void unprovisionedDeviceIsRefused() {
    // GIVEN a device with a valid LDevID that never provisioned
    DeviceIdentity unknown = node.identities.ldevid("rules-unknown-1");
    // WHEN it enrolls THEN 403 tells it to provision first
    HttpResponse<String> response = new EstHttps(node, unknown.key(), unknown.chain())
        .post("/simpleenroll", csr(KeyPairs.ecP256(), "rules-unknown-1", "whatever-challenge"));
    assertThat(response.statusCode()).isEqualTo(403);
    assertThat(response.body()).contains("not known", "provisioned");
  }

  @Test
  void twoConcurrentRequestsWithOneChallengeAndDifferentKeysGetOneCertificate() {
    // GIVEN one challenge WHEN two requests with different keys race for it
    ProvisionedDevice device = node.provision("rules-race-1");
    EstHttps https = https(device);
    List<CompletableFuture<Integer>> racing = List.of(KeyPairs.ecP256(), KeyPairs.ecP256()).stream()
        .map(key -> CompletableFuture.supplyAsync(() -> https.post("/simpleenroll",
            csr(key, device.deviceId(), device.challenge())).statusCode()))
        .toList();
    // THEN exactly one is issued and the other refused
    assertThat(racing.stream().map(CompletableFuture::join).toList()).containsExactlyInAnyOrder(200, 403);
  }

  @Test
  void concurrentRetriesWithOneKeyAndChallengeGetTheSameSingleCertificate() {
    // GIVEN one challenge WHEN the same CSR is sent four times at once (a client retrying impatiently)
    ProvisionedDevice device = node.provision("rules-retry-race-1");
    EstHttps https = https(device);
    PKCS10CertificationRequest csr = csr(KeyPairs.ecP256(), device.deviceId(), device.challenge());
    List<CompletableFuture<HttpResponse<String>>> racing = java.util.stream.IntStream.range(0, 4)
        .mapToObj(i -> CompletableFuture.supplyAsync(() -> https.post("/simpleenroll", csr))).toList();
    List<HttpResponse<String>> responses = racing.stream().map(CompletableFuture::join).toList();
    // THEN every one gets the same certificate
    assertThat(responses).allSatisfy(r -> assertThat(r.statusCode()).as(r.body()).isEqualTo(200));
    assertThat(responses.stream().map(HttpResponse::body).distinct()).hasSize(1);
    // AND the device has exactly one valid certificate
    JsonArray items = new JsonObject(node.api("GET", "/api/v1/certificates?deviceId=rules-retry-race-1", null).body())
        .getJsonArray("items");
    assertThat(items.stream().map(JsonObject.class::cast).filter(c -> c.getString("status").equals("valid"))).hasSize(1);
  }

  @Test
  void labelSelectsTheProfileValidity() throws Exception {
    // GIVEN the label "short" with a one-hour validity
    ProvisionedDevice device = node.provision("rules-short-1");
    // WHEN the device enrolls under it
    HttpResponse<String> response = https(device).post("/short/simpleenroll",
        csr(KeyPairs.ecP256(), device.deviceId(), device.challenge()));
    assertThat(response.statusCode()).isEqualTo(200);
    // THEN the certificate lasts an hour, and the API lists it with the profile
    JsonObject listed = new JsonObject(node.api("GET", "/api/v1/certificates?deviceId=rules-short-1", null).body())
        .getJsonArray("items").getJsonObject(0);
    assertThat(listed.getString("profile")).isEqualTo("short");
    assertThat(Instant.parse(listed.getString("notAfter"))).isBefore(Instant.now().plusSeconds(3700));
  }

  @Test
  void wrongMethodUnknownOperationAndUnknownLabelAreExplained() {
    EstHttps https = new EstHttps(node, null, null);
    // WHEN a client GETs simpleenroll, asks for an unknown operation, or uses an unknown label
    HttpResponse<String> method = https.get("/simpleenroll");
    HttpResponse<String> operation = https.get("/nothing");
    HttpResponse<String> label = https.get("/nolabel/cacerts");
    // THEN 405 with Allow, and 404 with a text reason
    assertThat(method.statusCode()).isEqualTo(405);
    assertThat(method.headers().firstValue("Allow")).contains("POST");
    assertThat(operation.statusCode()).isEqualTo(404);
    assertThat(operation.body()).contains("simpleenroll");
    assertThat(label.statusCode()).isEqualTo(404);
    assertThat(label.body()).contains("No EST label 'nolabel'");
  }

  private static EstHttps https(ProvisionedDevice device) {
    return new EstHttps(node, device.ldevid().key(), device.ldevid().chain());
  }

  private static PKCS10CertificationRequest csr(KeyPair key, String cn, String challenge) {
    try {
      return BcEst.csr(key, cn, challenge);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
