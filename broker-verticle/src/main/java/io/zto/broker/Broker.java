package io.zto.broker;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.zto.shared.config.MqttLimits;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * The broker core of one node: sessions, the subscription trie, retained messages, shared-group
 * selection, will and session-expiry timers. Event-loop confined (one verticle context).
 */
public final class Broker {

  private final Vertx vertx;
  private final BrokerMetrics metrics;
  private final Session.Limits limits;
  private final MqttLimits bounds;
  private final Map<String, Session> sessions = new HashMap<>();
  private final TopicTrie<Subscription> trie = new TopicTrie<>();
  private final RetainedStore retained;
  private final Map<String, Integer> shareCursor = new HashMap<>();
  private final Map<String, Long> willTimers = new HashMap<>();
  private Function<Message, Future<Void>> cluster = m -> Future.succeededFuture();
  private SessionJournal journal = SessionJournal.NONE;

  public Broker(Vertx vertx, BrokerMetrics metrics, Session.Limits limits, MqttLimits bounds) {
    this.vertx = vertx;
    this.metrics = metrics;
    this.limits = limits;
    this.bounds = bounds;
    this.retained = new RetainedStore(bounds);
  }

  /** The bounds on topics, subscriptions, retained messages and wills. */
  public MqttLimits bounds() {
    return bounds;
  }

  BrokerMetrics metrics() {
    return metrics;
  }

  /** Retained topics held on this node. */
  public int retainedCount() {
    return retained.size();
  }

  /** Whether a retained {@code message} published now would be stored, or why not. */
  public RetainedStore.Outcome retainedAdmits(Message message) {
    return retained.admits(message);
  }

  /**
   * Where messages published on this node also go, so other nodes deliver them to their sessions; the
   * future completes once the message has left this node.
   */
  public void clusterSink(Function<Message, Future<Void>> sink) {
    this.cluster = sink;
  }

  /** Where persistent sessions and retained messages are recorded; set before the listeners open. */
  public void journal(SessionJournal sessionJournal) {
    this.journal = sessionJournal;
  }

  /**
   * The session for a client connecting as {@code owner} ({@link SessionOwner}). The existing session is
   * resumed only without a clean start and only when {@code owner} holds it; otherwise it is discarded
   * and a fresh one starts: a session never passes to another identity (contract section 9). Whether
   * another identity may take the client id at all is decided before (the CONNECT is refused if not).
   */
  public Session open(String clientId, boolean cleanStart, String owner) {
    Session existing = sessions.get(clientId);
    if (existing != null && existing.expiryTimer >= 0) {
      vertx.cancelTimer(existing.expiryTimer);
      existing.expiryTimer = -1;
    }
    if (existing != null && !cleanStart && owner.equals(existing.owner())) {
      return existing;
    }
    if (existing != null) {
      remove(existing);
    }
    Session session = new Session(clientId, owner, limits, metrics, journal);
    sessions.put(clientId, session);
    return session;
  }

  /** Sets the session expiry; a session that stops being persistent is forgotten by the journal. */
  public void expiry(Session session, long seconds) {
    if (session.expirySeconds() > 0 && seconds <= 0) {
      journal.removed(session.clientId());
    }
    session.expirySeconds(seconds);
  }

  public Session session(String clientId) {
    return sessions.get(clientId);
  }

  /** Sessions whose current identity satisfies {@code which} (for revocation drops). */
  public List<Session> connected(Predicate<Identity> which) {
    return sessions.values().stream().filter(s -> s.online() && s.identity() != null && which.test(s.identity()))
        .toList();
  }

  /** Adds a subscription and sends the retained messages its retain handling asks for. */
  public void subscribe(Session session, Subscription subscription) {
    Subscription previous = session.subscriptions().put(subscription.filter().raw(), subscription);
    trie.put(subscription.filter().filter(), subscription.trieKey(), subscription);
    if (session.expirySeconds() > 0) {
      journal.subscribed(session, subscription);
    }
    boolean send = switch (subscription.retainHandling()) {
      case 0 -> true;
      case 1 -> previous == null;
      default -> false;
    };
    // MQTT 4.8.2: retained messages are not sent for a shared subscription
    if (!send || subscription.filter().shared()) {
      return;
    }
    long now = System.currentTimeMillis();
    List<Integer> ids = subscription.subscriptionId() > 0 ? List.of(subscription.subscriptionId()) : List.of();
    for (Message message : retained.matching(subscription.filter().filter(), now)) {
      if (ProvisioningTopics.reserved(message.topic()) && !mayReceiveReserved(session.clientId(), message)) {
        continue;
      }
      session.offer(new Outbound(message, Math.min(message.qos(), subscription.qos()), true, ids));
    }
  }

  public boolean unsubscribe(Session session, String rawFilter) {
    Subscription removed = session.subscriptions().remove(rawFilter);
    if (removed == null) {
      return false;
    }
    trie.remove(removed.filter().filter(), removed.trieKey());
    if (session.expirySeconds() > 0) {
      journal.unsubscribed(session, rawFilter);
    }
    return true;
  }

  /**
   * A message published on this node: retained (and stored), delivered here, and forwarded to the other
   * nodes. Completes when it has left this node, so a QoS 1/2 acknowledgement sent then survives the node.
   */
  public Future<Void> publish(Message message) {
    deliverLocally(message, true);
    return cluster.apply(message);
  }

  /**
   * Delivers to this node's sessions only. {@code storeRetained}: whether this node also stores a retained
   * message; a message routed from another node was stored there already.
   */
  public void deliverLocally(Message message, boolean storeRetained) {
    if (message.retain()) {
      RetainedStore.Outcome outcome = retained.put(message);
      if (outcome.refused()) {
        // a client's publish was refused before it got here; this is a routed or platform message
        metrics.limitExceeded(outcome == RetainedStore.Outcome.CLIENT_QUOTA ? "retained-per-client" : "retained-total");
      } else if (storeRetained) {
        journal.retained(message);
      }
    }
    Map<String, Grant> direct = new LinkedHashMap<>();
    Map<String, List<Subscription>> groups = new LinkedHashMap<>();
    boolean reserved = ProvisioningTopics.reserved(message.topic());
    trie.match(message.topic(), sub -> {
      if (reserved && !mayReceiveReserved(sub.clientId(), message)) {
        return;
      }
      if (sub.filter().shared()) {
        groups.computeIfAbsent(sub.filter().group() + "\u0000" + sub.filter().filter(), g -> new ArrayList<>()).add(sub);
      } else if (!(sub.noLocal() && sub.clientId().equals(message.publisher()))) {
        direct.computeIfAbsent(sub.clientId(), c -> new Grant()).add(sub);
      }
    });
    direct.forEach((clientId, grant) -> deliver(clientId, message, grant));
    groups.forEach((group, members) -> {
      Subscription chosen = choose(group, members);
      deliver(chosen.clientId(), message, new Grant().add(chosen));
    });
  }

  /**
   * The platform's {@code zto/} tree reaches only the provisioning session of the device whose response
   * topic it is, whatever wildcard filter another client was granted (contract section 9); a message with
   * an audience (a provisioning answer) only the session of the LDevID it was made for.
   */
  private boolean mayReceiveReserved(String clientId, Message message) {
    String device = ProvisioningTopics.deviceOfResponse(message.topic());
    Session session = sessions.get(clientId);
    if (device == null || session == null) {
      return false;
    }
    return message.audience() == null ? SessionOwner.provisioningOf(session.owner(), device)
        : SessionOwner.provisioning(device, message.audience()).equals(session.owner());
  }

  private void deliver(String clientId, Message message, Grant grant) {
    Session session = sessions.get(clientId);
    if (session == null) {
      return;
    }
    boolean retainFlag = grant.retainAsPublished && message.retain();
    session.offer(new Outbound(message, Math.min(message.qos(), grant.qos), retainFlag, grant.ids));
  }

  // round robin over the group, preferring connected members so a message does not wait in an offline queue
  private Subscription choose(String group, List<Subscription> members) {
    List<Subscription> online = members.stream().filter(m -> {
      Session s = sessions.get(m.clientId());
      return s != null && s.online();
    }).toList();
    List<Subscription> candidates = online.isEmpty() ? members : online;
    int cursor = shareCursor.merge(group, 1, Integer::sum);
    return candidates.get(Math.floorMod(cursor, candidates.size()));
  }

  /** The connection of {@code session} ended: keep it for its expiry, or drop it now. */
  public void disconnected(Session session) {
    // a session replaced by a clean start while its old connection was closing is gone already
    if (session.online() || sessions.get(session.clientId()) != session) {
      return;
    }
    if (session.expirySeconds() <= 0) {
      remove(session);
      return;
    }
    journal.offline(session);
    expireIn(session, session.expirySeconds());
  }

  private void expireIn(Session session, long seconds) {
    session.expiryTimer = vertx.setTimer(seconds * 1000, t -> {
      session.expiryTimer = -1;
      if (!session.online() && sessions.get(session.clientId()) == session) {
        remove(session);
      }
    });
  }

  private void remove(Session session) {
    forget(session);
    if (session.expirySeconds() > 0) {
      journal.removed(session.clientId());
    }
  }

  // drops the session from this node's memory only; what is stored stays
  private void forget(Session session) {
    for (Subscription sub : session.subscriptions().values()) {
      trie.remove(sub.filter().filter(), sub.trieKey());
    }
    session.subscriptions().clear();
    sessions.remove(session.clientId(), session);
  }

  /**
   * The client connected to another node, which takes its session: a connection here is closed
   * (session taken over), a pending will is cancelled, and the session leaves this node, stored as it is
   * now for the other node to load, or removed when the client starts clean. Completes when the store has
   * it, so the other node reads the final state.
   */
  public Future<Void> handOver(String clientId, boolean discard) {
    cancelWill(clientId);
    Session session = sessions.get(clientId);
    if (session == null) {
      return journal.flushed(clientId);
    }
    Outlet connection = session.outlet();
    if (connection != null) {
      // detached first, so the closing connection does not take the session offline here again
      session.detach(connection);
      connection.kick(Outlet.Disconnect.SESSION_TAKEN_OVER, "session taken over by a connection on another node");
    }
    if (session.expiryTimer >= 0) {
      vertx.cancelTimer(session.expiryTimer);
      session.expiryTimer = -1;
    }
    boolean persistent = session.expirySeconds() > 0;
    if (persistent && !discard) {
      journal.offline(session);
    }
    forget(session);
    if (persistent && discard) {
      journal.removed(clientId);
    }
    return journal.flushed(clientId);
  }

  /** A retained message loaded at start; false when it is beyond the bounds and was left out. */
  boolean restoreRetained(Message message) {
    return !retained.put(message).refused();
  }

  /**
   * A persistent session loaded at start: offline, expiring in {@code remainingSeconds}, held by
   * {@code owner} (null when stored before owners were recorded: then nobody resumes it).
   */
  Session restoreSession(String clientId, String owner, long expirySeconds, long remainingSeconds) {
    Session session = new Session(clientId, owner, limits, metrics, journal);
    session.expirySeconds(expirySeconds);
    sessions.put(clientId, session);
    expireIn(session, remainingSeconds);
    return session;
  }

  /** A subscription loaded at start: no retained messages are sent for it. */
  void restoreSubscription(Session session, Subscription subscription) {
    session.subscriptions().put(subscription.filter().raw(), subscription);
    trie.put(subscription.filter().filter(), subscription.trieKey(), subscription);
  }

  /** Publishes {@code will} after {@code delaySeconds} unless the client reconnects first. */
  public void scheduleWill(String clientId, Message will, long delaySeconds) {
    cancelWill(clientId);
    if (delaySeconds <= 0) {
      publish(will);
      return;
    }
    willTimers.put(clientId, vertx.setTimer(delaySeconds * 1000, t -> {
      willTimers.remove(clientId);
      publish(will);
    }));
  }

  public void cancelWill(String clientId) {
    Long timer = willTimers.remove(clientId);
    if (timer != null) {
      vertx.cancelTimer(timer);
    }
  }

  public int sessionCount() {
    return sessions.size();
  }

  public int subscriptionCount() {
    return trie.size();
  }

  /** What overlapping subscriptions of one client grant: the highest QoS and all identifiers. */
  private static final class Grant {
    int qos;
    boolean retainAsPublished;
    final List<Integer> ids = new ArrayList<>();

    Grant add(Subscription sub) {
      qos = Math.max(qos, sub.qos());
      retainAsPublished |= sub.retainAsPublished();
      if (sub.subscriptionId() > 0) {
        ids.add(sub.subscriptionId());
      }
      return this;
    }
  }
}
