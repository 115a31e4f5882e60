package io.zto.broker;

import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * The server side of one MQTT session: subscriptions, outbound QoS 1/2 state and queue, inbound
 * QoS 2 ids awaiting PUBREL. It outlives connections when persistent. Event-loop confined.
 */
public final class Session {

  /** Limits of the outbound queue. */
  public record Limits(int onlineQueueMax, int offlineQueueMax) {}

  private final String clientId;
  private final String owner;
  private final Limits limits;
  private final BrokerMetrics metrics;
  private final SessionJournal journal;
  private final Map<String, Subscription> subscriptions = new LinkedHashMap<>();
  private final InflightWindow window = new InflightWindow();
  private final Set<Integer> inboundQos2 = new HashSet<>();
  private Outlet outlet;
  private Identity identity;
  private long expirySeconds;
  long expiryTimer = -1;

  /** {@code owner}: who may resume it ({@link SessionOwner}); null for a stored session of unknown owner. */
  public Session(String clientId, String owner, Limits limits, BrokerMetrics metrics, SessionJournal journal) {
    this.clientId = clientId;
    this.owner = owner;
    this.limits = limits;
    this.metrics = metrics;
    this.journal = journal;
  }

  public String clientId() {
    return clientId;
  }

  /** Who may resume this session ({@link SessionOwner}); null if unknown (stored before owners were). */
  public String owner() {
    return owner;
  }

  public Map<String, Subscription> subscriptions() {
    return subscriptions;
  }

  public Set<Integer> inboundQos2() {
    return inboundQos2;
  }

  public Outlet outlet() {
    return outlet;
  }

  public Identity identity() {
    return identity;
  }

  public long expirySeconds() {
    return expirySeconds;
  }

  public void expirySeconds(long seconds) {
    this.expirySeconds = seconds;
  }

  public InflightWindow window() {
    return window;
  }

  /** A connection takes the session over: resend what is unacknowledged (DUP), then the queue. */
  public void attach(Outlet connection, Identity who) {
    this.outlet = connection;
    this.identity = who;
    if (expirySeconds > 0) {
      journal.online(this);
    }
    for (Outbound message : window.inflight()) {
      if (message.released) {
        connection.pubrel(message.packetId);
      } else {
        connection.publish(message, true);
      }
    }
    pump();
  }

  /** The connection {@code connection} went away; a newer one may already own the session. */
  public boolean detach(Outlet connection) {
    if (outlet != connection) {
      return false;
    }
    outlet = null;
    return true;
  }

  public boolean online() {
    return outlet != null;
  }

  /** Hands a message to the session: sent, queued, or dropped and counted, never buffered without bound. */
  public void offer(Outbound message) {
    if (message.qos == 0) {
      if (outlet != null && outlet.acceptsQos0()) {
        outlet.publish(message, false);
      } else {
        metrics.dropped("qos0");
      }
      return;
    }
    if (outlet == null) {
      queueOffline(message);
      return;
    }
    if (window.waiting().isEmpty() && window.hasRoom(outlet.receiveMaximum())) {
      outlet.publish(window.send(message), false);
      return;
    }
    if (window.waiting().size() >= limits.onlineQueueMax()) {
      metrics.dropped("slow-consumer");
      outlet.kick(Outlet.Disconnect.QUOTA_EXCEEDED, "subscriber too slow: more than " + limits.onlineQueueMax()
          + " QoS 1/2 messages waiting");
      queueOffline(message);
      return;
    }
    window.waiting().addLast(message);
  }

  // offline: keep the newest offlineQueueMax messages, as persistent sessions of other brokers do
  private void queueOffline(Outbound message) {
    if (limits.offlineQueueMax() == 0) {
      metrics.dropped("offline-queue");
      return;
    }
    while (window.waiting().size() >= limits.offlineQueueMax()) {
      window.waiting().pollFirst();
      metrics.dropped("offline-queue");
    }
    window.waiting().addLast(message);
    if (expirySeconds > 0) {
      journal.queued(this, message);
    }
  }

  /**
   * A message of the stored queue loaded at start: the same bound as offline, so a stored queue longer than
   * {@code mqtt.offlineQueueMax} keeps its newest messages; returns how many older ones were dropped.
   */
  int restoreQueued(Outbound message) {
    int dropped = 0;
    while (!window.waiting().isEmpty() && window.waiting().size() >= limits.offlineQueueMax()) {
      window.waiting().pollFirst();
      dropped++;
    }
    if (limits.offlineQueueMax() > 0) {
      window.waiting().addLast(message);
    } else {
      dropped++;
    }
    return dropped;
  }

  /** PUBACK / PUBCOMP. */
  public void acknowledged(int packetId) {
    if (window.complete(packetId)) {
      pump();
    }
  }

  /** PUBREC: answer PUBREL. */
  public void received(int packetId) {
    window.received(packetId);
    if (outlet != null) {
      outlet.pubrel(packetId);
    }
  }

  /** Sends waiting messages while the client's window has room; expired ones are dropped. */
  public void pump() {
    long now = System.currentTimeMillis();
    while (outlet != null && !window.waiting().isEmpty() && window.hasRoom(outlet.receiveMaximum())) {
      Outbound next = window.waiting().pollFirst();
      if (next.message.expired(now)) {
        metrics.dropped("expired");
        continue;
      }
      outlet.publish(window.send(next), false);
    }
  }
}
