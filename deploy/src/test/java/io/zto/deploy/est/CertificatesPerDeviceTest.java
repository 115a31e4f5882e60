package io.zto.deploy.est;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.zto.shared.pki.KeyPairs;
import io.zto.shared.pki.Pem;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.cert.CRLReason;
import java.security.cert.CertificateFactory;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.est.ESTException;
import org.bouncycastle.est.EnrollmentResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Certificates per device (contract section 9): {@code simplereenroll} supersedes the certificate it was
 * authenticated with, and {@code keyCompromise} on any certificate of a device revokes all of them (issue 13,
 * attack 6: revoking the new certificate left the previous one valid). On the wire: Bouncy Castle's EST client
 * and mosquitto clients presenting the device's certificates to a node running EST, CRL and broker.
 */
class CertificatesPerDeviceTest {

  private static final String PASSWORD = "operational-secret";
  private static final long CLIENT_SECONDS = 20;

  @TempDir
  static Path dataDir;

  @TempDir
  static Path files;

  private static EstTestNode node;
  /** Where each client process writes its output (stdout and stderr). */
  private static final Map<Process, Path> OUTPUTS = new ConcurrentHashMap<>();

  @BeforeAll
  static void startNode() {
    node = EstTestNode.withBroker(dataDir);
  }

  @AfterAll
  static void stopNode() {
    if (node != null) {
      node.close();
    }
  }

  @Test
  void reenrollSupersedesThePresentedCertificate() throws Exception {
    // GIVEN a device connected to the operational listener with its certificate
    Held first = enrolled("sup-1");
    Process session = subscribed(first);
    // WHEN it re-enrolls with that certificate and a new key
    Held second = reenroll(first, KeyPairs.ecP256());
    // THEN the session that used the old certificate is dropped (MQTT 5 DISCONNECT 0x98, administrative action)
    assertThat(ended(session)).contains("Received DISCONNECT (152)").doesNotContain("Timed out");
    // AND the old certificate is refused at CONNECT, and the new one connects
    assertThat(connect(first)).containsIgnoringCase("banned");
    assertThat(connect(second)).doesNotContainIgnoringCase("error");
    // AND re-enrolling again with the old certificate and another key is refused, issuing nothing
    assertThat(reenrollRefused(first, KeyPairs.ecP256())).isEqualTo(403);
    assertThat(certificatesOf("sup-1")).hasSize(2);
    // AND the CRL lists the old certificate as superseded, and not the new one
    X509CRL crl = crl();
    assertThat(crl.getRevokedCertificate(first.certificate()).getRevocationReason()).isEqualTo(CRLReason.SUPERSEDED);
    assertThat(crl.getRevokedCertificate(second.certificate())).isNull();
    // AND the device holds exactly one valid certificate, the new one
    assertThat(valid("sup-1")).containsExactly(serial(second));
    assertThat(certificate(serial(first)).getString("revocationReason")).isEqualTo("superseded");
  }

  @Test
  void sameKeyRetryAfterReenrollGetsTheSameCertificate() throws Exception {
    // GIVEN a device that re-enrolled with a new key and lost the answer
    Held first = enrolled("retry-1");
    KeyPair next = KeyPairs.ecP256();
    Held second = reenroll(first, next);
    // WHEN it asks again with the superseded certificate and the same key, four times at once
    List<CompletableFuture<Held>> retries = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      retries.add(CompletableFuture.supplyAsync(() -> {
        try {
          return reenroll(first, next);
        } catch (Exception e) {
          throw new IllegalStateException(e);
        }
      }));
    }
    // THEN every retry gets the same certificate again
    for (CompletableFuture<Held> retry : retries) {
      assertThat(retry.get(60, TimeUnit.SECONDS).certificate().getEncoded()).isEqualTo(second.certificate().getEncoded());
    }
    // AND with another key the superseded certificate is refused, naming its successor, and nothing is issued
    ESTException refused = catchThrowableOfType(() -> reenroll(first, KeyPairs.ecP256()), ESTException.class);
    assertThat(refused.getStatusCode()).isEqualTo(403);
    assertThat(certificatesOf("retry-1")).hasSize(2);
    assertThat(valid("retry-1")).containsExactly(serial(second));
    String reason = new JsonObject(node.api("GET", "/api/v1/audit?subject=retry-1&outcome=refused", null).body())
        .getJsonArray("items").getJsonObject(0).getString("reason");
    assertThat(reason).contains("superseded by certificate " + serial(second));
  }

  @Test
  void racingReenrollmentsWithOneCertificateYieldOneSuccessor() throws Exception {
    // GIVEN a device's certificate whose key a thief also holds
    Held stolen = enrolled("race-1");
    // WHEN the thief and the device re-enroll with it at the same moment, each with its own new key
    List<CompletableFuture<Integer>> racing = List.of(KeyPairs.ecP256(), KeyPairs.ecP256()).stream()
        .map(next -> CompletableFuture.supplyAsync(() -> {
          try {
            reenroll(stolen, next);
            return 200;
          } catch (ESTException e) {
            return e.getStatusCode();
          } catch (Exception e) {
            throw new IllegalStateException(e);
          }
        })).toList();
    // THEN one gets a certificate and the other is refused
    assertThat(racing.stream().map(CompletableFuture::join).toList()).containsExactlyInAnyOrder(200, 403);
    // AND the device holds one valid certificate, the one successor of the old
    assertThat(certificatesOf("race-1")).hasSize(2);
    assertThat(valid("race-1")).hasSize(1);
    assertThat(certificate(serial(stolen)).getString("revocationReason")).isEqualTo("superseded");
  }

  @Test
  void keyCompromiseRevokesEveryValidCertificateOfTheDevice() throws Exception {
    // GIVEN a device holding two valid certificates (two enrollments), connected with the older one,
    // and another device
    Held older = enrolled("kc-1");
    Held newer = enrolled("kc-1");
    Held bystander = enrolled("kc-2");
    Process session = subscribed(older);
    // WHEN an operator revokes the newer one for key compromise
    HttpResponse<String> revoked = node.api("POST", "/api/v1/certificates/" + serial(newer) + "/revoke",
        "{\"reason\": \"keyCompromise\"}");
    // THEN both are revoked, and the answer says which others went with it
    assertThat(revoked.statusCode()).as(revoked.body()).isEqualTo(200);
    assertThat(new JsonObject(revoked.body()).getJsonArray("alsoRevoked")).containsExactly(serial(older));
    // AND the session using the older certificate is dropped
    assertThat(ended(session)).contains("Received DISCONNECT (152)").doesNotContain("Timed out");
    // AND both are refused at CONNECT and at re-enrollment
    assertThat(connect(older)).containsIgnoringCase("banned");
    assertThat(connect(newer)).containsIgnoringCase("banned");
    assertThat(reenrollRefused(older, KeyPairs.ecP256())).isEqualTo(403);
    assertThat(reenrollRefused(newer, KeyPairs.ecP256())).isEqualTo(403);
    // AND the CRL lists both for key compromise
    X509CRL crl = crl();
    for (Held held : List.of(older, newer)) {
      assertThat(crl.getRevokedCertificate(held.certificate()).getRevocationReason())
          .isEqualTo(CRLReason.KEY_COMPROMISE);
    }
    // AND another device's certificate is untouched
    assertThat(valid("kc-2")).containsExactly(serial(bystander));
    assertThat(crl.getRevokedCertificate(bystander.certificate())).isNull();
    // AND the audit log names both
    JsonObject audited = new JsonObject(node.api("GET", "/api/v1/audit?action=certificate.revoke&subject="
        + serial(newer), null).body()).getJsonArray("items").getJsonObject(0);
    assertThat(audited.getString("outcome")).isEqualTo("succeeded");
    assertThat(audited.getJsonObject("details").getJsonArray("alsoRevoked")).containsExactly(serial(older));
  }

  @Test
  void keyCompromiseOfASupersededCertificateRevokesItsSuccessor() throws Exception {
    // GIVEN a certificate superseded by a re-enrollment (which its key authenticated)
    Held first = enrolled("kc-sup-1");
    Held second = reenroll(first, KeyPairs.ecP256());
    // WHEN its key turns out compromised
    HttpResponse<String> revoked = node.api("POST", "/api/v1/certificates/" + serial(first) + "/revoke",
        "{\"reason\": \"keyCompromise\"}");
    // THEN its reason becomes keyCompromise and its successor is revoked too
    assertThat(revoked.statusCode()).as(revoked.body()).isEqualTo(200);
    assertThat(new JsonObject(revoked.body()).getString("revocationReason")).isEqualTo("keyCompromise");
    assertThat(new JsonObject(revoked.body()).getJsonArray("alsoRevoked")).containsExactly(serial(second));
    assertThat(valid("kc-sup-1")).isEmpty();
    X509CRL crl = crl();
    assertThat(crl.getRevokedCertificate(first.certificate()).getRevocationReason()).isEqualTo(CRLReason.KEY_COMPROMISE);
    assertThat(crl.getRevokedCertificate(second.certificate()).getRevocationReason())
        .isEqualTo(CRLReason.KEY_COMPROMISE);
    assertThat(connect(second)).containsIgnoringCase("banned");
    // AND asking again is a conflict that changes nothing
    HttpResponse<String> again = node.api("POST", "/api/v1/certificates/" + serial(first) + "/revoke",
        "{\"reason\": \"keyCompromise\"}");
    assertThat(again.statusCode()).isEqualTo(409);
    assertThat(new JsonObject(again.body()).getString("message")).contains("revoked already (keyCompromise)");
  }

  /** A device's operational certificate and its key. */
  private record Held(String deviceId, KeyPair key, X509Certificate certificate) {}

  /** Provisions the device (again: a new challenge) and enrolls a new key with its LDevID. */
  private static Held enrolled(String deviceId) throws Exception {
    EstTestNode.ProvisionedDevice device = node.provision(deviceId);
    node.mqttPassword(deviceId, PASSWORD);
    KeyPair key = KeyPairs.ecP256();
    X509Certificate issued = single(BcEst.service(node, null, device.ldevid().key(), device.ldevid().chain())
        .simpleEnroll(false, BcEst.csr(key, deviceId, device.challenge()), null));
    return new Held(deviceId, key, issued);
  }

  /** simplereenroll authenticated by {@code current}, for the key {@code next}. */
  private static Held reenroll(Held current, KeyPair next) throws Exception {
    X509Certificate issued = single(BcEst.service(node, null, current.key().getPrivate(),
            List.of(current.certificate(), node.node.platform().pki().issuingCertificate()))
        .simpleEnroll(true, BcEst.csr(next, current.deviceId(), null), null));
    return new Held(current.deviceId(), next, issued);
  }

  /** The status of a refused simplereenroll. */
  private static int reenrollRefused(Held current, KeyPair next) {
    return catchThrowableOfType(() -> reenroll(current, next), ESTException.class).getStatusCode();
  }

  /** mosquitto_sub (MQTT 5) with the certificate, once it has its SUBACK; its output is in a file. */
  private static Process subscribed(Held held) throws Exception {
    Process process = mosquitto(held, "mosquitto_sub", "-t", "devices/" + held.deviceId() + "/commands/#",
        "-W", Long.toString(CLIENT_SECONDS));
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
    while (!output(process).contains("SUBACK")) {
      assertThat(process.isAlive()).as("mosquitto_sub running: " + output(process)).isTrue();
      assertThat(System.nanoTime()).as("mosquitto_sub subscribed: " + output(process)).isLessThan(deadline);
      Thread.sleep(50);
    }
    return process;
  }

  /** One CONNECT and publish with the certificate (MQTT 5); what mosquitto_pub printed. */
  private static String connect(Held held) throws Exception {
    return ended(mosquitto(held, "mosquitto_pub", "-t", "devices/" + held.deviceId() + "/telemetry", "-m", "21.5",
        "-q", "1"));
  }

  private static Process mosquitto(Held held, String tool, String... more) throws IOException {
    Path cert = files.resolve(serial(held) + ".pem");
    Path key = files.resolve(serial(held) + ".key");
    Files.writeString(cert, Pem.encode(held.certificate()));
    Files.writeString(key, Pem.encode(held.key().getPrivate()));
    List<String> command = new ArrayList<>(List.of("stdbuf", "-oL", tool, "-d", "-V", "mqttv5", "-h", "127.0.0.1",
        "-p", Integer.toString(node.operationalPort), "--cafile", node.rootPem().toString(), "--cert", cert.toString(),
        "--key", key.toString(), "-i", held.deviceId(), "-u", held.deviceId(), "-P", PASSWORD));
    command.addAll(List.of(more));
    Path out = Files.createTempFile(files, tool, ".out");
    Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(out.toFile()).start();
    OUTPUTS.put(process, out);
    return process;
  }

  private static String output(Process process) throws IOException {
    return Files.readString(OUTPUTS.get(process));
  }

  /** Waits for the client to end by itself (bounded), then its output. */
  private static String ended(Process process) throws Exception {
    if (!process.waitFor(CLIENT_SECONDS + 10, TimeUnit.SECONDS)) {
      process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
      throw new AssertionError("the MQTT client did not end: " + output(process));
    }
    return output(process);
  }

  private static X509Certificate single(EnrollmentResponse response) throws Exception {
    return new JcaX509CertificateConverter().getCertificate(response.getStore().getMatches(null).iterator().next());
  }

  private static String serial(Held held) {
    return held.certificate().getSerialNumber().toString(16);
  }

  private static JsonObject certificate(String serial) {
    return new JsonObject(node.api("GET", "/api/v1/certificates/" + serial, null).body());
  }

  private static List<JsonObject> certificatesOf(String deviceId) {
    JsonArray items = new JsonObject(node.api("GET", "/api/v1/certificates?deviceId=" + deviceId, null).body())
        .getJsonArray("items");
    return items.stream().map(JsonObject.class::cast).toList();
  }

  private static List<String> valid(String deviceId) {
    return certificatesOf(deviceId).stream().filter(c -> "valid".equals(c.getString("status")))
        .map(c -> c.getString("serial")).toList();
  }

  private static X509CRL crl() throws Exception {
    HttpResponse<byte[]> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
        URI.create(node.httpBase() + "/crl/issuing.crl")).build(), HttpResponse.BodyHandlers.ofByteArray());
    return (X509CRL) CertificateFactory.getInstance("X.509").generateCRL(new ByteArrayInputStream(response.body()));
  }
}
