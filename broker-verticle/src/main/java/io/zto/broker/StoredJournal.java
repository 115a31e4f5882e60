package io.zto.broker;

import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.zto.shared.store.BrokerStateRepository;
import io.zto.shared.store.BrokerStateRepository.StoredSession;
import io.zto.shared.store.BrokerStateRepository.StoredSubscription;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The journal on the repository layer. Writes of one client run one after the other (a chain of
 * futures per client), so a PostgreSQL pool cannot reorder a subscribe and the unsubscribe after it.
 * Failures are logged, never thrown at the broker: persistence is best effort while running.
 *
 * <p>Messages of the platform's {@code zto/} tree are never written, queued or retained: provisioning
 * answers carry an MQTT password and an EST challenge, which must not lie in the session store in clear
 * (contract section 9). They stay in the session's memory only; a device whose answer was lost with a
 * restart or a handover asks again with the same requestId and gets the same answer (contract section 4).
 */
final class StoredJournal implements SessionJournal {

  private static final Logger LOG = LoggerFactory.getLogger(StoredJournal.class);

  private final BrokerStateRepository repo;
  private final String nodeId;
  private final Map<String, Future<Void>> chains = new HashMap<>();

  StoredJournal(BrokerStateRepository repo, String nodeId) {
    this.repo = repo;
    this.nodeId = nodeId;
  }

  private void then(String key, Supplier<Future<Void>> write) {
    Future<Void> previous = chains.getOrDefault(key, Future.succeededFuture());
    Future<Void> next = previous.transform(ignored -> write.get())
        .onFailure(e -> LOG.warn("broker state of {} not stored", key, e));
    chains.put(key, next);
    // forget finished chains so the map does not grow with every client ever seen
    next.onComplete(ar -> chains.remove(key, next));
  }

  @Override
  public Future<Void> flushed(String clientId) {
    return chains.getOrDefault(clientId, Future.succeededFuture()).transform(ar -> Future.succeededFuture());
  }

  @Override
  public void online(Session session) {
    StoredSession row = new StoredSession(session.clientId(), session.expirySeconds(), nodeId, null, session.owner());
    then(session.clientId(), () -> repo.saveSession(row, Instant.now(), List.of()));
  }

  @Override
  public void offline(Session session) {
    Instant now = Instant.now();
    StoredSession row = new StoredSession(session.clientId(), session.expirySeconds(), nodeId,
        now.plusSeconds(session.expirySeconds()), session.owner());
    List<JsonObject> queue = new ArrayList<>();
    session.window().inflight().stream().filter(StoredJournal::storable).forEach(o -> queue.add(toJson(o)));
    session.window().waiting().stream().filter(StoredJournal::storable).forEach(o -> queue.add(toJson(o)));
    then(session.clientId(), () -> repo.saveSession(row, now, queue));
  }

  @Override
  public void removed(String clientId) {
    then(clientId, () -> repo.deleteSession(clientId));
  }

  @Override
  public void subscribed(Session session, Subscription sub) {
    StoredSubscription row = new StoredSubscription(session.clientId(), sub.filter().raw(), options(sub));
    then(session.clientId(), () -> repo.putSubscription(row));
  }

  @Override
  public void unsubscribed(Session session, String rawFilter) {
    then(session.clientId(), () -> repo.deleteSubscription(session.clientId(), rawFilter));
  }

  @Override
  public void queued(Session session, Outbound message) {
    if (!storable(message)) {
      return;
    }
    JsonObject json = toJson(message);
    then(session.clientId(), () -> repo.enqueue(session.clientId(), json));
  }

  @Override
  public void retained(Message message) {
    if (ProvisioningTopics.reserved(message.topic())) {
      return;
    }
    boolean clear = message.payload().length() == 0;
    Instant expires = message.expiresAt() == 0 ? null : Instant.ofEpochMilli(message.expiresAt());
    JsonObject json = clear ? null : message.toJson();
    then("$retained/" + message.topic(), () -> repo.retain(message.topic(), json, expires));
  }

  /** Whether a queued message may be written to the store: nothing of the platform's {@code zto/} tree. */
  static boolean storable(Outbound message) {
    return !ProvisioningTopics.reserved(message.message().topic());
  }

  static JsonObject options(Subscription sub) {
    return new JsonObject().put("qos", sub.qos()).put("noLocal", sub.noLocal())
        .put("retainAsPublished", sub.retainAsPublished()).put("retainHandling", sub.retainHandling())
        .put("subscriptionId", sub.subscriptionId());
  }

  static Subscription subscription(String clientId, String rawFilter, JsonObject options) {
    TopicFilter filter = TopicFilter.parse(rawFilter);
    if (filter == null) {
      return null;
    }
    return new Subscription(clientId, filter, options.getInteger("qos", 0), options.getBoolean("noLocal", false),
        options.getBoolean("retainAsPublished", false), options.getInteger("retainHandling", 0),
        options.getInteger("subscriptionId", 0));
  }

  static JsonObject toJson(Outbound o) {
    return new JsonObject().put("message", o.message().toJson()).put("qos", o.qos()).put("retain", o.retain())
        .put("subscriptionIds", new JsonArray(new ArrayList<>(o.subscriptionIds())));
  }

  static Outbound outbound(JsonObject json) {
    List<Integer> ids = new ArrayList<>();
    json.getJsonArray("subscriptionIds", new JsonArray()).forEach(id -> ids.add(((Number) id).intValue()));
    return new Outbound(Message.fromJson(json.getJsonObject("message")), json.getInteger("qos"),
        json.getBoolean("retain", false), ids);
  }
}
