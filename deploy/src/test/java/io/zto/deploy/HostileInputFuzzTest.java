package io.zto.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.zto.shared.config.ZtoConfig;
import io.zto.shared.pki.KeyPairs;
import io.zto.shared.pki.Pem;
import io.zto.shared.testing.Await;
import io.zto.shared.testing.MqttWire;
import io.zto.shared.testing.MqttWire.Packet;
import io.zto.simulator.AgentOptions;
import io.zto.simulator.DeviceAgent;
import io.zto.simulator.FactoryConfig;
import io.zto.simulator.FactoryTool;
import io.zto.deploy.est.BcEst;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The fuzz harness of issue 14: malformed and mutated MQTT packets on every listener of a node running in
 * this JVM (plain; operational with a device certificate; provisioning with an LDevID; before and after
 * CONNECT), mutated CSRs on EST and broken JSON on the operator API.
 *
 * <p>Seeded and reproducible: the seed is printed; rerun with {@code -Dzto.fuzz.seed=N}. Bounded:
 * {@code -Dzto.fuzz.cases=N} (default 1,500) random MQTT cases, plus the named ones, 150 EST and 200 API
 * requests. Asserts: every named malformed input is refused (CONNACK or DISCONNECT reason, failed SUBACK, or
 * the connection closed), the node stays healthy after every batch ({@code /health} 200 and a fresh valid
 * CONNECT on each listener), EST and the API answer 4xx and never 5xx, and the heap and the broker's
 * connections return to their baseline once the clients are gone.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.MethodName.class) // one Random for all tests: a seed replays them in this order
class HostileInputFuzzTest {

  private static final Duration REFUSAL_WAIT = Duration.ofSeconds(10);
  // a random case's answer, if any, comes at once; silence (a truncated packet) is a valid outcome
  private static final Duration CASE_WAIT = Duration.ofMillis(20);
  private static final int BATCH = 100;
  private static final long HEAP_SLACK = 64L << 20;

  private final long seed = Long.getLong("zto.fuzz.seed", new SecureRandom().nextLong());
  private final int mqttCases = Integer.getInteger("zto.fuzz.cases", 1_500);
  private final HostileInputs inputs = new HostileInputs(seed);
  private final HttpClient http = HttpClient.newHttpClient();

  @TempDir
  static Path tmp;
  private Node node;
  private OperatorClient operator;
  private Listener plain;
  private Listener operational;
  private Listener provisioning;
  private X509Certificate deviceCertificate;
  private PrivateKey deviceKey;
  private FactoryConfig factory;
  private long heapBaseline;

  /** A listener and how a valid client logs in on it. */
  private record Listener(String name, int port, SSLSocketFactory tls, String clientId, String username,
                          String password, String topicPrefix, int maxPacket) {
    MqttWire open() {
      return tls == null ? MqttWire.plain("127.0.0.1", port) : MqttWire.tls(tls, "127.0.0.1", port);
    }

    byte[] connect(int version) {
      return MqttWire.connect(version, clientId, true, null, username, password);
    }
  }

  @BeforeAll
  void startNodeWithAnOnboardedDevice() throws Exception {
    System.out.println("fuzz seed: " + seed + " (rerun with -Dzto.fuzz.seed=" + seed + ")");
    Map<String, String> settings = new HashMap<>();
    settings.put("dataDir", tmp.resolve("zto-data").toString());
    settings.put("http.port", Integer.toString(freePort()));
    settings.put("est.port", Integer.toString(freePort()));
    settings.put("mqtt.operational.port", Integer.toString(freePort()));
    settings.put("mqtt.provisioning.port", Integer.toString(freePort()));
    settings.put("mqtt.plain.enabled", "true");
    settings.put("mqtt.plain.allowAnonymous", "true");
    settings.put("mqtt.plain.port", Integer.toString(freePort()));
    node = Await.result(Node.start(ZtoConfig.of(settings)));
    operator = new OperatorClient("http://127.0.0.1:" + node.httpPort(),
        Files.readString(tmp.resolve("zto-data/admin-token")).strip());
    onboardOneDevice();
    var mqtt = node.platform().config().mqtt();
    plain = new Listener("plain", mqtt.plain().port(), null, "fuzzer", null, null, "fuzz", mqtt.maxMessageSize());
    JsonObject credentials = agentConfig.getJsonObject("mqtt");
    operational = new Listener("operational", mqtt.operational().port(), tls(deviceKey, List.of(deviceCertificate)),
        factory.deviceId(), credentials.getString("username"), credentials.getString("password"),
        "devices/" + factory.deviceId(), mqtt.maxMessageSize());
    List<X509Certificate> ldevid = Pem.readCertificates(Files.readString(factory.ldevidCertificate()));
    PrivateKey ldevidKey = Pem.readPrivateKey(Files.readString(factory.ldevidKey()));
    provisioning = new Listener("provisioning", mqtt.provisioning().port(), tls(ldevidKey, ldevid), factory.deviceId(),
        factory.username(), factory.password(), "zto/v1/" + factory.deviceId(),
        Math.min(mqtt.maxMessageSize(), mqtt.limits().provisioningMessageSize()));
    for (Listener listener : List.of(plain, operational, provisioning)) {
      assertValidConnectWorks(listener);
    }
    heapBaseline = usedHeapAfterGc();
  }

  private JsonObject agentConfig;

  // the real onboarding (provisioning over MQTT, EST, operational connect), then the agent steps aside so
  // the fuzzer can use its identity
  private void onboardOneDevice() throws Exception {
    Path out = tmp.resolve("factory");
    int port = node.platform().config().mqtt().provisioning().port();
    assertThat(FactoryTool.run(new String[] {"--out", out.toString(), "--count", "1", "--platform-data-dir",
        tmp.resolve("zto-data").toString(), "--provisioning-url", "mqtts://localhost:" + port},
        new PrintStream(new ByteArrayOutputStream()), System.err)).isZero();
    for (String[] anchor : List.of(new String[] {"customer", "ldevid", "customer-ca.pem"},
        new String[] {"manufacturer", "idevid", "manufacturer-ca.pem"})) {
      assertThat(operator.api("POST", "/api/v1/trust-anchors", "application/json", new JsonObject().put("name", anchor[0])
          .put("purpose", anchor[1]).put("pem", Files.readString(out.resolve(anchor[2]))).encode()).statusCode())
          .isEqualTo(201);
    }
    operator.api("POST", "/api/v1/enrollments:import", "application/x-ndjson",
        Files.readString(out.resolve("enrollments.jsonl")));
    factory = FactoryConfig.read(out.resolve("devices/gw-000001/factory.json"));
    Vertx devices = Vertx.vertx();
    try {
      DeviceAgent agent = new DeviceAgent(devices, factory, AgentOptions.defaults().withTelemetryInterval(Duration.ZERO)
          .withMaxAttempts(3).withBackoff(Duration.ofMillis(200), Duration.ofSeconds(2)), event -> { });
      Await.result(agent.start());
      deviceCertificate = agent.certificate();
      deviceKey = agent.privateKey();
      agentConfig = agent.config();
      Await.result(agent.stop());
    } finally {
      Await.result(devices.close());
    }
  }

  @AfterAll
  void stop() {
    if (node != null) {
      Await.result(node.stop());
    }
  }

  @Test
  void namedMalformedMqttPacketsAreRefusedOnEveryListener() {
    for (Listener listener : List.of(plain, operational, provisioning)) {
      for (int version : new int[] {4, 5}) {
        for (HostileInputs.Named kind : HostileInputs.Named.values()) {
          if (kind.beforeConnect) {
            assertRefused(listener, version, kind, false);
          }
          if (kind.afterConnect) {
            assertRefused(listener, version, kind, true);
          }
        }
      }
      assertHealthy("named cases on " + listener.name());
    }
  }

  @Test
  void mutatedMqttPacketsNeverHurtTheNode() {
    // the plain listener takes half the cases: no handshake, so the parser sees the most input per second
    int[] share = {mqttCases / 2, mqttCases / 4, mqttCases - mqttCases / 2 - mqttCases / 4};
    List<Listener> listeners = List.of(plain, operational, provisioning);
    for (int l = 0; l < listeners.size(); l++) {
      Listener listener = listeners.get(l);
      for (int done = 0; done < share[l]; done += BATCH) {
        fuzzBatch(listener, Math.min(BATCH, share[l] - done));
        assertHealthy("after " + (done + BATCH) + " mutated cases on " + listener.name());
      }
      assertNoConnectionLeft("after the mutated cases on " + listener.name());
    }
    assertBackToBaseline();
  }

  @Test
  void mutatedCsrsOnEstGet4xxNever5xx() throws Exception {
    SSLContext ldevid = sslContext(Pem.readPrivateKey(Files.readString(factory.ldevidKey())),
        Pem.readCertificates(Files.readString(factory.ldevidCertificate())));
    SSLContext operationalCert = sslContext(deviceKey, List.of(deviceCertificate));
    byte[] valid = BcEst.csr(KeyPairs.ecP256(), factory.deviceId(), null).getEncoded();
    String base = "https://127.0.0.1:" + node.platform().config().est().port() + "/.well-known/est/";
    for (int i = 0; i < 150; i++) {
      boolean reenroll = inputs.random().nextBoolean();
      HttpClient client = HttpClient.newBuilder().sslContext(reenroll ? operationalCert : ldevid)
          .version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(10)).build();
      String type = inputs.random().nextInt(8) == 0
          ? inputs.pick(List.of("text/plain", "application/json", "application/pkcs7-mime")) : "application/pkcs10";
      byte[] der = inputs.mutateDer(valid);
      String body = inputs.random().nextInt(10) == 0 ? new String(der, java.nio.charset.StandardCharsets.ISO_8859_1)
          : Base64.getMimeEncoder().encodeToString(der);
      HttpResponse<String> response = client.send(HttpRequest.newBuilder(URI.create(base
              + (reenroll ? "simplereenroll" : "simpleenroll"))).header("Content-Type", type)
          .timeout(Duration.ofSeconds(30)).POST(HttpRequest.BodyPublishers.ofString(body)).build(),
          HttpResponse.BodyHandlers.ofString());
      assertThat(response.statusCode()).as("EST case %d (seed %d, %s, %s): %s", i, seed, type,
          reenroll ? "simplereenroll" : "simpleenroll", response.body()).isBetween(400, 499);
    }
    assertHealthy("after the EST cases");
  }

  @Test
  void brokenJsonAndWrongMediaTypesOnTheApiGet4xxNever5xx() throws Exception {
    List<String[]> endpoints = List.of(
        new String[] {"/api/v1/trust-anchors", "{\"name\":\"x\",\"purpose\":\"ldevid\",\"pem\":\"-----BEGIN\"}"},
        new String[] {"/api/v1/enrollments", "{\"deviceId\":\"gw-fuzz\",\"trustAnchor\":\"none\"}"},
        new String[] {"/api/v1/enrollment-groups", "{\"name\":\"g\",\"trustAnchor\":\"none\",\"approval\":\"auto\"}"},
        new String[] {"/api/v1/devices/" + factory.deviceId() + "/commands", "{\"name\":\"reboot\",\"args\":{}}"},
        new String[] {"/api/v1/crl-sources", "{\"name\":\"c\",\"url\":\"http://127.0.0.1:1/x.crl\"}"});
    for (int i = 0; i < 200; i++) {
      String[] endpoint = inputs.pick(endpoints);
      boolean wrongType = inputs.random().nextInt(4) == 0;
      String body = wrongType ? endpoint[1] : inputs.brokenJson(endpoint[1]);
      String type = wrongType ? inputs.pick(List.of("text/plain", "application/xml", "application/x-www-form-urlencoded"))
          : "application/json";
      HttpResponse<String> response = operator.api("POST", endpoint[0], type, body);
      String what = String.format("API case %d (seed %d): POST %s as %s: %s", i, seed, endpoint[0], type,
          response.body());
      assertThat(response.statusCode()).as(what).isLessThan(500);
      if (wrongType || !isJsonObject(body)) {
        assertThat(response.statusCode()).as(what).isBetween(400, 499);
      }
    }
    assertHealthy("after the API cases");
  }

  // ---- MQTT

  private void assertRefused(Listener listener, int version, HostileInputs.Named kind, boolean afterConnect) {
    String what = String.format("%s on %s, MQTT %s, %s CONNECT (seed %d)", kind, listener.name(),
        version == 5 ? "5" : "3.1.1", afterConnect ? "after" : "before", seed);
    try (MqttWire wire = listener.open()) {
      if (afterConnect) {
        wire.send(listener.connect(version));
        assertThat(wire.await(MqttWire.CONNACK, REFUSAL_WAIT).reasonCode()).as("CONNACK before " + what).isZero();
      }
      wire.send(inputs.named(kind, version, listener.connect(version), listener.maxPacket()));
      Packet answer = firstAnswer(wire);
      assertThat(isRefusal(answer, version)).as(what + ": answered " + answer).isTrue();
    }
  }

  // the first packet that decides: CONNACK, DISCONNECT, SUBACK, or the connection closing (or nothing)
  private static Packet firstAnswer(MqttWire wire) {
    long deadline = System.nanoTime() + REFUSAL_WAIT.toNanos();
    while (System.nanoTime() < deadline) {
      Packet packet = wire.read(Duration.ofNanos(Math.max(1, deadline - System.nanoTime())));
      if (packet.type() < 0 || packet.type() == MqttWire.CONNACK || packet.type() == MqttWire.DISCONNECT
          || packet.type() == MqttWire.SUBACK) {
        return packet;
      }
    }
    return Packet.SILENT;
  }

  private static boolean isRefusal(Packet answer, int version) {
    return switch (answer.type()) {
      case -1 -> true;
      case MqttWire.CONNACK -> answer.reasonCode() != 0;
      case MqttWire.DISCONNECT -> answer.reasonCode() >= 0x80;
      case MqttWire.SUBACK -> java.util.Arrays.stream(answer.subackCodes(version)).allMatch(c -> c >= 0x80);
      default -> false;
    };
  }

  // random cases: a third on fresh connections before CONNECT, the rest on one logged-in connection, reopened
  // whenever the broker closes it
  private void fuzzBatch(Listener listener, int cases) {
    MqttWire connected = null;
    int version = 5;
    try {
      for (int i = 0; i < cases; i++) {
        if (inputs.random().nextInt(3) == 0) {
          int v = inputs.random().nextBoolean() ? 4 : 5;
          try (MqttWire fresh = listener.open()) {
            byte[] first = inputs.random().nextBoolean() ? listener.connect(v) : inputs.validAfterConnect(v, "x");
            fresh.send(inputs.mutate(first));
            fresh.read(CASE_WAIT);
          }
          continue;
        }
        if (connected == null) {
          version = inputs.random().nextBoolean() ? 4 : 5;
          connected = listener.open();
          connected.send(listener.connect(version));
          Packet connack = connected.await(MqttWire.CONNACK, REFUSAL_WAIT);
          assertThat(connack.reasonCode()).as("CONNACK on " + listener.name() + " (seed " + seed + ")").isZero();
        }
        byte[] packet = inputs.validAfterConnect(version, listener.topicPrefix());
        boolean alive = connected.send(inputs.random().nextInt(4) == 0 ? packet : inputs.mutate(packet));
        if (!alive || drain(connected)) {
          connected.close();
          connected = null;
        }
      }
    } finally {
      if (connected != null) {
        connected.close();
      }
    }
  }

  // reads what the broker answered to one case; true when it closed the connection
  private static boolean drain(MqttWire wire) {
    for (int i = 0; i < 8; i++) {
      Packet packet = wire.read(CASE_WAIT);
      if (packet == Packet.CLOSED) {
        return true;
      }
      if (packet == Packet.SILENT) {
        return false;
      }
    }
    return false;
  }

  // ---- health and baseline

  private void assertHealthy(String when) {
    try {
      HttpResponse<String> health = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.httpPort()
          + "/health")).timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
      assertThat(health.statusCode()).as("/health " + when + " (seed " + seed + "): " + health.body()).isEqualTo(200);
    } catch (Exception e) {
      throw new AssertionError("/health " + when + " (seed " + seed + ")", e);
    }
    for (Listener listener : List.of(plain, operational, provisioning)) {
      assertValidConnectWorks(listener);
    }
  }

  private void assertValidConnectWorks(Listener listener) {
    try (MqttWire wire = listener.open()) {
      wire.send(listener.connect(5));
      assertThat(wire.await(MqttWire.CONNACK, REFUSAL_WAIT).reasonCode())
          .as("a valid CONNECT on " + listener.name() + " (seed " + seed + ")").isZero();
      wire.send(MqttWire.disconnect());
    }
  }

  // the broker lets go of every fuzz connection (closed by either side) within a few seconds
  private void assertNoConnectionLeft(String when) {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    int connections = brokerConnections();
    while (connections > 0 && System.nanoTime() < deadline) {
      sleep(200);
      connections = brokerConnections();
    }
    assertThat(connections).as("broker connections " + when + " (seed " + seed + ")").isZero();
  }

  private void assertBackToBaseline() {
    long heap = usedHeapAfterGc();
    System.out.printf("fuzz heap: baseline %d MiB, after %d MiB%n", heapBaseline >> 20, heap >> 20);
    assertThat(heap - heapBaseline).as("heap growth after a GC (seed " + seed + ")").isLessThan(HEAP_SLACK);
  }

  private int brokerConnections() {
    try {
      HttpResponse<String> health = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.httpPort()
          + "/health")).timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
      JsonArray components = new JsonObject(health.body()).getJsonArray("components");
      for (int i = 0; i < components.size(); i++) {
        JsonObject details = components.getJsonObject(i).getJsonObject("details");
        if (details != null && details.containsKey("connections")) {
          return details.getInteger("connections");
        }
      }
      throw new AssertionError("no broker in /health: " + health.body());
    } catch (java.io.IOException e) {
      throw new AssertionError(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  // ---- helpers

  private static boolean isJsonObject(String body) {
    try {
      new JsonObject(body);
      return true;
    } catch (DecodeException | ClassCastException e) {
      return false;
    }
  }

  private static SSLSocketFactory tls(PrivateKey key, List<X509Certificate> chain) throws Exception {
    return sslContext(key, chain).getSocketFactory();
  }

  // the fuzzer is a client of a server it started itself: it authenticates with the device's key but does
  // not need to authenticate the server
  private static SSLContext sslContext(PrivateKey key, List<X509Certificate> chain) throws Exception {
    KeyStore keys = KeyStore.getInstance("PKCS12");
    keys.load(null, null);
    keys.setKeyEntry("device", key, "pw".toCharArray(), chain.toArray(X509Certificate[]::new));
    KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    kmf.init(keys, "pw".toCharArray());
    SSLContext context = SSLContext.getInstance("TLS");
    context.init(kmf.getKeyManagers(), new TrustManager[] {new TrustAnyServer()}, null);
    return context;
  }

  private static final class TrustAnyServer implements X509TrustManager {
    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) {
      throw new UnsupportedOperationException("client side only");
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) {
      // the node under test is ours, started above
    }

    @Override
    public X509Certificate[] getAcceptedIssuers() {
      return new X509Certificate[0];
    }
  }

  private static long usedHeapAfterGc() {
    for (int i = 0; i < 3; i++) {
      System.gc();
      sleep(100);
    }
    return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private static int freePort() throws Exception {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }
}
