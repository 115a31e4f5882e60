package io.zto.broker;

import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.mqtt.MqttProperties;
import io.netty.handler.codec.mqtt.MqttProperties.MqttPropertyType;
import io.netty.handler.codec.mqtt.MqttQoS;
import io.netty.handler.codec.mqtt.MqttVersion;
import io.vertx.core.Future;
import io.vertx.mqtt.MqttEndpoint;
import io.vertx.mqtt.MqttWill;
import io.vertx.mqtt.messages.MqttDisconnectMessage;
import io.vertx.mqtt.messages.MqttPublishMessage;
import io.vertx.mqtt.messages.codes.MqttDisconnectReasonCode;
import io.vertx.mqtt.messages.codes.MqttPubAckReasonCode;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One accepted MQTT connection: turns the endpoint's packets into broker operations and writes the
 * session's messages back. Subscriptions are in {@link SubscribeHandler}. Event-loop confined.
 */
public final class ClientConnection implements Outlet {

  /** Whether the node let go of this connection already (its close is handled once, whichever path saw it). */
  private final AtomicBoolean released = new AtomicBoolean();

  /** Topic aliases a client may use towards us (advertised in CONNACK). */
  static final int TOPIC_ALIAS_MAXIMUM = 16;

  private final MqttEndpoint endpoint;
  private final Broker broker;
  private final Session session;
  private final Identity identity;
  private final BrokerContext context;
  private final boolean v5;
  private final int receiveMaximum;
  private final long maxPacketSize;
  private final Map<Integer, String> topicAliases = new HashMap<>();
  private int qos0Writing;
  private boolean willCleared;
  private boolean closedByServer;
  /** The last inbound acknowledgement: each waits for the one before, so PUBACKs go out in PUBLISH order. */
  private Future<Void> acknowledged = Future.succeededFuture();

  ClientConnection(MqttEndpoint endpoint, Broker broker, Session session, Identity identity, BrokerContext context) {
    this.endpoint = endpoint;
    this.broker = broker;
    this.session = session;
    this.identity = identity;
    this.context = context;
    this.v5 = endpoint.protocolVersion() == MqttVersion.MQTT_5.protocolLevel();
    Integer receiveMax = Mqtt5Properties.integer(endpoint.connectProperties(), MqttPropertyType.RECEIVE_MAXIMUM);
    this.receiveMaximum = receiveMax == null || receiveMax <= 0 ? 65_535 : receiveMax;
    Integer maxPacket = Mqtt5Properties.integer(endpoint.connectProperties(), MqttPropertyType.MAXIMUM_PACKET_SIZE);
    this.maxPacketSize = maxPacket == null || maxPacket <= 0 ? Long.MAX_VALUE : Integer.toUnsignedLong(maxPacket);
  }

  /** Installs the handlers; called before CONNACK so no packet is missed. */
  void wire() {
    endpoint.publishAutoAck(false);
    endpoint.subscriptionAutoAck(false);
    endpoint.publishHandler(this::onPublish);
    endpoint.publishReleaseHandler(this::onPubrel);
    endpoint.publishAcknowledgeHandler(session::acknowledged);
    endpoint.publishReceivedHandler(session::received);
    endpoint.publishCompletionHandler(session::acknowledged);
    SubscribeHandler subscriptions = new SubscribeHandler(endpoint, broker, session, identity, context, v5);
    endpoint.subscribeHandler(subscriptions::onSubscribe);
    endpoint.unsubscribeHandler(subscriptions::onUnsubscribe);
    endpoint.disconnectMessageHandler(this::onDisconnect);
    endpoint.closeHandler(v -> onClose());
    endpoint.exceptionHandler(this::onProtocolError);
    // enhanced authentication is not offered: an AUTH without an authentication method in CONNECT is a
    // protocol error (MQTT 4.12)
    endpoint.authenticationExchangeHandler(auth -> kick(Disconnect.PROTOCOL_ERROR, "enhanced authentication not supported"));
  }

  // the decoder's verdict on a packet it could not read: too large (mqtt.maxMessageSize), or malformed
  private void onProtocolError(Throwable failure) {
    if (tooLarge(failure)) {
      context.metrics().limitExceeded("packet-size");
      kick(Disconnect.PACKET_TOO_LARGE, "packet larger than the Maximum Packet Size in CONNACK");
    } else {
      kick(Disconnect.PROTOCOL_ERROR, "protocol error");
    }
  }

  static boolean tooLarge(Throwable failure) {
    for (Throwable t = failure; t != null; t = t.getCause()) {
      if (t instanceof TooLongFrameException) {
        return true;
      }
    }
    return false;
  }

  boolean v5() {
    return v5;
  }

  Identity identity() {
    return identity;
  }

  private void onPublish(MqttPublishMessage message) {
    String topic = resolveTopic(message);
    if (topic == null) {
      return;
    }
    int qos = message.qosLevel().value();
    TopicFilter.Beyond beyond = TopicFilter.exceeds(topic, broker.bounds());
    if (beyond != null) {
      context.metrics().limitExceeded(beyond.limit());
      kick(Disconnect.TOPIC_NAME_INVALID, "topic name " + beyond.text());
      return;
    }
    if (!identity.acl().mayPublish(topic)) {
      denyPublish(message, qos);
      return;
    }
    if (qos == 2 && session.inboundQos2().contains(message.messageId())) {
      // a resent QoS 2 PUBLISH we already routed: acknowledge again, deliver once (MQTT 4.3.3)
      endpoint.publishReceived(message.messageId());
      return;
    }
    if (qos == 2 && session.inboundQos2().size() >= context.receiveMaximum()) {
      kick(Disconnect.RECEIVE_MAXIMUM_EXCEEDED, "more than " + context.receiveMaximum() + " QoS 2 messages unreleased");
      return;
    }
    Message routed = Mqtt5Properties.message(topic, message.payload(), qos, message.isRetain(),
        endpoint.clientIdentifier(), message.properties(), System.currentTimeMillis());
    RetainedStore.Outcome retained = routed.retain() ? broker.retainedAdmits(routed) : RetainedStore.Outcome.STORED;
    if (retained.refused()) {
      refuseRetained(message, qos, retained);
      return;
    }
    Future<Void> safe = context.inbound().apply(this, routed);
    if (qos == 2) {
      session.inboundQos2().add(message.messageId());
    }
    if (qos > 0) {
      // acknowledged once the message has left this node (clustered), in order
      int packetId = message.messageId();
      acknowledged = Future.join(acknowledged, safe).<Void>mapEmpty().otherwiseEmpty()
          .onComplete(ignored -> acknowledge(qos, packetId));
    }
  }

  private void acknowledge(int qos, int packetId) {
    if (closedByServer || !endpoint.isConnected()) {
      return;
    }
    if (qos == 1) {
      endpoint.publishAcknowledge(packetId);
    } else {
      endpoint.publishReceived(packetId);
    }
  }

  private String resolveTopic(MqttPublishMessage message) {
    String topic = message.topicName();
    Integer alias = v5 ? Mqtt5Properties.integer(message.properties(), MqttPropertyType.TOPIC_ALIAS) : null;
    if (alias != null && (alias <= 0 || alias > TOPIC_ALIAS_MAXIMUM)) {
      kick(Disconnect.TOPIC_ALIAS_INVALID, "topic alias " + alias + " out of range");
      return null;
    }
    if (topic == null || topic.isEmpty()) {
      topic = alias == null ? null : topicAliases.get(alias);
    } else if (alias != null) {
      topicAliases.put(alias, topic);
    }
    if (topic == null || topic.isEmpty()) {
      kick(Disconnect.TOPIC_ALIAS_INVALID, "unknown topic alias");
      return null;
    }
    if (!TopicFilter.isValidTopicName(topic)) {
      kick(Disconnect.TOPIC_NAME_INVALID, "invalid topic name (wildcard, NUL or ill-formed UTF-8)");
      return null;
    }
    return topic;
  }

  /**
   * A publish the ACL forbids. MQTT 5: PUBACK 0x87 for QoS 1; a QoS 2 denial closes with DISCONNECT
   * 0x87, because vertx-mqtt 5.0.7 does not write PUBREC reason codes. MQTT 3.1.1 has no negative
   * acknowledgement: the message is dropped and acknowledged, so the client does not resend it forever.
   */
  private void denyPublish(MqttPublishMessage message, int qos) {
    context.denied(identity, "publish", message.topicName());
    if (qos == 1) {
      if (v5) {
        endpoint.publishAcknowledge(message.messageId(), MqttPubAckReasonCode.NOT_AUTHORIZED,
            Mqtt5Properties.reason("not authorized to publish to " + message.topicName()));
      } else {
        endpoint.publishAcknowledge(message.messageId());
      }
    } else if (qos == 2) {
      if (v5) {
        kick(Disconnect.NOT_AUTHORIZED, "not authorized to publish to " + message.topicName());
      } else {
        endpoint.publishReceived(message.messageId());
        session.inboundQos2().add(message.messageId());
      }
    }
  }

  /**
   * A retained PUBLISH beyond the retained bounds: refused as a whole (not delivered either), so the client
   * learns that it was not kept. MQTT 5: PUBACK 0x97 for QoS 1, DISCONNECT 0x97 for QoS 0 (no ack to carry it)
   * and QoS 2 (vertx-mqtt 5.0.7 writes no PUBREC reason codes). MQTT 3.1.1 has no code: the connection closes.
   */
  private void refuseRetained(MqttPublishMessage message, int qos, RetainedStore.Outcome why) {
    String limit = why == RetainedStore.Outcome.CLIENT_QUOTA ? "retained-per-client" : "retained-total";
    context.metrics().limitExceeded(limit);
    String text = why == RetainedStore.Outcome.CLIENT_QUOTA
        ? "retained quota exceeded: at most " + broker.bounds().retainedPerClient() + " retained topics per client"
        : "retained quota of the server exceeded";
    if (v5 && qos == 1) {
      endpoint.publishAcknowledge(message.messageId(), MqttPubAckReasonCode.QUOTA_EXCEEDED,
          Mqtt5Properties.reason(text));
    } else {
      kick(Disconnect.QUOTA_EXCEEDED, text);
    }
  }

  private void onPubrel(int packetId) {
    session.inboundQos2().remove(packetId);
    endpoint.publishComplete(packetId);
  }

  private void onDisconnect(MqttDisconnectMessage message) {
    if (v5) {
      Integer expiry = Mqtt5Properties.integer(message.properties(), MqttPropertyType.SESSION_EXPIRY_INTERVAL);
      if (expiry != null && session.expirySeconds() > 0) {
        broker.expiry(session, Math.min(Integer.toUnsignedLong(expiry), context.sessionExpiryMaxSeconds()));
      }
    }
    // MQTT 3.14.4: a normal DISCONNECT discards the will; 0x04 asks for it to be published
    willCleared = message.code() != MqttDisconnectReasonCode.WITH_WILL_MESSAGE;
  }

  /** The client went away while its CONNECT was being accepted: let go of it as on any close. */
  void lostWhileAccepted() {
    onClose();
  }

  private void onClose() {
    if (released.getAndSet(true)) {
      return;
    }
    // the node lets go of the connection whatever the will or the session do: a failure there must not
    // leave a closed connection counted and held
    try {
      boolean mine = session.detach(this);
      MqttWill will = endpoint.will();
      if (will != null && will.isWillFlag() && !willCleared) {
        publishWill(will, mine);
      }
      if (mine) {
        broker.disconnected(session);
      }
    } finally {
      context.closed(this);
    }
  }

  private void publishWill(MqttWill will, boolean sessionEnds) {
    Message message = Mqtt5Properties.message(will.getWillTopic(), will.getWillMessage(), will.getWillQos(),
        will.isWillRetain(), endpoint.clientIdentifier(), will.getWillProperties(), System.currentTimeMillis());
    if (!identity.acl().mayPublish(message.topic())) {
      context.metrics().denied("will");
      return;
    }
    Integer delay = v5 ? Mqtt5Properties.integer(will.getWillProperties(), MqttPropertyType.WILL_DELAY_INTERVAL) : null;
    long delaySeconds = delay == null ? 0 : Integer.toUnsignedLong(delay);
    // MQTT 3.1.3.2.2: the will goes out at the latest when the session ends
    long effective = sessionEnds ? Math.min(delaySeconds, session.expirySeconds()) : 0;
    broker.scheduleWill(endpoint.clientIdentifier(), message, effective);
  }

  @Override
  public void publish(Outbound message, boolean dup) {
    long now = System.currentTimeMillis();
    if (message.message().payload().length() + message.message().topic().length() + 64L > maxPacketSize) {
      context.metrics().dropped("too-large");
      if (message.qos() > 0) {
        session.acknowledged(message.packetId());
      }
      return;
    }
    MqttProperties props = v5 ? Mqtt5Properties.outbound(message, now) : MqttProperties.NO_PROPERTIES;
    var written = endpoint.publish(message.message().topic(), message.message().payload(),
        MqttQoS.valueOf(message.qos()), dup, message.retain(), message.qos() == 0 ? 0 : message.packetId(), props);
    if (message.qos() == 0) {
      qos0Writing++;
      written.onComplete(ar -> qos0Writing--);
    }
  }

  @Override
  public void pubrel(int packetId) {
    endpoint.publishRelease(packetId);
  }

  @Override
  public boolean acceptsQos0() {
    return qos0Writing < context.qos0InFlightMax();
  }

  @Override
  public int receiveMaximum() {
    return receiveMaximum;
  }

  @Override
  public void kick(Disconnect reason, String text) {
    if (closedByServer) {
      return;
    }
    closedByServer = true;
    try {
      // writes DISCONNECT with the reason for MQTT 5 only, then closes
      endpoint.disconnect(MqttDisconnectReasonCode.valueOf(code(reason)), Mqtt5Properties.reason(text));
    } catch (IllegalArgumentException alreadyClosed) {
      // the client went away first: nothing left to tell it
    }
  }

  private static byte code(Disconnect reason) {
    return switch (reason) {
      case QUOTA_EXCEEDED -> (byte) 0x97;
      case SESSION_TAKEN_OVER -> (byte) 0x8E;
      case ADMINISTRATIVE_ACTION -> (byte) 0x98;
      case NOT_AUTHORIZED -> (byte) 0x87;
      case RECEIVE_MAXIMUM_EXCEEDED -> (byte) 0x93;
      case TOPIC_ALIAS_INVALID -> (byte) 0x94;
      case SERVER_SHUTTING_DOWN -> (byte) 0x8B;
      case PROTOCOL_ERROR -> (byte) 0x82;
      case TOPIC_NAME_INVALID -> (byte) 0x90;
      case PACKET_TOO_LARGE -> (byte) 0x95;
    };
  }
}
