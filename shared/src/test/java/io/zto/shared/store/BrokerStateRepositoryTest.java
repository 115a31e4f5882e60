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
    Await.result(repo.saveSession(new StoredSession("c1", 300, "n1", NOW.plusSeconds(300)), NOW));
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
  void deletingASessionRemovesItsSubscriptionsAndQueue(Database db) {
    BrokerStateRepository repo = new BrokerStateRepository(db);
    Await.result(repo.saveSession(new StoredSession("c2", 60, "n1", null), NOW));
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
    Await.result(repo.saveSession(new StoredSession("old", 60, "n1", NOW.minusSeconds(1)), NOW));
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
