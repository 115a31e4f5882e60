package io.zto.deploy.est;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.zto.deploy.est.EstTestNode.ProvisionedDevice;
import io.zto.shared.pki.Der;
import io.zto.shared.pki.KeyPairs;
import io.zto.shared.testing.ThrowawayPostgres;
import java.net.http.HttpResponse;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.x9.X9ObjectIdentifiers;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.est.CACertsResponse;
import org.bouncycastle.est.CSRRequestResponse;
import org.bouncycastle.est.ESTException;
import org.bouncycastle.est.ESTService;
import org.bouncycastle.est.EnrollmentResponse;
import org.bouncycastle.est.jcajce.JcaHttpAuthBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import java.nio.file.Path;

/** The EST server as Bouncy Castle's independent EST client (bcpkix) sees it. */
class EstBouncyCastleClientTest {

  @TempDir
  static Path dataDir;

  private static EstTestNode node;

  @BeforeAll
  static void startNode() {
    node = EstTestNode.start(dataDir, null, new JsonArray()
        .add(new JsonObject().put("name", "manual").put("approval", "manual"))
        .add(new JsonObject().put("name", "short").put("validity", "1h")));
  }

  @AfterAll
  static void stopNode() {
    if (node != null) {
      node.close();
    }
  }

  @Test
  void cacertsReturnsTheIssuingCaAndTheRoot() throws Exception {
    // WHEN a client without a certificate asks for the CA certificates
    CACertsResponse response = BcEst.service(node, null, null, null).getCACerts();
    // THEN it gets the issuing CA and the root
    Collection<X509CertificateHolder> certs = response.getCertificateStore().getMatches(null);
    assertThat(certs).hasSize(2);
    assertThat(certs.stream().map(c -> c.getSubject().toString())).anySatisfy(s -> assertThat(s).containsIgnoringCase("root"));
  }

  @Test
  void csrattrsAsksForTheChallengeAndAnEcP256Key() throws Exception {
    // WHEN a client asks which attributes to put into its CSR
    CSRRequestResponse response = BcEst.service(node, null, null, null).getCSRAttributes();
    // THEN challengePassword, EC P-256 and ecdsa-with-SHA256 are requested
    assertThat(response.hasAttributesResponse()).isTrue();
    assertThat(response.getAttributesResponse().getRequirements())
        .contains(PKCSObjectIdentifiers.pkcs_9_at_challengePassword, X9ObjectIdentifiers.id_ecPublicKey,
            X9ObjectIdentifiers.ecdsa_with_SHA256);
  }

  @Test
  void simpleenrollWithLdevidAndChallengeIssuesAnOperationalCertificate() throws Exception {
    // GIVEN a provisioned device
    ProvisionedDevice device = node.provision("bc-enroll-1");
    KeyPair key = KeyPairs.ecP256();
    // WHEN it enrolls with its LDevID and a CSR carrying the challenge
    EnrollmentResponse response = BcEst.service(node, null, device.ldevid().key(), device.ldevid().chain())
        .simpleEnroll(false, BcEst.csr(key, device.deviceId(), device.challenge()), null);
    // THEN it gets a certificate for its key, CN = device id, issued by the platform
    X509Certificate issued = single(response);
    assertThat(issued.getSubjectX500Principal().getName()).isEqualTo("CN=bc-enroll-1");
    assertThat(issued.getPublicKey()).isEqualTo(key.getPublic());
    issued.verify(node.node.platform().pki().issuingCertificate().getPublicKey());
    // AND the operator API lists it
    HttpResponse<String> listed = node.api("GET", "/api/v1/certificates?deviceId=bc-enroll-1", null);
    assertThat(new JsonObject(listed.body()).getJsonArray("items").getJsonObject(0).getString("serial"))
        .isEqualTo(issued.getSerialNumber().toString(16));
  }

  @Test
  void simpleenrollAnswersA401WithBasicAndAcceptsTheChallengeAsBasicCredentials() throws Exception {
    // GIVEN a provisioned device whose CSR carries no challenge
    ProvisionedDevice device = node.provision("bc-basic-1");
    KeyPair key = KeyPairs.ecP256();
    ESTService est = BcEst.service(node, null, device.ldevid().key(), device.ldevid().chain());
    // WHEN it enrolls with Basic credentials, which Bouncy Castle sends only after a 401
    EnrollmentResponse response = est.simpleEnroll(false, BcEst.csr(key, device.deviceId(), null),
        new JcaHttpAuthBuilder("zto-est", device.deviceId(), device.challenge().toCharArray()).build());
    // THEN it is enrolled
    assertThat(single(response).getSubjectX500Principal().getName()).isEqualTo("CN=bc-basic-1");
  }

  @Test
  void simplereenrollWithTheCurrentCertificateIssuesANewOne() throws Exception {
    // GIVEN an enrolled device
    ProvisionedDevice device = node.provision("bc-reenroll-1");
    KeyPair key = KeyPairs.ecP256();
    X509Certificate current = single(BcEst.service(node, null, device.ldevid().key(), device.ldevid().chain())
        .simpleEnroll(false, BcEst.csr(key, device.deviceId(), device.challenge()), null));
    // WHEN it re-enrolls with that certificate and a new key, no challenge
    KeyPair next = KeyPairs.ecP256();
    X509Certificate renewed = single(BcEst.service(node, null, key.getPrivate(),
            List.of(current, node.node.platform().pki().issuingCertificate()))
        .simpleEnroll(true, BcEst.csr(next, device.deviceId(), null), null));
    // THEN it gets a new certificate for the new key with the same subject
    assertThat(renewed.getSerialNumber()).isNotEqualTo(current.getSerialNumber());
    assertThat(renewed.getSubjectX500Principal()).isEqualTo(current.getSubjectX500Principal());
    assertThat(renewed.getPublicKey()).isEqualTo(next.getPublic());
  }

  @Test
  void serverkeygenReturnsAPkcs8KeyThatBouncyCastleParsesAndItsCertificate() throws Exception {
    // GIVEN a provisioned device that cannot make keys
    ProvisionedDevice device = node.provision("bc-keygen-1");
    // WHEN it asks the server to make its key
    EnrollmentResponse response = BcEst.service(node, null, device.ldevid().key(), device.ldevid().chain())
        .simpleEnrollWithServersideCreation(BcEst.csr(KeyPairs.ecP256(), device.deviceId(), device.challenge()), null);
    // THEN it gets a PKCS#8 key and a certificate for that key
    X509Certificate issued = single(response);
    assertThat(response.getPrivateKeyInfo()).isNotNull();
    java.security.PrivateKey privateKey = new JcaPEMKeyConverter().getPrivateKey(response.getPrivateKeyInfo());
    assertThat(KeyPairsMatch.matches(privateKey, issued.getPublicKey())).isTrue();
  }

  @Test
  void manualProfileAnswers202ThenIssuesAfterApproval() throws Exception {
    // GIVEN a device enrolling under a manual-approval label
    ProvisionedDevice device = node.provision("bc-manual-1");
    KeyPair key = KeyPairs.ecP256();
    ESTService est = BcEst.service(node, "manual", device.ldevid().key(), device.ldevid().chain());
    // WHEN it enrolls the first time
    EnrollmentResponse first = est.simpleEnroll(false, BcEst.csr(key, device.deviceId(), device.challenge()), null);
    // THEN it is told to come back later
    assertThat(first.isCompleted()).isFalse();
    assertThat(first.getNotBefore()).isGreaterThan(System.currentTimeMillis());
    // WHEN an operator approves the pending request
    JsonObject pending = new JsonObject(node.api("GET", "/api/v1/est-requests?status=pending", null).body())
        .getJsonArray("items").stream().map(JsonObject.class::cast)
        .filter(r -> r.getString("deviceId").equals("bc-manual-1")).findFirst().orElseThrow();
    assertThat(node.api("POST", "/api/v1/est-requests/" + pending.getString("id") + "/approve", null).statusCode())
        .isEqualTo(200);
    // AND the device retries the same request
    EnrollmentResponse second = est.simpleEnroll(false, BcEst.csr(key, device.deviceId(), device.challenge()), null);
    // THEN it gets its certificate
    assertThat(single(second).getPublicKey()).isEqualTo(key.getPublic());
  }

  @Test
  void unknownLabelIs404() throws Exception {
    // WHEN a client uses a label nobody configured
    // THEN the server answers 404
    assertThatThrownBy(() -> BcEst.service(node, "nope", null, null).getCACerts())
        .isInstanceOf(ESTException.class).satisfies(e -> assertThat(((ESTException) e).getStatusCode()).isEqualTo(404));
  }

  @Test
  void enrollmentWorksOnPostgresql(@TempDir Path otherDir) throws Exception {
    // GIVEN a node on PostgreSQL and a provisioned device
    try (EstTestNode pg = EstTestNode.start(otherDir, ThrowawayPostgres.newDatabase(), null)) {
      ProvisionedDevice device = pg.provision("bc-pg-1");
      KeyPair key = KeyPairs.ecP256();
      // WHEN it enrolls
      X509Certificate issued = single(BcEst.service(pg, null, device.ldevid().key(), device.ldevid().chain())
          .simpleEnroll(false, BcEst.csr(key, device.deviceId(), device.challenge()), null));
      // THEN it is enrolled and the row is stored
      assertThat(issued.getPublicKey()).isEqualTo(key.getPublic());
      assertThat(pg.api("GET", "/api/v1/certificates/" + issued.getSerialNumber().toString(16), null).statusCode())
          .isEqualTo(200);
    }
  }

  private static X509Certificate single(EnrollmentResponse response) {
    assertThat(response.isCompleted()).as("enrollment completed").isTrue();
    X509CertificateHolder[] holders = response.getStore().getMatches(null).toArray(X509CertificateHolder[]::new);
    assertThat(holders).hasSize(1);
    return Der.certificate(holders[0]);
  }

  /** Whether a private key belongs to a public key: sign and verify. */
  private static final class KeyPairsMatch {
    static boolean matches(java.security.PrivateKey privateKey, java.security.PublicKey publicKey) throws Exception {
      byte[] data = "zto".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
      java.security.Signature signer = java.security.Signature.getInstance("SHA256withECDSA");
      signer.initSign(privateKey);
      signer.update(data);
      byte[] signature = signer.sign();
      java.security.Signature verifier = java.security.Signature.getInstance("SHA256withECDSA");
      verifier.initVerify(publicKey);
      verifier.update(data);
      return verifier.verify(signature) && !Arrays.equals(signature, new byte[0]);
    }
  }
}
