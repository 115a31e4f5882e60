package io.zto.broker;

import io.vertx.core.Future;
import java.util.function.BiFunction;

/** What a connection needs from the node around it: limits, metrics, and where its publishes go. */
public interface BrokerContext {

  BrokerMetrics metrics();

  /** Counts and audits a publish or subscription the ACL refused. */
  void denied(Identity who, String operation, String topic);

  /** Our Receive Maximum: QoS 2 messages a client may have unreleased towards us. */
  int receiveMaximum();

  long sessionExpiryMaxSeconds();

  /** QoS 0 messages being written to one client before further ones are dropped. */
  int qos0InFlightMax();

  /**
   * Where accepted inbound messages go (the broker, or the platform bridge for its topics); completes when
   * the message is safe to acknowledge (delivered here and handed to the other nodes).
   */
  BiFunction<ClientConnection, Message, Future<Void>> inbound();

  /** A connection ended. */
  void closed(ClientConnection connection);
}
