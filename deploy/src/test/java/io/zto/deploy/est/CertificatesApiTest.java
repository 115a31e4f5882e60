package io.zto.deploy.est;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.zto.deploy.est.EstTestNode.ProvisionedDevice;
import io.zto.shared.bus.Addresses;
import io.zto.shared.bus.RevocationEvent;
import io.zto.shared.pki.Fingerprints;
import io.zto.shared.pki.KeyPairs;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.security.cert.CertificateFactory;
import java.security.cert.X509CRL;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code GET /api/v1/certificates} and {@code POST /api/v1/certificates/{serial}/revoke} (contract §7, §8). */
class CertificatesApiTest {

  @TempDir
  static Path dataDir;

  private static EstTestNode node;

  @BeforeAll
  static void startNode() {
    node = EstTestNode.start(dataDir, null, null);
  }

  @AfterAll
  static void stopNode() {
    if (node != null) {
      node.close();
    }
  }

  @Test
  void revokingPublishesAnEventReissuesTheCrlAndIsAudited() throws Exception {
    // GIVEN an enrolled device and a listener on the revocation events
    String serial = enroll("api-revoke-1");
    CompletableFuture<RevocationEvent> event = new CompletableFuture<>();
    node.node.vertx().eventBus().<JsonObject>consumer(Addresses.REVOCATION_EVENTS,
        message -> event.complete(RevocationEvent.fromJson(message.body()))).completion()
        .toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
    X509CRL before = crl();
    // WHEN an operator revokes its certificate for key compromise
    HttpResponse<String> response = node.api("POST", "/api/v1/certificates/" + serial.toUpperCase() + "/revoke",
        "{\"reason\": \"keyCompromise\"}");
    // THEN it is revoked
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    JsonObject revoked = new JsonObject(response.body());
    assertThat(revoked.getString("status")).isEqualTo("revoked");
    assertThat(revoked.getString("revocationReason")).isEqualTo("keyCompromise");
    // AND every node is told
    RevocationEvent published = event.get(5, TimeUnit.SECONDS);
    assertThat(published.serial()).isEqualTo(serial);
    assertThat(published.deviceId()).isEqualTo("api-revoke-1");
    assertThat(published.issuerFingerprint()).isEqualTo(Fingerprints.sha256(node.node.platform().pki().issuingCertificate()));
    // AND the CRL was reissued already, listing it
    X509CRL after = crl();
    assertThat(after.getThisUpdate()).isAfterOrEqualTo(before.getThisUpdate());
    assertThat(after.getRevokedCertificate(new java.math.BigInteger(serial, 16))).isNotNull();
    // AND the audit log has it
    JsonObject audited = new JsonObject(node.api("GET", "/api/v1/audit?action=certificate.revoke&subject=" + serial, null)
        .body()).getJsonArray("items").getJsonObject(0);
    assertThat(audited.getString("outcome")).isEqualTo("succeeded");
  }

  @Test
  void revokingTwiceIs409UnknownIs404AndAnUnknownReasonIs400() {
    // GIVEN a revoked certificate
    String serial = enroll("api-revoke-2");
    assertThat(node.api("POST", "/api/v1/certificates/" + serial + "/revoke", "{\"reason\": \"superseded\"}").statusCode())
        .isEqualTo(200);
    // WHEN it is revoked again, an unknown serial is revoked, or the reason is made up
    HttpResponse<String> again = node.api("POST", "/api/v1/certificates/" + serial + "/revoke", "{}");
    HttpResponse<String> unknown = node.api("POST", "/api/v1/certificates/abcdef/revoke", "{}");
    HttpResponse<String> reason = node.api("POST", "/api/v1/certificates/" + serial + "/revoke", "{\"reason\": \"bored\"}");
    // THEN each gets its status and a JSON error
    assertThat(again.statusCode()).isEqualTo(409);
    assertThat(new JsonObject(again.body()).getString("message")).contains("revoked already (superseded)");
    assertThat(unknown.statusCode()).isEqualTo(404);
    assertThat(new JsonObject(unknown.body()).getString("error")).isEqualTo("not_found");
    assertThat(reason.statusCode()).isEqualTo(400);
    assertThat(new JsonObject(reason.body()).getString("message")).contains("keyCompromise");
  }

  @Test
  void listingIsFilteredByDeviceAndPagedWithACursor() {
    // GIVEN a device with three certificates
    String first = enroll("api-list-1");
    node.provision("api-list-2");
    Set<String> serials = new HashSet<>();
    serials.add(first);
    for (int i = 0; i < 2; i++) {
      String challenge = node.newChallenge("api-list-1");
      serials.add(enrollWith("api-list-1", challenge));
    }
    // WHEN listing its certificates two at a time
    JsonObject page1 = new JsonObject(node.api("GET", "/api/v1/certificates?deviceId=api-list-1&limit=2", null).body());
    JsonObject page2 = new JsonObject(node.api("GET", "/api/v1/certificates?deviceId=api-list-1&limit=2&cursor="
        + page1.getString("nextCursor"), null).body());
    // THEN the two pages hold exactly its three certificates
    Set<String> listed = new HashSet<>();
    for (JsonArray items : new JsonArray[] {page1.getJsonArray("items"), page2.getJsonArray("items")}) {
      items.stream().map(JsonObject.class::cast).forEach(c -> {
        assertThat(c.getString("deviceId")).isEqualTo("api-list-1");
        listed.add(c.getString("serial"));
      });
    }
    assertThat(listed).isEqualTo(serials);
    assertThat(page2.getString("nextCursor")).isNull();
    // AND a bad limit is 400
    assertThat(node.api("GET", "/api/v1/certificates?limit=0", null).statusCode()).isEqualTo(400);
  }

  private static String enroll(String deviceId) {
    ProvisionedDevice device = node.provision(deviceId);
    return enrollWith(deviceId, device.challenge());
  }

  private static String enrollWith(String deviceId, String challenge) {
    var ldevid = node.identities.ldevid(deviceId);
    try {
      HttpResponse<String> response = new EstHttps(node, ldevid.key(), ldevid.chain())
          .post("/simpleenroll", BcEst.csr(KeyPairs.ecP256(), deviceId, challenge));
      assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
      byte[] der = java.util.Base64.getMimeDecoder().decode(response.body());
      return new org.bouncycastle.cms.CMSSignedData(der).getCertificates().getMatches(null).iterator().next()
          .getSerialNumber().toString(16);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private static X509CRL crl() throws Exception {
    HttpResponse<byte[]> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
        URI.create(node.httpBase() + "/crl/issuing.crl")).build(), HttpResponse.BodyHandlers.ofByteArray());
    return (X509CRL) CertificateFactory.getInstance("X.509").generateCRL(new ByteArrayInputStream(response.body()));
  }
}
