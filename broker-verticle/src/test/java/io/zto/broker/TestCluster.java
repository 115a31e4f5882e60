package io.zto.broker;

import com.hazelcast.config.Config;
import com.hazelcast.config.JoinConfig;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.eventbus.EventBusOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import io.zto.shared.Platform;
import io.zto.shared.config.ZtoConfig;
import io.zto.shared.pki.PlatformPki;
import io.zto.shared.security.SecretHasher;
import io.zto.shared.store.Database;
import io.zto.shared.store.DatabaseOptions;
import io.zto.shared.testing.Await;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.function.Supplier;

/**
 * Several clustered Vert.x instances in one JVM, each with its own Hazelcast member (TCP-IP join on loopback,
 * multicast off, as deploy's {@code Clustering} sets it up) and a broker verticle, all on one PostgreSQL
 * database: the nodes of a cluster without separate processes.
 */
final class TestCluster implements AutoCloseable {

  /** One node: its Vert.x, platform and broker. */
  record Node(Vertx vertx, Platform platform, BrokerVerticle verticle) {
    int plainPort() {
      return verticle.actualPorts().getInteger("plain");
    }

    int operationalPort() {
      return verticle.actualPorts().getInteger("operational");
    }

    /** Runs {@code action} on the broker's context and waits for it (broker state is confined there). */
    <T> T onBroker(Supplier<T> action) {
      io.vertx.core.Promise<T> promise = io.vertx.core.Promise.promise();
      verticle.brokerContext().runOnContext(v -> promise.complete(action.get()));
      return Await.result(promise.future());
    }
  }

  final List<Node> nodes = new ArrayList<>();
  private final String name = "zto-test-" + UUID.randomUUID();
  private final List<Integer> memberPorts = new ArrayList<>();
  private final String databaseUrl;
  private final PlatformPki pki;
  /** Password of the service account {@value #ACCOUNT} (operational listener; allow list {@code backend/#}). */
  static final String ACCOUNT_PASSWORD = "cluster-backend-password";
  static final String ACCOUNT = "backend";
  private static final String ACCOUNT_HASH = SecretHasher.argon2id().hash(ACCOUNT_PASSWORD);

  private final ZtoConfig config = ZtoConfig.fromJson(new JsonObject().put("mqtt", new JsonObject()
      .put("host", "127.0.0.1")
      .put("plain", new JsonObject().put("enabled", true).put("port", 0).put("allowAnonymous", true))
      .put("operational", new JsonObject().put("port", 0)).put("provisioning", new JsonObject().put("port", 0))
      .put("serviceAccounts", new JsonArray().add(new JsonObject().put("username", ACCOUNT)
          .put("passwordHash", ACCOUNT_HASH).put("allow", new JsonArray().add("backend/#"))))));

  private TestCluster(String databaseUrl, PlatformPki pki) {
    this.databaseUrl = databaseUrl;
    this.pki = pki;
  }

  /** {@code count} nodes on the database at {@code databaseUrl}, with the same PKI. */
  static TestCluster start(int count, String databaseUrl, PlatformPki pki) {
    TestCluster cluster = new TestCluster(databaseUrl, pki);
    try {
      for (int i = 0; i < count; i++) {
        cluster.addNode();
      }
    } catch (RuntimeException e) {
      cluster.close();
      throw e;
    }
    return cluster;
  }

  /** Starts one more node; it joins the members started before it. */
  Node addNode() {
    memberPorts.add(freePort());
    int port = memberPorts.get(memberPorts.size() - 1);
    Vertx vertx = Await.result(Vertx.builder()
        .with(new VertxOptions().setEventBusOptions(new EventBusOptions().setHost("127.0.0.1").setPort(0)))
        .withClusterManager(new HazelcastClusterManager(hazelcast(name, port, memberPorts)))
        .buildClustered());
    Database db = Await.result(Database.open(vertx, new DatabaseOptions().setUrl(databaseUrl).setPoolSize(4)));
    Platform platform = new Platform(config, db, pki, new SimpleMeterRegistry(),
        "node-" + UUID.randomUUID().toString().substring(0, 8));
    BrokerVerticle verticle = new BrokerVerticle(platform);
    Node node = new Node(vertx, platform, verticle);
    nodes.add(node);
    Await.result(vertx.deployVerticle(verticle));
    return node;
  }

  /** Stops one node (its Vert.x leaves the cluster). */
  void stop(Node node) {
    nodes.remove(node);
    Await.result(node.vertx().close());
  }

  Node node(int index) {
    return nodes.get(index);
  }

  private static Config hazelcast(String name, int port, List<Integer> members) {
    Config hz = new Config();
    hz.setClusterName(name);
    hz.setProperty("hazelcast.logging.type", "slf4j");
    hz.setProperty("hazelcast.phone.home.enabled", "false");
    // members on loopback find each other at once: no need to wait for more before joining
    hz.setProperty("hazelcast.wait.seconds.before.join", "0");
    hz.getNetworkConfig().setPort(port).setPortAutoIncrement(false);
    hz.getNetworkConfig().getInterfaces().setEnabled(true).addInterface("127.0.0.1");
    JoinConfig join = hz.getNetworkConfig().getJoin();
    join.getMulticastConfig().setEnabled(false);
    join.getAutoDetectionConfig().setEnabled(false);
    join.getTcpIpConfig().setEnabled(true);
    members.forEach(member -> join.getTcpIpConfig().addMember("127.0.0.1:" + member));
    return hz;
  }

  private static int freePort() {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public void close() {
    for (int i = nodes.size() - 1; i >= 0; i--) {
      Await.result(nodes.get(i).vertx().close());
    }
  }
}
