package io.zto.deploy;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.zto.shared.testing.ChildProcess;
import io.zto.shared.testing.ThrowawayPostgres;
import io.zto.simulator.Endpoints;
import io.zto.simulator.FactoryConfig;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * {@code target/zto.jar} as several clustered processes on loopback (Hazelcast TCP-IP join between them), all on one
 * fresh database of the throwaway PostgreSQL, with one cluster secret; each node also opens the plain MQTT listener
 * for mosquitto_pub/sub. The nodes are started at the same time, so they race on migrations and on seeding the
 * shared CA.
 */
final class ZtoCluster implements AutoCloseable {

  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  private final List<ZtoProcess> nodes;
  private final int[] plainPorts;
  private final String dbUrl;

  private ZtoCluster(List<ZtoProcess> nodes, int[] plainPorts, String dbUrl) {
    this.nodes = nodes;
    this.plainPorts = plainPorts;
    this.dbUrl = dbUrl;
  }

  /**
   * Starts {@code count} nodes with data dirs {@code dir/node-0...} and logs {@code logs/node-0.log...} (kept
   * under target/ so a failure in CI can be read afterwards).
   */
  static ZtoCluster start(Path dir, Path logs, int count, String... extraSettings) throws Exception {
    Files.createDirectories(logs);
    String db = ThrowawayPostgres.newDatabase();
    Path secret = dir.resolve("cluster-secret");
    Files.writeString(secret, UUID.randomUUID() + "-" + UUID.randomUUID() + "\n");
    // all at once, so that no two nodes are handed the same free port
    int[] ports = ZtoProcess.freePorts(7 * count);
    int[] clusterPorts = Arrays.copyOfRange(ports, 0, count);
    int[] eventBus = Arrays.copyOfRange(ports, 6 * count, 7 * count);
    int[] plain = Arrays.copyOfRange(ports, count, 2 * count);
    String members = Arrays.stream(clusterPorts).mapToObj(port -> "127.0.0.1:" + port).collect(Collectors.joining(","));
    String name = "it-" + UUID.randomUUID().toString().substring(0, 8);
    ExecutorService starting = Executors.newFixedThreadPool(count);
    try {
      List<Future<ZtoProcess>> started = new ArrayList<>();
      for (int i = 0; i < count; i++) {
        List<String> settings = new ArrayList<>(List.of("db.url=" + db, "cluster.enabled=true",
            "cluster.secretFile=" + secret, "cluster.port=" + clusterPorts[i], "cluster.members=" + members,
            "cluster.name=" + name, "mqtt.plain.enabled=true", "mqtt.plain.port=" + plain[i],
            "mqtt.plain.allowAnonymous=true", "cluster.eventBusPort=" + eventBus[i]));
        settings.addAll(List.of(extraSettings));
        int index = i;
        int[] own = Arrays.copyOfRange(ports, 2 * count + 4 * index, 2 * count + 4 * index + 4);
        started.add(starting.submit(() -> ZtoProcess.start(dir.resolve("node-" + index), logs.resolve("node-" + index + ".log"),
            own, settings.toArray(String[]::new))));
      }
      List<ZtoProcess> nodes = new ArrayList<>();
      try {
        for (Future<ZtoProcess> node : started) {
          nodes.add(node.get());
        }
      } catch (Exception e) {
        for (Future<ZtoProcess> node : started) {
          try {
            node.get().stop();
          } catch (Exception failedToo) {
            e.addSuppressed(failedToo);
          }
        }
        throw e;
      }
      return new ZtoCluster(nodes, plain, db);
    } finally {
      starting.shutdown();
    }
  }

  ZtoProcess node(int i) {
    return nodes.get(i);
  }

  int size() {
    return nodes.size();
  }

  /** The plain MQTT port of node {@code i}. */
  int plain(int i) {
    return plainPorts[i];
  }

  /** The database every node uses. */
  String dbUrl() {
    return dbUrl;
  }

  OperatorClient operator(int i) throws Exception {
    return new OperatorClient(node(i).api(), node(i).token());
  }

  /**
   * Plays the factory ({@code zto factory} against node 0's data dir, the provisioning URL of node 0) and the
   * operator (both CAs trusted and every device's enrollment imported through node {@code via}'s API).
   *
   * @return the factory's output dir ({@code devices/gw-000001/factory.json}...)
   */
  Path registeredDevices(Path dir, int count, int via) throws Exception {
    Path factory = dir.resolve("factory");
    Process tool = new ProcessBuilder(ZtoProcess.java(), "-jar", ZtoProcess.JAR.toString(), "factory", "--out",
        factory.toString(), "--count", Integer.toString(count), "--platform-data-dir", node(0).dataDir().toString(),
        "--provisioning-url", "mqtts://localhost:" + node(0).provisioning())
        .redirectErrorStream(true).redirectOutput(dir.resolve("factory.log").toFile()).start();
    if (!tool.waitFor(300, TimeUnit.SECONDS)) {
      ChildProcess.kill(tool);
      throw new AssertionError("zto factory did not finish in 300 s, see " + dir.resolve("factory.log"));
    }
    if (tool.exitValue() != 0) {
      throw new AssertionError("zto factory failed, see " + dir.resolve("factory.log"));
    }
    OperatorClient operator = operator(via);
    for (String[] anchor : new String[][] {{"customer", "ldevid"}, {"manufacturer", "idevid"}}) {
      operator.api("POST", "/api/v1/trust-anchors", "application/json", new JsonObject().put("name", anchor[0])
          .put("purpose", anchor[1]).put("pem", Files.readString(factory.resolve(anchor[0] + "-ca.pem"))).encode());
    }
    int imported = OperatorClient.json(operator.api("POST", "/api/v1/enrollments:import", "application/x-ndjson",
        Files.readString(factory.resolve("enrollments.jsonl")))).getInteger("imported");
    if (imported != count) {
      throw new AssertionError("imported " + imported + " of " + count + " enrollments");
    }
    return factory;
  }

  /** The factory config of the {@code i}-th device (0-based) of {@link #registeredDevices}. */
  static FactoryConfig device(Path factory, int i) {
    return FactoryConfig.read(factory.resolve(String.format("devices/gw-%06d/factory.json", i + 1)));
  }

  /** Every node's provisioning, EST and operational endpoints, node 0 first. */
  Endpoints endpoints() {
    List<String> provisioning = new ArrayList<>();
    List<String> est = new ArrayList<>();
    List<String> mqtt = new ArrayList<>();
    for (ZtoProcess node : nodes) {
      provisioning.add("mqtts://localhost:" + node.provisioning());
      est.add("https://localhost:" + node.est() + "/.well-known/est");
      mqtt.add("mqtts://localhost:" + node.operational());
    }
    return new Endpoints(provisioning, est, mqtt);
  }

  /** The node's {@code /health}. */
  JsonObject health(int i) throws Exception {
    HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create(node(i).api() + "/health"))
        .timeout(Duration.ofSeconds(3)).build(), HttpResponse.BodyHandlers.ofString());
    return new JsonObject(response.body());
  }

  /** The details of one component ({@code broker}, {@code crl}, ...) in the node's {@code /health}. */
  JsonObject component(int i, String component) throws Exception {
    JsonArray components = health(i).getJsonArray("components");
    for (int j = 0; j < components.size(); j++) {
      if (component.equals(components.getJsonObject(j).getString("component"))) {
        return components.getJsonObject(j).getJsonObject("details", new JsonObject());
      }
    }
    throw new AssertionError("node " + i + " reports no " + component);
  }

  @Override
  public void close() throws InterruptedException {
    for (ZtoProcess node : nodes) {
      if (node.process().isAlive()) {
        node.stop();
      }
    }
  }
}
