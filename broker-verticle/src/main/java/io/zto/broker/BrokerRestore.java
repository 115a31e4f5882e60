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
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Loads the stored broker state at start, before the listeners open: retained messages, and the persistent
 * sessions this node owns with their subscriptions and queued messages. A session belongs to the node that
 * last held it ({@code broker_sessions.node}); sessions of nodes that are gone (every other node when not
 * clustered) are adopted first, each by exactly one node. Unacknowledged messages come back as queued, so
 * they are sent again (without DUP: the new connection never saw them).
 */
final class BrokerRestore {

  private static final Logger LOG = LoggerFactory.getLogger(BrokerRestore.class);

  /** What is loaded: retained messages (none when loading one session) and sessions with their state. */
  record Snapshot(List<JsonObject> retained, List<StoredSession> sessions,
                  List<StoredSubscription> subscriptions, List<QueuedMessage> queued) {}

  private BrokerRestore() {}

  /**
   * Loads what this node owns into {@code broker}. {@code alive} tells whether another node (by id) still
   * runs; its sessions stay with it.
   */
  static Future<Void> load(BrokerStateRepository repo, Broker broker, Context context, String nodeId,
                           Function<String, Future<Boolean>> alive) {
    Instant now = Instant.now();
    return repo.deleteExpired(now)
        .compose(v -> adoptOrphans(repo, nodeId, alive))
        .compose(v -> Future.all(repo.retained(now), repo.sessions(now), repo.subscriptions(), repo.queued()))
        .map(all -> new Snapshot(all.resultAt(0), owned(all.resultAt(1), nodeId), all.resultAt(2), all.resultAt(3)))
        .compose(snapshot -> applyOn(context, snapshot, broker, now));
  }

  /** Loads one stored session (taken over from another node) unless the broker has one by now. */
  static Future<Void> loadSession(BrokerStateRepository repo, Broker broker, Context context, String clientId) {
    Instant now = Instant.now();
    return Future.all(repo.session(clientId, now), repo.subscriptions(clientId), repo.queued(clientId))
        .compose(all -> {
          StoredSession stored = all.resultAt(0);
          if (stored == null) {
            return Future.succeededFuture();
          }
          return applyOn(context, new Snapshot(List.of(), List.of(stored), all.resultAt(1), all.resultAt(2)),
              broker, now);
        });
  }

  /**
   * Takes over the stored sessions of nodes that are gone ({@code alive} answers false); returns the client
   * ids this node adopted. Several nodes adopting at once each get a disjoint part.
   */
  static Future<List<String>> adoptOrphans(BrokerStateRepository repo, String nodeId,
                                           Function<String, Future<Boolean>> alive) {
    return repo.owners().compose(owners -> {
      List<Future<List<String>>> adopted = new ArrayList<>();
      for (String other : owners) {
        if (!other.equals(nodeId)) {
          adopted.add(alive.apply(other).compose(up -> up ? Future.succeededFuture(List.of())
              : repo.adopt(other, nodeId)));
        }
      }
      return Future.all(adopted).map(all -> {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < all.size(); i++) {
          ids.addAll(all.<List<String>>resultAt(i));
        }
        return ids;
      });
    });
  }

  private static List<StoredSession> owned(List<StoredSession> sessions, String nodeId) {
    return sessions.stream().filter(s -> nodeId.equals(s.node())).toList();
  }

  private static Future<Void> applyOn(Context context, Snapshot snapshot, Broker broker, Instant now) {
    // the broker state is confined to the verticle's context, whatever thread the database answered on
    Promise<Void> applied = Promise.promise();
    context.runOnContext(x -> {
      apply(snapshot, broker, now);
      applied.complete();
    });
    return applied.future();
  }

  private static void apply(Snapshot snapshot, Broker broker, Instant now) {
    Bounds bounds = new Bounds(broker);
    snapshot.retained().forEach(json -> bounds.retained(Message.fromJson(json)));
    Set<String> loaded = new LinkedHashSet<>();
    for (StoredSession stored : snapshot.sessions()) {
      if (broker.session(stored.clientId()) != null) {
        continue; // the client connected here meanwhile: what it has now wins
      }
      long remaining = stored.expiresAt() == null ? stored.expirySeconds()
          : Math.max(1, stored.expiresAt().getEpochSecond() - now.getEpochSecond());
      // the owner comes back with the session: a restart hands nobody else its subscriptions and queue
      broker.restoreSession(stored.clientId(), stored.owner(), stored.expirySeconds(), remaining);
      loaded.add(stored.clientId());
    }
    for (StoredSubscription stored : snapshot.subscriptions()) {
      if (loaded.contains(stored.clientId()) && bounds.subscriptionFits(stored)) {
        Subscription sub = StoredJournal.subscription(stored.clientId(), stored.filter(), stored.options());
        if (sub != null) {
          broker.restoreSubscription(broker.session(stored.clientId()), sub);
        }
      }
    }
    for (QueuedMessage queued : snapshot.queued()) {
      if (loaded.contains(queued.clientId())) {
        bounds.queued(broker.session(queued.clientId()), StoredJournal.outbound(queued.message()));
      }
    }
    bounds.report();
  }

  /**
   * The bounds a running broker enforces, applied to what was stored (by an older version or with other
   * settings): what is beyond them is left out, counted and reported in one warning, and the start goes on.
   */
  private static final class Bounds {
    private final Broker broker;
    private final Map<String, Integer> trimmed = new TreeMap<>();

    Bounds(Broker broker) {
      this.broker = broker;
    }

    void retained(Message message) {
      if (TopicFilter.exceeds(message.topic(), broker.bounds()) != null || !broker.restoreRetained(message)) {
        trim("restored-retained");
      }
    }

    boolean subscriptionFits(StoredSubscription stored) {
      Session session = broker.session(stored.clientId());
      if (TopicFilter.exceeds(stored.filter(), broker.bounds()) != null
          || (session.subscriptions().size() >= broker.bounds().subscriptionsPerSession()
              && !session.subscriptions().containsKey(stored.filter()))) {
        trim("restored-subscriptions");
        return false;
      }
      return true;
    }

    void queued(Session session, Outbound message) {
      for (int i = session.restoreQueued(message); i > 0; i--) {
        trim("restored-queue");
      }
    }

    private void trim(String what) {
      trimmed.merge(what, 1, Integer::sum);
      broker.metrics().limitExceeded(what);
    }

    void report() {
      if (!trimmed.isEmpty()) {
        LOG.warn("stored broker state beyond the configured bounds (mqtt.max*, mqtt.offlineQueueMax) was left out"
            + " at start: {}", trimmed);
      }
    }
  }
}
