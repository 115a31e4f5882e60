package io.zto.broker;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.zto.shared.config.MqttConfig;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.function.BiFunction;

/** The broker of this node with its limits: what connections and the bridge share. */
public final class BrokerNode {

  private final Broker broker;
  private final MqttConfig config;
  private final String nodeId;
  private final BrokerMetrics metrics;
  private final Set<ClientConnection> connections = new LinkedHashSet<>();
  private BiFunction<ClientConnection, Message, Future<Void>> inbound;
  private DenialAudit denials;
  private BiFunction<String, Boolean, Future<Void>> claims = (clientId, cleanStart) -> Future.succeededFuture();

  public BrokerNode(Vertx vertx, MqttConfig config, BrokerMetrics metrics, String nodeId) {
    this.config = config;
    this.nodeId = nodeId;
    this.metrics = metrics;
    this.broker = new Broker(vertx, metrics, new Session.Limits(config.clientQueueMax(), config.offlineQueueMax()),
        config.limits());
    this.inbound = (connection, message) -> broker.publish(message);
  }

  public Broker broker() {
    return broker;
  }

  public String nodeId() {
    return nodeId;
  }

  /** The largest packet {@code listener} takes, announced as Maximum Packet Size in its CONNACKs. */
  public int maxMessageSize(Identity.Listener listener) {
    return maxMessageSize(config, listener);
  }

  static int maxMessageSize(MqttConfig config, Identity.Listener listener) {
    return listener == Identity.Listener.PROVISIONING
        ? Math.min(config.maxMessageSize(), config.limits().provisioningMessageSize()) : config.maxMessageSize();
  }

  /** {@code mqtt.maxClientIdLength}: vertx-mqtt enforces it for MQTT 3.1 only, the broker for 3.1.1 and 5. */
  public int maxClientIdLength() {
    return config.maxClientIdLength();
  }

  /** Where ACL denials are audited; without it they are only counted. */
  void denials(DenialAudit audit) {
    this.denials = audit;
  }

  /** Routes client publishes through {@code sink} (the platform bridge) instead of straight to the broker. */
  public void inbound(BiFunction<ClientConnection, Message, Future<Void>> sink) {
    this.inbound = sink;
  }

  /** How a CONNECT takes its session from other nodes ({@link SessionHandover}); nothing to do on one node. */
  void claims(BiFunction<String, Boolean, Future<Void>> claim) {
    this.claims = claim;
  }

  /** Brings the session of {@code clientId} to this node; completes on the broker's context. */
  Future<Void> claim(String clientId, boolean cleanStart) {
    return claims.apply(clientId, cleanStart);
  }

  void opened(ClientConnection connection) {
    connections.add(connection);
  }

  public Set<ClientConnection> connections() {
    return Set.copyOf(connections);
  }

  BrokerContext context() {
    return new BrokerContext() {
      @Override
      public BrokerMetrics metrics() {
        return metrics;
      }

      @Override
      public void denied(Identity who, String operation, String topic) {
        metrics.denied(operation);
        if (denials != null) {
          // a service account by its name: which back end tried (and its own rate limit, not a shared one)
          String actor = who.deviceId() != null ? who.deviceId()
              : who.account() != null ? who.account() : who.listener().label() + " client";
          denials.denied(actor, who.listener().label(), operation, topic);
        }
      }

      @Override
      public int receiveMaximum() {
        return config.receiveMaximum();
      }

      @Override
      public long sessionExpiryMaxSeconds() {
        return config.sessionExpiryMax().toSeconds();
      }

      @Override
      public int qos0InFlightMax() {
        return config.clientQueueMax();
      }

      @Override
      public BiFunction<ClientConnection, Message, Future<Void>> inbound() {
        return inbound;
      }

      @Override
      public void closed(ClientConnection connection) {
        connections.remove(connection);
      }
    };
  }
}
