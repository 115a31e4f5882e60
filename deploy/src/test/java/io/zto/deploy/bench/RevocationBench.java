package io.zto.deploy.bench;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.PemTrustOptions;
import io.vertx.mqtt.MqttClient;
import io.vertx.mqtt.MqttClientOptions;
import io.zto.deploy.Node;
import io.zto.shared.config.ZtoConfig;
import io.zto.shared.domain.IssuedCertificate;
import io.zto.shared.domain.RevocationReason;
import io.zto.shared.pki.FactoryCa;
import io.zto.shared.pki.Fingerprints;
import io.zto.shared.pki.KeyPairs;
import io.zto.shared.pki.Pem;
import io.zto.shared.pki.PlatformPki;
import io.zto.shared.pki.ProvisioningCredentials;
import io.zto.shared.store.CertificateRepository;
import io.zto.shared.testing.Await;
import io.zto.shared.testing.CrlServer;
import io.zto.shared.testing.Openssl;
import io.zto.shared.testing.TestCrls;
import io.zto.shared.testing.TestPki;
import java.math.BigInteger;
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
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;

/**
 * Benchmark, not a test (runs only with {@code -Dzto.bench=true}, see {@code bench/revocation-bench.sh}):
 * <ul>
 *   <li>external CRL sync time (HTTP fetch, parse and verify, apply to the database, announce every entry)
 *   for 10,000 and 100,000 entries, next to {@code openssl crl -verify} of the same file in the same run;</li>
 *   <li>with N devices connected to the provisioning listener, the time from a revocation to the drop of the
 *   device's session: through the API ({@code POST /certificates/{serial}/revoke}) and through the
 *   external CRL changing ({@code POST /crl-sources/{id}/refresh} after the CA published a new CRL).</li>
 * </ul>
 */
@EnabledIfSystemProperty(named = "zto.bench", matches = "true")
class RevocationBench {

  private static final int DEVICES = Integer.getInteger("zto.bench.devices", 1000);
  private static final int SAMPLES = 5;
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  @TempDir
  Path dataDir;

  private Node node;
  private Vertx clients;
  private String token;
  private int provisioningPort;
  private final FactoryCa customerCa = FactoryCa.create("Bench Customer LDevID CA", "Customer");
  private final TestCrls crls = new TestCrls(customerCa);

  @Test
  void revocationBenchmark() throws Exception {
    provisioningPort = freePort();
    Map<String, String> settings = new HashMap<>();
    settings.put("dataDir", dataDir.resolve("zto").toString());
    settings.put("http.port", "0");
    settings.put("est.port", "0");
    settings.put("mqtt.operational.port", "0");
    settings.put("mqtt.provisioning.port", Integer.toString(provisioningPort));
    node = Await.result(Node.start(ZtoConfig.of(settings)));
    clients = Vertx.vertx();
    token = Files.readString(dataDir.resolve("zto/admin-token")).strip();
    try {
      StringBuilder report = new StringBuilder("Revocation benchmark\n");
      syncTimes(report);
      dropTimes(report);
      System.out.println(report);
    } finally {
      Await.result(clients.close());
      Await.result(node.stop());
    }
  }

  // ---- CRL sync time against openssl crl -verify

  private void syncTimes(StringBuilder report) throws Exception {
    Path caPem = dataDir.resolve("customer-ca.pem");
    Files.writeString(caPem, Pem.encode(customerCa.certificate()));
    for (int size : new int[] {10_000, 100_000}) {
      CrlServer server = CrlServer.http(clients);
      Map<BigInteger, RevocationReason> entries = new LinkedHashMap<>();
      for (int i = 0; i < size; i++) {
        entries.put(BigInteger.valueOf(0x7000000000L + i), RevocationReason.KEY_COMPROMISE);
      }
      // the source starts with an empty CRL (fetched by the scheduler or the first refresh, whichever is first)
      server.publish(crls.complete(1, Map.of()));
      String id = createSource(server.url());
      refresh(id);
      byte[] der = crls.complete(2, entries);
      Path file = dataDir.resolve("crl-" + size + ".der");
      Files.write(file, der);
      server.publish(der);
      JsonObject outcome = refresh(id);
      double ztoMs = outcome.getLong("tookMs");
      if (!"accepted".equals(outcome.getString("outcome")) || outcome.getInteger("added") != size) {
        throw new IllegalStateException("sync of " + size + " failed: " + outcome.encode());
      }
      double opensslMs = opensslVerifyMs(file, caPem);
      report.append(String.format("  CRL sync, %,d entries (%,d bytes): zto %.0f ms (fetch+verify+store+announce),"
          + " openssl crl -verify %.0f ms, ratio %.1f%n", size, der.length, ztoMs, opensslMs, ztoMs / opensslMs));
      delete(id);
    }
  }

  private static double opensslVerifyMs(Path crl, Path ca) throws Exception {
    double best = Double.MAX_VALUE;
    for (int i = 0; i < 3; i++) {
      long start = System.nanoTime();
      Openssl.Result verified = Openssl.run(null, "crl", "-inform", "DER", "-in", crl.toString(), "-CAfile",
          ca.toString(), "-noout");
      if (verified.exitCode() != 0 || !verified.output().contains("verify OK")) {
        throw new IllegalStateException("openssl crl -verify failed: " + verified.output());
      }
      best = Math.min(best, (System.nanoTime() - start) / 1e6);
    }
    return best;
  }

  // ---- revocation to session drop with N devices connected

  private record Device(String id, X509Certificate certificate, List<X509Certificate> chain, PrivateKey key,
                        Promise<Long> dropped) {}

  private void dropTimes(StringBuilder report) throws Exception {
    PlatformPki pki = node.platform().pki();
    api("POST", "/api/v1/trust-anchors", new JsonObject().put("name", "bench customer").put("purpose", "ldevid")
        .put("pem", Pem.encode(customerCa.certificate())));
    api("POST", "/api/v1/trust-anchors", new JsonObject().put("name", "bench platform").put("purpose", "ldevid")
        .put("pem", Pem.encode(pki.rootCertificate())));
    // SAMPLES devices carry a certificate of the platform's issuing CA (revoked through the API); the rest
    // LDevIDs of the customer CA, whose CRL lists SAMPLES of them one after the other
    List<Device> platformDevices = new ArrayList<>();
    CertificateRepository certificates = new CertificateRepository(node.platform().db());
    for (int i = 0; i < SAMPLES; i++) {
      String id = String.format("bench-api-%04d", i);
      KeyPair keys = KeyPairs.ecP256();
      X509Certificate cert = TestPki.authority(pki).issue(keys.getPublic(), id, Duration.ofDays(1));
      Await.result(certificates.insert(IssuedCertificate.issued(cert.getSerialNumber().toString(16), id,
          PlatformPki.ISSUING_CA, cert.getSubjectX500Principal().getName(), "bench", "-", Fingerprints.sha256(cert),
          cert.getNotBefore().toInstant(), cert.getNotAfter().toInstant(), cert.getEncoded())));
      platformDevices.add(new Device(id, cert, List.of(cert, pki.issuingCertificate()), keys.getPrivate(),
          Promise.promise()));
    }
    List<Device> customerDevices = new ArrayList<>();
    for (int i = 0; i < DEVICES - SAMPLES; i++) {
      FactoryCa.Issued issued = customerCa.ldevid(String.format("bench-crl-%05d", i));
      customerDevices.add(new Device(String.format("bench-crl-%05d", i), issued.certificate(),
          List.of(issued.certificate()), issued.keyPair().getPrivate(), Promise.promise()));
    }
    CrlServer server = CrlServer.http(clients);
    server.publish(crls.complete(1, Map.of()));
    String source = createSource(server.url());
    refresh(source);
    List<Device> all = new ArrayList<>(customerDevices);
    all.addAll(platformDevices);
    long connectStart = System.nanoTime();
    connectAll(all);
    double connectSeconds = (System.nanoTime() - connectStart) / 1e9;
    double[] api = new double[SAMPLES];
    double[] crl = new double[SAMPLES];
    Map<BigInteger, RevocationReason> listed = new LinkedHashMap<>();
    for (int i = 0; i < SAMPLES; i++) {
      Device viaApi = platformDevices.get(i);
      long start = System.nanoTime();
      api("POST", "/api/v1/certificates/" + viaApi.certificate().getSerialNumber().toString(16) + "/revoke",
          new JsonObject().put("reason", "keyCompromise"));
      api[i] = (Await.result(viaApi.dropped().future()) - start) / 1e6;
      Device viaCrl = customerDevices.get(i * 37);
      listed.put(viaCrl.certificate().getSerialNumber(), RevocationReason.KEY_COMPROMISE);
      server.publish(crls.complete(2 + i, listed));
      start = System.nanoTime();
      refresh(source);
      crl[i] = (Await.result(viaCrl.dropped().future()) - start) / 1e6;
    }
    report.append(String.format("  %,d devices connected to the provisioning listener (mutual TLS) in %.1f s%n",
        all.size(), connectSeconds));
    report.append(String.format("  revocation via API -> session dropped: median %.0f ms, max %.0f ms (%d samples)%n",
        median(api), Arrays.stream(api).max().orElse(0), SAMPLES));
    report.append(String.format("  external CRL changed -> refresh -> session dropped: median %.0f ms, max %.0f ms"
        + " (%d samples; fetch+verify+apply included)%n", median(crl), Arrays.stream(crl).max().orElse(0), SAMPLES));
  }

  private void connectAll(List<Device> devices) {
    ProvisioningCredentials factory = node.platform().pki().provisioningCredentials();
    PemTrustOptions trust = new PemTrustOptions().addCertValue(Buffer.buffer(Pem.encode(node.platform().pki()
        .rootCertificate())));
    for (int from = 0; from < devices.size(); from += 50) {
      List<Future<?>> batch = new ArrayList<>();
      for (Device device : devices.subList(from, Math.min(devices.size(), from + 50))) {
        MqttClientOptions options = new MqttClientOptions().setClientId(device.id()).setUsername(factory.username())
            .setPassword(factory.password()).setAutoKeepAlive(true).setKeepAliveInterval(300);
        options.setSsl(true).setHostnameVerificationAlgorithm("HTTPS").setTrustOptions(trust)
            .setKeyCertOptions(new PemKeyCertOptions().addCertValue(Buffer.buffer(Pem.encode(device.chain())))
                .addKeyValue(Buffer.buffer(Pem.encode(device.key()))));
        MqttClient client = MqttClient.create(clients, options);
        client.closeHandler(closed -> device.dropped().tryComplete(System.nanoTime()));
        batch.add(client.connect(provisioningPort, "localhost"));
      }
      Await.result(Future.all(batch));
    }
  }

  private static double median(double[] values) {
    double[] sorted = values.clone();
    Arrays.sort(sorted);
    return sorted[sorted.length / 2];
  }

  // ---- operator API

  private String createSource(String url) throws Exception {
    return api("POST", "/api/v1/crl-sources", new JsonObject().put("url", url)
        .put("issuerPem", Pem.encode(customerCa.certificate())).put("refreshSeconds", 3600)).getString("id");
  }

  private JsonObject refresh(String id) throws Exception {
    return api("POST", "/api/v1/crl-sources/" + id + "/refresh", null);
  }

  private void delete(String id) throws Exception {
    api("DELETE", "/api/v1/crl-sources/" + id, null);
  }

  private JsonObject api(String method, String path, JsonObject body) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.httpPort() + path))
        .header("Authorization", "Bearer " + token).timeout(Duration.ofMinutes(5))
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
            : HttpRequest.BodyPublishers.ofString(body.encode()));
    if (body != null) {
      request.header("Content-Type", "application/json");
    }
    HttpResponse<String> response = HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    if (response.statusCode() >= 300) {
      throw new IllegalStateException(method + " " + path + ": " + response.statusCode() + " " + response.body());
    }
    return response.body().isEmpty() ? new JsonObject() : new JsonObject(response.body());
  }

  private static int freePort() throws Exception {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }
}
