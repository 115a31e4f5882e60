package io.zto.broker;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.json.JsonObject;
import io.zto.shared.store.BrokerStateRepository;
import io.zto.shared.store.BrokerStateRepository.QueuedMessage;
import io.zto.shared.store.BrokerStateRepository.StoredSession;
import io.zto.shared.store.BrokerStateRepository.StoredSubscription;
import java.time.Instant;
import java.util.List;

/**
 * Loads the stored broker state at start, before the listeners open: retained messages, persistent
 * sessions with their subscriptions and queued messages. Unacknowledged messages come back as queued,
 * so they are sent again (without DUP: the new connection never saw them).
 */
final class BrokerRestore {

  private record Snapshot(List<JsonObject> retained, List<StoredSession> sessions,
                          List<StoredSubscription> subscriptions, List<QueuedMessage> queued) {}

  private BrokerRestore() {}

  static Future<Void> load(BrokerStateRepository repo, Broker broker, Context context) {
    Instant now = Instant.now();
    return repo.deleteExpired(now)
        .compose(v -> Future.all(repo.retained(now), repo.sessions(now), repo.subscriptions(), repo.queued()))
        .map(all -> new Snapshot(all.resultAt(0), all.resultAt(1), all.resultAt(2), all.resultAt(3)))
        .compose(snapshot -> {
          // the broker state is confined to the verticle's context, whatever thread the database answered on
          Promise<Void> applied = Promise.promise();
          context.runOnContext(x -> {
            apply(snapshot, broker, now);
            applied.complete();
          });
          return applied.future();
        });
  }

  private static void apply(Snapshot snapshot, Broker broker, Instant now) {
    snapshot.retained().forEach(json -> broker.restoreRetained(Message.fromJson(json)));
    for (StoredSession stored : snapshot.sessions()) {
      long remaining = stored.expiresAt() == null ? stored.expirySeconds()
          : Math.max(1, stored.expiresAt().getEpochSecond() - now.getEpochSecond());
      broker.restoreSession(stored.clientId(), stored.expirySeconds(), remaining);
    }
    for (StoredSubscription stored : snapshot.subscriptions()) {
      Session session = broker.session(stored.clientId());
      Subscription sub = StoredJournal.subscription(stored.clientId(), stored.filter(), stored.options());
      if (session != null && sub != null) {
        broker.restoreSubscription(session, sub);
      }
    }
    for (QueuedMessage queued : snapshot.queued()) {
      Session session = broker.session(queued.clientId());
      if (session != null) {
        session.window().waiting().addLast(StoredJournal.outbound(queued.message()));
      }
    }
  }
}
