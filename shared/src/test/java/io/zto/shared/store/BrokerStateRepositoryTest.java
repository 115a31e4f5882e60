package io.zto.shared.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import io.zto.shared.store.BrokerStateRepository.StoredSession;
import io.zto.shared.store.BrokerStateRepository.StoredSubscription;
import io.zto.shared.testing.Await;
import io.zto.shared.testing.BackendTest;
import java.time.Instant;
import java.util.List;

class BrokerStateRepositoryTest {

  private static final Instant NOW = Instant.parse("2026-11-28T04:00:00Z");

  @BackendTest
  void aSessionWithSubscriptionsAndQueueIsReadBackInOrder(Database db) {
    BrokerStateRepository repo = new BrokerStateRepository(db);
    // GIVEN a persistent session with a subscription and three queued messages
    Await.result(repo.saveSession(new StoredSession("c1", 300, "n1", NOW.plusSeconds(300), "account:c1"), NOW));
    Await.result(repo.putSubscription(new StoredSubscription("c1", "a/#", new JsonObject().put("qos", 1))));
    Await.result(repo.putSubscription(new StoredSubscription("c1", "a/#", new JsonObject().put("qos", 2))));
    Await.result(repo.replaceQueue("c1", List.of(new JsonObject().put("n", 1), new JsonObject().put("n", 2))));
    Await.result(repo.enqueue("c1", new JsonObject().put("n", 3)));
    // WHEN it is read back THEN the latest subscription options and the queue in order come back
    assertThat(Await.result(repo.sessions(NOW))).extracting(StoredSession::clientId).containsExactly("c1");
    assertThat(Await.result(repo.subscriptions())).extracting(s -> s.options().getInteger("qos")).containsExactly(2);
    assertThat(Await.result(repo.queued())).extracting(q -> q.message().getInteger("n")).containsExactly(1, 2, 3);
  }

  @BackendTest
  void savingASessionWithItsQueueReplacesTheQueueOfThatSessionOnly(Database db) {
    BrokerStateRepository repo = new BrokerStateRepository(db);
    // GIVEN two sessions with queued messages
    Await.result(repo.saveSession(new StoredSession("c1", 300, "n1", null, "account:c1"), NOW,
        List.of(new JsonObject().put("n", 1), new JsonObject().put("n", 2))));
    Await.result(repo.saveSession(new StoredSession("c2", 300, "n1", null, "account:c2"), NOW,
        List.of(new JsonObject().put("n", 9))));
    // WHEN the first goes offline with one message left
    Await.result(repo.saveSession(new StoredSession("c1", 300, "n2", NOW.plusSeconds(300), "account:c1"), NOW,
        List.of(new JsonObject().put("n", 2))));
    // THEN its row and queue are replaced and the other session's queue is untouched
    assertThat(Await.result(repo.sessions(NOW))).extracting(StoredSession::node).containsExactly("n2", "n1");
    assertThat(Await.result(repo.queued("c1"))).extracting(q -> q.message().getInteger("n")).containsExactly(2);
    assertThat(Await.result(repo.queued("c2"))).extracting(q -> q.message().getInteger("n")).containsExactly(9);
  }

  @BackendTest
  void oneSessionIsReadWithItsOwnSubscriptionsAndQueueOnly(Database db) {
    BrokerStateRepository repo = new BrokerStateRepository(db);
    // GIVEN two sessions, each with a subscription and a queued message
    for (String id : List.of("c1", "c2")) {
      Await.result(repo.saveSession(new StoredSession(id, 300, "n1", null, "account:" + id), NOW));
      Await.result(repo.putSubscription(new StoredSubscription(id, id + "/#", new JsonObject())));
      Await.result(repo.enqueue(id, new JsonObject().put("for", id)));
    }
    // WHEN one is read THEN only its own rows come back; an unknown client has no session
    assertThat(Await.result(repo.session("c2", NOW)).node()).isEqualTo("n1");
    assertThat(Await.result(repo.subscriptions("c2"))).extracting(StoredSubscription::filter).containsExactly("c2/#");
    assertThat(Await.result(repo.queued("c2"))).extracting(q -> q.message().getString("for")).containsExactly("c2");
    assertThat(Await.result(repo.session("nobody", NOW))).isNull();
  }

  @BackendTest
  void sessionsOfAGoneNodeAreAdoptedOnce(Database db) {
    BrokerStateRepository repo = new BrokerStateRepository(db);
    // GIVEN two sessions of node n1 and one of n2
    Await.result(repo.saveSession(new StoredSession("a", 60, "n1", null, "account:a"), NOW));
    Await.result(repo.saveSession(new StoredSession("b", 60, "n1", null, "account:b"), NOW));
    Await.result(repo.saveSession(new StoredSession("c", 60, "n2", null, "account:c"), NOW));
    assertThat(Await.result(repo.owners())).containsExactly("n1", "n2");
    // WHEN n3 adopts n1's sessions, and n4 tries the same afterwards
    List<String> first = Await.result(repo.adopt("n1", "n3"));
    List<String> second = Await.result(repo.adopt("n1", "n4"));
    // THEN n3 got both, n4 none, and n2 keeps its own
    assertThat(first).containsExactlyInAnyOrder("a", "b");
    assertThat(second).isEmpty();
    assertThat(Await.result(repo.owners())).containsExactly("n2", "n3");
    // AND a single session changes owner only from the owner named
    assertThat(Await.result(repo.adoptSession("c", "n1", "n5"))).isFalse();
    assertThat(Await.result(repo.adoptSession("c", "n2", "n5"))).isTrue();
    assertThat(Await.result(repo.session("c", NOW)).node()).isEqualTo("n5");
  }

  @BackendTest
  void aSessionKeepsItsOwnerThroughEverySave(Database db) {
    BrokerStateRepository repo = new BrokerStateRepository(db);
    // GIVEN a device's session stored online, then offline by another node, and one stored without an owner
    Await.result(repo.saveSession(new StoredSession("dev-1", 60, "n1", null, "operational:dev-1"), NOW));
    Await.result(repo.saveSession(new StoredSession("dev-1", 60, "n2", NOW.plusSeconds(60), "operational:dev-1"), NOW,
        List.of()));
    Await.result(repo.saveSession(new StoredSession("legacy", 60, "n1", null, null), NOW));
    // WHEN they are read back, one by one and all at once
    // THEN each has the owner it was stored with, and none is made up for the one without
    assertThat(Await.result(repo.session("dev-1", NOW)).owner()).isEqualTo("operational:dev-1");
    assertThat(Await.result(repo.session("legacy", NOW)).owner()).isNull();
    assertThat(Await.result(repo.sessions(NOW))).extracting(StoredSession::owner)
        .containsExactly("operational:dev-1", null);
  }

  @BackendTest
  void deletingASessionRemovesItsSubscriptionsAndQueue(Database db) {
    BrokerStateRepository repo = new BrokerStateRepository(db);
    Await.result(repo.saveSession(new StoredSession("c2", 60, "n1", null, "account:c2"), NOW));
    Await.result(repo.putSubscription(new StoredSubscription("c2", "x", new JsonObject())));
    Await.result(repo.enqueue("c2", new JsonObject()));
    Await.result(repo.deleteSession("c2"));
    assertThat(Await.result(repo.sessions(NOW))).isEmpty();
    assertThat(Await.result(repo.subscriptions())).isEmpty();
    assertThat(Await.result(repo.queued())).isEmpty();
  }

  @BackendTest
  void expiredSessionsAreNotReadAndAreDeleted(Database db) {
    BrokerStateRepository repo = new BrokerStateRepository(db);
    Await.result(repo.saveSession(new StoredSession("old", 60, "n1", NOW.minusSeconds(1), "account:old"), NOW));
    Await.result(repo.putSubscription(new StoredSubscription("old", "x", new JsonObject())));
    assertThat(Await.result(repo.sessions(NOW))).isEmpty();
    Await.result(repo.deleteExpired(NOW));
    assertThat(Await.result(repo.subscriptions())).isEmpty();
  }

  @BackendTest
  void retainedMessagesAreReplacedClearedAndExpire(Database db) {
    BrokerStateRepository repo = new BrokerStateRepository(db);
    Await.result(repo.retain("t/1", new JsonObject().put("v", 1), null));
    Await.result(repo.retain("t/1", new JsonObject().put("v", 2), null));
    Await.result(repo.retain("t/2", new JsonObject().put("v", 3), NOW.minusSeconds(1)));
    Await.result(repo.retain("t/3", new JsonObject().put("v", 4), null));
    Await.result(repo.retain("t/3", null, null));
    assertThat(Await.result(repo.retained(NOW))).extracting(j -> j.getInteger("v")).containsExactly(2);
  }
}
