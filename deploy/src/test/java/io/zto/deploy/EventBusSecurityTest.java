package io.zto.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.hazelcast.config.Config;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import io.vertx.sqlclient.Tuple;
import io.zto.shared.cluster.NodeCertificates;
import io.zto.shared.config.ZtoConfig;
import io.zto.shared.bus.Addresses;
import io.zto.shared.testing.Await;
import io.zto.shared.testing.TestChains;
import io.zto.shared.testing.ThrowawayPostgres;
import java.io.IOException;
import java.io.InputStream;
import java.net.SocketTimeoutException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Node-to-node traffic is mutual TLS by default: one clustered node on PostgreSQL, then processes without
 * its cluster's credentials try its event-bus port (raw TLS clients) and its cluster (a rogue Vert.x node
 * with the cluster's name): nothing they send is answered or acted on.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class EventBusSecurityTest {

  private Node node;
  private int eventBusPort;
  private int clusterPort;
  private String clusterName;

  @BeforeAll
  void start(@TempDir Path tmp) throws Exception {
    Path secret = Files.writeString(tmp.resolve("cluster-secret"), UUID.randomUUID() + "-" + UUID.randomUUID() + "\n");
    eventBusPort = freePort();
    clusterPort = freePort();
    clusterName = "ebs-" + UUID.randomUUID().toString().substring(0, 8);
    Map<String, String> settings = new HashMap<>();
    settings.put("dataDir", tmp.resolve("zto-data").toString());
    for (String port : new String[] {"http.port", "est.port", "mqtt.operational.port", "mqtt.provisioning.port"}) {
      settings.put(port, "0");
    }
    settings.put("db.url", ThrowawayPostgres.newDatabase());
    settings.put("cluster.enabled", "true");
    settings.put("cluster.name", clusterName);
    settings.put("cluster.port", Integer.toString(clusterPort));
    settings.put("cluster.members", "127.0.0.1:" + clusterPort);
    settings.put("cluster.eventBusPort", Integer.toString(eventBusPort));
    settings.put("cluster.secretFile", secret.toString());
    node = Await.result(Node.start(ZtoConfig.of(settings)));
  }

  @AfterAll
  void stop() {
    if (node != null) {
      Await.result(node.stop());
    }
  }

  @Test
  void tlsClientWithoutANodeCertificateCannotTalkToTheEventBus() throws Exception {
    // WHEN a client presents no certificate: nothing is accepted
    assertRefused(null, null);
  }

  @Test
  void tlsClientWithACertificateOfAnotherCaCannotTalkToTheEventBus() throws Exception {
    TestChains.Ca other = TestChains.root("Someone Else");
    TestChains.Leaf leaf = other.device("node-x");
    assertRefused(leaf.keyPair().getPrivate(), List.of(leaf.certificate(), other.certificate()));
  }

  @Test
  void deviceCertificateOfThePlatformCannotTalkToTheEventBus() throws Exception {
    // GIVEN an operational certificate of this very cluster's issuing CA (what every device holds)
    KeyPair keys = TestChains.ec("secp256r1");
    X509Certificate device = node.platform().pki().certificateAuthority("http://x/crl", "http://x/ca")
        .issue(keys.getPublic(), "gw-0001", Duration.ofDays(1));
    // THEN it is not a node certificate
    assertRefused(keys.getPrivate(), List.of(device, node.platform().pki().issuingCertificate()));
  }

  @Test
  void nodeCertificateCompletesTheHandshake() throws Exception {
    // the positive control: another node's identity, made from the same cluster material, is accepted (the
    // socket stays open, waiting for frames)
    NodeCertificates.NodeIdentity other = NodeCertificates.issue(node.platform().pki(), "127.0.0.2", Clock.systemUTC());
    try (SSLSocket socket = connect(other.key(), other.chain())) {
      socket.startHandshake();
      socket.getOutputStream().flush();
      socket.setSoTimeout(1500);
      try {
        int read = socket.getInputStream().read();
        throw new AssertionError("the event bus answered an empty connection with " + read);
      } catch (SocketTimeoutException expected) {
        // still open: accepted
      }
    }
  }

  @Test
  void rogueNodeWithTheClustersNameGetsNothingSignedOrAnswered() throws Exception {
    // GIVEN a process that joins the cluster by name (Hazelcast's open membership) with an event bus of its own
    Config hz = new Config().setClusterName(clusterName);
    hz.setProperty("hazelcast.logging.type", "slf4j");
    hz.getNetworkConfig().setPort(freePort()).getJoin().getMulticastConfig().setEnabled(false);
    hz.getNetworkConfig().getJoin().getAutoDetectionConfig().setEnabled(false);
    hz.getNetworkConfig().getJoin().getTcpIpConfig().setEnabled(true).addMember("127.0.0.1:" + clusterPort);
    hz.getNetworkConfig().getInterfaces().setEnabled(true).addInterface("127.0.0.1");
    Vertx rogue = Await.result(Vertx.builder().withClusterManager(new HazelcastClusterManager(hz)).buildClustered());
    try {
      DeliveryOptions quick = new DeliveryOptions().setSendTimeout(5000);
      // WHEN it asks the node to sign a command and to provision a device
      Throwable command = Await.failure(rogue.eventBus().request(Addresses.COMMAND_CREATE, new JsonObject()
          .put("deviceId", "gw-0001").put("name", "reboot").put("args", new JsonObject()), quick));
      Throwable provisioning = Await.failure(rogue.eventBus().request(Addresses.PROVISIONING_REQUEST, new JsonObject()
          .put("deviceId", "gw-0001").put("requestId", "r1").put("ldevidPem", "x"), quick));
      // THEN neither is answered, and nothing was recorded
      assertThat(command).isNotNull();
      assertThat(provisioning).isNotNull();
      long commands = Await.result(node.platform().db().query("SELECT COUNT(*) AS n FROM commands", Tuple.tuple()))
          .iterator().next().getLong("n");
      assertThat(commands).isZero();
    } finally {
      Await.result(rogue.close());
    }
  }

  private void assertRefused(PrivateKey key, List<X509Certificate> chain) throws Exception {
    try (SSLSocket socket = connect(key, chain)) {
      socket.setSoTimeout(5000);
      try {
        socket.startHandshake();
        // TLS 1.3: the server judges the client certificate after the client finished; the refusal is an alert
        socket.getOutputStream().write(new byte[] {0, 0, 0, 1, 1});
        socket.getOutputStream().flush();
        InputStream in = socket.getInputStream();
        int read = in.read();
        assertThat(read).as("the event bus closed the connection").isEqualTo(-1);
      } catch (SocketTimeoutException e) {
        throw new AssertionError("the event bus kept a connection without a node certificate open", e);
      } catch (IOException refused) {
        // the handshake or the first read failed: refused
      }
    }
  }

  private SSLSocket connect(PrivateKey key, List<X509Certificate> chain) throws Exception {
    KeyManagerFactory keys = null;
    if (key != null) {
      KeyStore store = KeyStore.getInstance("PKCS12");
      store.load(null, null);
      store.setKeyEntry("client", key, "pw".toCharArray(), chain.toArray(X509Certificate[]::new));
      keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
      keys.init(store, "pw".toCharArray());
    }
    // the client trusts anything: what is tested is whether the server accepts the client
    SSLContext context = TrustingTls.context(keys == null ? null : keys.getKeyManagers());
    return (SSLSocket) context.getSocketFactory().createSocket("127.0.0.1", eventBusPort);
  }

  private static int freePort() throws Exception {
    return ZtoProcess.freePorts(1)[0];
  }
}
