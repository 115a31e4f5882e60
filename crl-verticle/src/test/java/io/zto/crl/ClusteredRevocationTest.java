package io.zto.crl;

import static org.assertj.core.api.Assertions.assertThat;

import com.hazelcast.config.Config;
import com.hazelcast.config.JoinConfig;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.eventbus.EventBusOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonObject;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import io.zto.shared.Platform;
import io.zto.shared.bus.Addresses;
import io.zto.shared.bus.RevocationEvent;
import io.zto.shared.bus.RevocationRequest;
import io.zto.shared.config.ZtoConfig;
import io.zto.shared.domain.AuditEvent;
import io.zto.shared.domain.IssuedCertificate;
import io.zto.shared.pki.Fingerprints;
import io.zto.shared.pki.PlatformPki;
import io.zto.shared.store.AuditRepository;
import io.zto.shared.store.CertificateRepository;
import io.zto.shared.store.Database;
import io.zto.shared.store.DatabaseOptions;
import io.zto.shared.testing.Await;
import io.zto.shared.testing.TestPki;
import io.zto.shared.testing.ThrowawayPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The revocation service on two clustered nodes (Hazelcast on loopback) over one PostgreSQL database: a
 * request sent on either node is answered once, by one node's service, and every node hears each
 * announcement once.
 */
class ClusteredRevocationTest {

  @TempDir
  Path dataDir;

  private final List<Vertx> nodes = new ArrayList<>();
  private final List<Database> databases = new ArrayList<>();

  @AfterEach
  void close() {
    for (int i = nodes.size() - 1; i >= 0; i--) {
      Await.result(databases.get(i).close());
      Await.result(nodes.get(i).close());
    }
  }

  @Test
  void revocationRequestsFromAnyNodeAreAnsweredOnce() throws Exception {
    // GIVEN two clustered nodes of the crl role over one database, each listening to the revocation events
    PlatformPki pki = TestPki.create(dataDir);
    String url = ThrowawayPostgres.newDatabase();
    String cluster = "revocation-" + UUID.randomUUID();
    List<Integer> members = List.of(freePort(), freePort());
    List<String> deployments = new ArrayList<>();
    List<List<RevocationEvent>> heard = new ArrayList<>();
    for (int i = 0; i < 2; i++) {
      Vertx vertx = Await.result(Vertx.builder()
          .with(new VertxOptions().setEventBusOptions(new EventBusOptions().setHost("127.0.0.1").setPort(0)))
          .withClusterManager(new HazelcastClusterManager(hazelcast(cluster, members.get(i), members)))
          .buildClustered());
      nodes.add(vertx);
      Database db = Await.result(Database.open(vertx, new DatabaseOptions().setUrl(url).setPoolSize(4)));
      databases.add(db);
      Platform platform = new Platform(ZtoConfig.of(Map.of("dataDir", dataDir.toString())), db, pki,
          new SimpleMeterRegistry(), "node-" + i);
      deployments.add(Await.result(vertx.deployVerticle(new CrlVerticle(platform))));
      List<RevocationEvent> events = Collections.synchronizedList(new ArrayList<>());
      heard.add(events);
      Await.result(vertx.eventBus().<JsonObject>consumer(Addresses.REVOCATION_EVENTS,
          m -> events.add(RevocationEvent.fromJson(m.body()))).completion());
    }
    CertificateRepository certificates = new CertificateRepository(databases.get(0));
    List<String> serials = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      serials.add(issue(pki, certificates, "cluster-dev-" + i));
    }
    // WHEN half the revocations are asked on one node and half on the other, all at once
    List<Future<Message<JsonObject>>> replies = new ArrayList<>();
    for (int i = 0; i < serials.size(); i++) {
      replies.add(nodes.get(i % 2).eventBus().request(Addresses.REVOCATION_REQUEST,
          RevocationRequest.revokeCertificate(serials.get(i), "superseded", "operator").toJson()));
    }
    Await.result(Future.all(replies));
    // THEN each is answered as done, done once (one audit entry each), and heard once on every node
    for (Future<Message<JsonObject>> reply : replies) {
      assertThat(reply.result().body().getString("status")).isEqualTo("revoked");
    }
    for (List<RevocationEvent> events : heard) {
      awaitSize(events, serials.size());
    }
    Thread.sleep(300);
    for (List<RevocationEvent> events : heard) {
      assertThat(events).extracting(RevocationEvent::serial).containsExactlyInAnyOrderElementsOf(serials);
    }
    List<AuditEvent> audited = Await.result(new AuditRepository(databases.get(1)).list(AuditRepository.Query.all(100)))
        .items().stream().filter(e -> e.action().equals("certificate.revoke")).toList();
    assertThat(audited).hasSize(serials.size()).allSatisfy(e -> assertThat(e.outcome())
        .isEqualTo(AuditEvent.Outcome.SUCCEEDED));
    // AND with the first node's crl role gone, a request on that node is answered by the other
    Await.result(nodes.get(0).undeploy(deployments.get(0)));
    String late = issue(pki, certificates, "cluster-dev-late");
    JsonObject reply = Await.result(nodes.get(0).eventBus().<JsonObject>request(Addresses.REVOCATION_REQUEST,
        RevocationRequest.revokeCertificate(late, "keyCompromise", "operator").toJson())).body();
    assertThat(reply.getString("revocationReason")).isEqualTo("keyCompromise");
  }

  private static String issue(PlatformPki pki, CertificateRepository certificates, String deviceId) throws Exception {
    X509Certificate cert = TestPki.authority(pki).issue(io.zto.shared.pki.KeyPairs.ecP256().getPublic(), deviceId,
        Duration.ofDays(1));
    String serial = cert.getSerialNumber().toString(16);
    Await.result(certificates.insert(IssuedCertificate.issued(serial, deviceId, PlatformPki.ISSUING_CA,
        "CN=" + deviceId, "default", Fingerprints.publicKeySha256(cert), Fingerprints.sha256(cert),
        cert.getNotBefore().toInstant(), cert.getNotAfter().toInstant(), cert.getEncoded())));
    return serial;
  }

  private static void awaitSize(List<?> list, int size) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
    while (list.size() < size) {
      assertThat(System.nanoTime()).as("%d events, got %d", size, list.size()).isLessThan(deadline);
      Thread.sleep(20);
    }
  }

  private static Config hazelcast(String name, int port, List<Integer> members) {
    Config hz = new Config();
    hz.setClusterName(name);
    hz.setProperty("hazelcast.logging.type", "slf4j");
    hz.setProperty("hazelcast.phone.home.enabled", "false");
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
}
