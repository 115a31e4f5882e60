package io.zto.shared.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.zto.shared.store.Database;
import io.zto.shared.testing.Await;
import io.zto.shared.testing.Backend;
import io.zto.shared.testing.BackendTest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;

/**
 * Leases between "nodes" that are separate Vert.x instances on one database (on PostgreSQL this is what
 * separate processes see); a node dies by closing its Vert.x instance, so it neither renews nor releases.
 */
class LeaderLeaseTest {

  private static final Duration TTL = Duration.ofMillis(1500);

  private final List<Vertx> nodes = new ArrayList<>();

  @AfterEach
  void closeNodes() {
    nodes.forEach(node -> Await.result(node.close()));
  }

  @BackendTest
  void aLoneNodeLeadsAfterItsFirstAttempt(Database db) {
    // GIVEN one node WHEN its lease starts
    LeaderLease lease = started(db, "node-a");
    // THEN it leads and says so
    assertThat(lease.isLeader()).isTrue();
    assertThat(lease.leader()).isEqualTo("node-a");
  }

  @BackendTest
  void ofThreeNodesExactlyOneLeadsAndTheOthersKnowWhich(Database db) throws InterruptedException {
    // GIVEN three nodes whose leases start together
    List<LeaderLease> leases = List.of(started(db, "node-a"), started(db, "node-b"), started(db, "node-c"));
    // WHEN several renewal rounds pass
    for (int round = 0; round < 8; round++) {
      // THEN at every look exactly one leads, and every node names it
      assertThat(leases.stream().filter(LeaderLease::isLeader).count()).isEqualTo(1);
      Thread.sleep(TTL.toMillis() / 4);
    }
    String leader = leases.stream().filter(LeaderLease::isLeader).findFirst().orElseThrow().leader();
    leases.forEach(lease -> assertThat(lease.leader()).isEqualTo(leader));
  }

  @BackendTest
  void whenTheLeaderDiesAnotherTakesOverAfterItsLeaseExpiredAndWithinTtlPlusOneRenewal(Database db) {
    // GIVEN node A leading and node B waiting
    Vertx a = node();
    LeaderLease leaseA = startedOn(a, db, "node-a");
    LeaderLease leaseB = started(db, "node-b");
    assertThat(leaseA.isLeader()).isTrue();
    assertThat(leaseB.isLeader()).isFalse();
    assertThat(leaseB.leader()).isEqualTo("node-a");
    // WHEN A dies without giving its lease up
    long died = System.nanoTime();
    Await.result(a.close());
    nodes.remove(a);
    // THEN B leads within ttl plus one renewal interval (and some scheduling slack), not before the lease expired
    awaitTrue(leaseB::isLeader, TTL.plus(TTL.dividedBy(3)).plusMillis(1500));
    long tookMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - died);
    assertThat(tookMillis).isGreaterThanOrEqualTo(TTL.toMillis() / 2);
    assertThat(leaseB.leader()).isEqualTo("node-b");
  }

  @BackendTest
  void aStoppedLeaderHandsOverAtTheNextAttemptOfAnother(Database db) {
    // GIVEN A leading, B waiting
    LeaderLease leaseA = started(db, "node-a");
    LeaderLease leaseB = started(db, "node-b");
    // WHEN A stops (a node shutting down)
    Await.result(leaseA.stop());
    // THEN A no longer leads and B leads after one renewal interval, long before A's lease would have expired
    assertThat(leaseA.isLeader()).isFalse();
    awaitTrue(leaseB::isLeader, TTL.dividedBy(3).plusMillis(800));
  }

  @BackendTest
  void aLeaderThatCannotRenewStepsDownByItsDeadline(Backend backend) {
    // GIVEN a node leading on a database (its own connection pool) that then goes away
    Vertx own = node();
    Database closing = Await.result(backend.open(own));
    LeaderLease lease = startedOn(own, closing, "node-a");
    assertThat(lease.isLeader()).isTrue();
    // WHEN its renewals stop succeeding (the node's event loop keeps running, the database is closed)
    Await.result(closing.close());
    // THEN it stops counting itself leader within the ttl
    awaitTrue(() -> !lease.isLeader(), TTL.plusMillis(500));
  }

  @BackendTest
  void theHandlerHearsWhenLeadershipComesAndGoes(Database db) {
    // GIVEN A leading with a handler, B waiting with one
    List<Boolean> heardByA = new java.util.concurrent.CopyOnWriteArrayList<>();
    List<Boolean> heardByB = new java.util.concurrent.CopyOnWriteArrayList<>();
    LeaderLease leaseA = startedOn(node(), db, "node-a", heardByA::add);
    LeaderLease leaseB = startedOn(node(), db, "node-b", heardByB::add);
    assertThat(heardByA).containsExactly(true);
    assertThat(heardByB).isEmpty();
    // WHEN A stops THEN A hears it lost, and B hears it won
    Await.result(leaseA.stop());
    assertThat(heardByA).containsExactly(true, false);
    awaitTrue(() -> heardByB.equals(List.of(true)), TTL);
    assertThat(leaseB.isLeader()).isTrue();
  }

  private LeaderLease started(Database db, String nodeId) {
    return startedOn(node(), db, nodeId);
  }

  private Vertx node() {
    Vertx vertx = Vertx.vertx();
    nodes.add(vertx);
    return vertx;
  }

  private static LeaderLease startedOn(Vertx vertx, Database db, String nodeId) {
    return startedOn(vertx, db, nodeId, leader -> { });
  }

  private static LeaderLease startedOn(Vertx vertx, Database db, String nodeId, io.vertx.core.Handler<Boolean> handler) {
    LeaderLease lease = LeaderLease.create(vertx, db, "crl", nodeId, TTL).leadershipHandler(handler);
    Promise<Void> started = Promise.promise();
    vertx.getOrCreateContext().runOnContext(ignored -> lease.start().onComplete(started));
    Await.result(started.future());
    return lease;
  }

  private static void awaitTrue(BooleanSupplier condition, Duration within) {
    long deadline = System.nanoTime() + within.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("not true within " + within);
      }
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError(e);
      }
    }
  }
}
