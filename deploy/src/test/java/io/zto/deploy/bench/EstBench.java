package io.zto.deploy.bench;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.zto.deploy.Node;
import io.zto.shared.config.ZtoConfig;
import io.zto.shared.domain.Device;
import io.zto.shared.domain.EstChallenge;
import io.zto.shared.domain.TrustAnchor;
import io.zto.shared.pki.CsrBuilder;
import io.zto.shared.pki.Fingerprints;
import io.zto.shared.pki.KeyPairs;
import io.zto.shared.pki.Pem;
import io.zto.shared.security.SecretHasher;
import io.zto.shared.security.Secrets;
import io.zto.shared.store.ChallengeRepository;
import io.zto.shared.store.DeviceRepository;
import io.zto.shared.store.TrustAnchorRepository;
import io.zto.shared.testing.Await;
import io.zto.shared.testing.DeviceIdentities;
import io.zto.shared.testing.DeviceIdentity;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;

/**
 * Benchmark, not a test (runs only with {@code -Dzto.bench=true}, see {@code bench/est-bench.sh}):
 * enrollments per second with a fresh mutual-TLS connection each, at concurrency 1, 16 and 64, next to the
 * rate of bare mutual-TLS connections (handshake + a tiny {@code GET /cacerts}) to the same server in the
 * same run, with distinct client certificates and no session resumption. Client and server share the machine.
 */
@EnabledIfSystemProperty(named = "zto.bench", matches = "true")
class EstBench {

  private static final int[] CONCURRENCY = {1, 16, 64};
  private static final int DEVICES_PER_LEVEL = Integer.getInteger("zto.bench.devices", 128);

  @TempDir
  Path dataDir;

  /** A device ready for the benchmark: its TLS context (LDevID) and a CSR carrying its challenge. */
  private record Client(SSLContext tls, byte[] csrBase64) {}

  @Test
  void enrollmentsPerSecondNextToMutualTlsConnectionsPerSecond() throws Exception {
    int estPort;
    try (ServerSocket socket = new ServerSocket(0)) {
      estPort = socket.getLocalPort();
    }
    JsonObject json = new JsonObject().put("dataDir", dataDir.toString()).put("roles", new JsonArray().add("est").add("crl"))
        .put("http", new JsonObject().put("port", 0)).put("est", new JsonObject().put("port", estPort))
        .put("mqtt", new JsonObject().put("operational", new JsonObject().put("port", 0))
            .put("provisioning", new JsonObject().put("port", 0)));
    Node node = Await.result(Node.start(ZtoConfig.fromJson(json)));
    try {
      DeviceIdentities identities = DeviceIdentities.create();
      Await.result(new TrustAnchorRepository(node.platform().db()).create(TrustAnchor.create("bench",
          TrustAnchor.Purpose.LDEVID, identities.ldevidCaPem(), Fingerprints.sha256(identities.ldevidCa()),
          identities.ldevidCa().getSubjectX500Principal().getName(), identities.ldevidCa().getNotAfter().toInstant())));
      KeyStore trust = KeyStore.getInstance("PKCS12");
      trust.load(null, null);
      trust.setCertificateEntry("root", Pem.readCertificate(Files.readString(dataDir.resolve("root-ca.pem"))));
      System.out.printf("%nEST benchmark, %d cores, Java %s, %d devices per level%n",
          Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"), DEVICES_PER_LEVEL);
      System.out.printf("%-12s %18s %22s %8s%n", "concurrency", "enrollments/s", "mTLS connections/s", "ratio");
      int next = 0;
      // warm-up (JIT, pools), not reported
      List<Client> warmUp = new ArrayList<>();
      for (int i = 0; i < DEVICES_PER_LEVEL; i++) {
        warmUp.add(client(node, identities, trust, "bench-" + next++));
      }
      rate(warmUp, 16, client -> connect(client, estPort, "GET", "cacerts", null));
      rate(warmUp, 16, client -> connect(client, estPort, "POST", "simpleenroll", client.csrBase64()));
      for (int concurrency : CONCURRENCY) {
        List<Client> clients = new ArrayList<>();
        for (int i = 0; i < DEVICES_PER_LEVEL; i++) {
          clients.add(client(node, identities, trust, "bench-" + next++));
        }
        double handshakes = rate(clients, concurrency, client -> connect(client, estPort, "GET", "cacerts", null));
        double enrollments = rate(clients, concurrency, client -> connect(client, estPort, "POST", "simpleenroll",
            client.csrBase64()));
        System.out.printf("%-12d %18.1f %22.1f %8.2f%n", concurrency, enrollments, handshakes, enrollments / handshakes);
      }
    } finally {
      Await.result(node.stop());
    }
  }

  private static Client client(Node node, DeviceIdentities identities, KeyStore trust, String deviceId) throws Exception {
    DeviceIdentity ldevid = identities.ldevid(deviceId);
    Await.result(new DeviceRepository(node.platform().db()).upsert(Device.seen(deviceId, "default", Device.State.PROVISIONED)));
    String challenge = Secrets.randomToken(128);
    Await.result(new ChallengeRepository(node.platform().db()).issue(EstChallenge.issue(deviceId,
        SecretHasher.forRandomSecrets().hash(challenge), "bench", Instant.now().plus(Duration.ofHours(1)))));
    KeyStore keys = KeyStore.getInstance("PKCS12");
    keys.load(null, null);
    keys.setKeyEntry("device", ldevid.key(), "pw".toCharArray(), ldevid.chain().toArray(java.security.cert.X509Certificate[]::new));
    KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    kmf.init(keys, "pw".toCharArray());
    TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(trust);
    SSLContext tls = SSLContext.getInstance("TLSv1.3");
    tls.init(kmf.getKeyManagers(), tmf.getTrustManagers(), null);
    byte[] csr = Base64.getMimeEncoder().encode(new CsrBuilder(KeyPairs.ecP256()).commonName(deviceId)
        .challengePassword(challenge).build().getEncoded());
    return new Client(tls, csr);
  }

  /** A fresh connection: handshake, one request with Connection: close, the whole answer read; its status. */
  private static int connect(Client client, int port, String method, String operation, byte[] body) throws Exception {
    try (SSLSocket socket = (SSLSocket) client.tls().getSocketFactory().createSocket("localhost", port)) {
      socket.startHandshake();
      OutputStream out = socket.getOutputStream();
      String head = method + " /.well-known/est/" + operation + " HTTP/1.1\r\nHost: localhost:" + port
          + "\r\nConnection: close\r\n" + (body == null ? "" : "Content-Type: application/pkcs10\r\nContent-Length: "
          + body.length + "\r\n") + "\r\n";
      out.write(head.getBytes(StandardCharsets.US_ASCII));
      if (body != null) {
        out.write(body);
      }
      out.flush();
      InputStream in = socket.getInputStream();
      byte[] answer = in.readAllBytes();
      socket.getSession().invalidate();
      String status = new String(answer, 0, Math.min(12, answer.length), StandardCharsets.US_ASCII);
      return Integer.parseInt(status.substring(9, 12));
    }
  }

  private interface Call {
    int run(Client client) throws Exception;
  }

  /** Operations per second over all clients, {@code concurrency} at a time; fails on any non-200. */
  private static double rate(List<Client> clients, int concurrency, Call call) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(concurrency);
    AtomicInteger index = new AtomicInteger();
    AtomicInteger failures = new AtomicInteger();
    long start = System.nanoTime();
    List<Future<?>> workers = new ArrayList<>();
    for (int w = 0; w < concurrency; w++) {
      workers.add(pool.submit(() -> {
        for (int i = index.getAndIncrement(); i < clients.size(); i = index.getAndIncrement()) {
          try {
            if (call.run(clients.get(i)) != 200) {
              failures.incrementAndGet();
            }
          } catch (Exception e) {
            failures.incrementAndGet();
          }
        }
        return null;
      }));
    }
    for (Future<?> worker : workers) {
      worker.get();
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    pool.shutdown();
    if (failures.get() > 0) {
      throw new IllegalStateException(failures.get() + " of " + clients.size() + " calls failed");
    }
    return clients.size() / seconds;
  }
}
