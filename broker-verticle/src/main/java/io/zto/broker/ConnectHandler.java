package io.zto.broker;

import io.netty.handler.codec.mqtt.MqttConnectReturnCode;
import io.netty.handler.codec.mqtt.MqttProperties;
import io.netty.handler.codec.mqtt.MqttProperties.IntegerProperty;
import io.netty.handler.codec.mqtt.MqttProperties.MqttPropertyType;
import io.netty.handler.codec.mqtt.MqttVersion;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.json.JsonObject;
import io.vertx.mqtt.MqttEndpoint;
import io.vertx.mqtt.MqttWill;
import io.zto.shared.config.MqttLimits;
import io.zto.shared.domain.AuditEvent;
import io.zto.shared.store.AuditRepository;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * CONNECT of one listener: authenticate (off the event loop), check that the identity may use the client
 * id and its session ({@link ClientIds}), then refuse with the right code and an audit entry, or take over
 * any connection of the same client id and accept with the session state.
 */
final class ConnectHandler {

  private static final Logger LOG = LoggerFactory.getLogger(ConnectHandler.class);

  private final Identity.Listener listener;
  private final BrokerNode node;
  private final ConnectAuthenticator authenticator;
  private final ClientIds clientIds;
  private final AuditRepository audit;
  private final Context context;

  ConnectHandler(Identity.Listener listener, BrokerNode node, ConnectAuthenticator authenticator,
                 ClientIds clientIds, AuditRepository audit, Context context) {
    this.listener = listener;
    this.node = node;
    this.authenticator = authenticator;
    this.clientIds = clientIds;
    this.audit = audit;
    this.context = context;
  }

  void handle(MqttEndpoint endpoint) {
    boolean v5 = endpoint.protocolVersion() == MqttVersion.MQTT_5.protocolLevel();
    if (endpoint.clientIdentifier() == null) {
      refuse(endpoint, v5, new Refusal(Refusal.Kind.BAD_CLIENT_ID, "empty client id with a persistent session"));
      return;
    }
    if (!clientIdWithinBounds(endpoint, v5) || !willWithinBounds(endpoint, v5)) {
      return;
    }
    boolean[] closed = {false};
    // replaced by the connection's own handler on accept; until then it tells a vanished client apart
    endpoint.closeHandler(v -> closed[0] = true);
    // a packet the decoder cannot read while the CONNECT is being checked: nothing more to expect from it
    endpoint.exceptionHandler(failure -> {
      closed[0] = true;
      if (ClientConnection.tooLarge(failure)) {
        node.context().metrics().limitExceeded("packet-size");
      }
      closeQuietly(endpoint);
    });
    String clientId = endpoint.clientIdentifier();
    authenticator.authenticate(endpoint, listener)
        // repository futures may complete elsewhere: the broker state lives on this verticle's context
        .compose(identity -> onContext(() -> clientIds.admit(identity, clientId))
            .map(admission -> new Admitted(identity, admission)))
        .onComplete(ar -> context.runOnContext(v -> {
          if (closed[0]) {
            return;
          }
          if (ar.succeeded()) {
            // a session of another owner is not claimed from other nodes: the device starts clean
            boolean clean = endpoint.isCleanSession() || ar.result().admission() == ClientIds.Admission.STARTS_FRESH;
            // clustered: the session first comes over from the node that holds it
            node.claim(clientId, clean).onComplete(claimed -> {
              if (!closed[0]) {
                accept(endpoint, v5, ar.result().identity(), closed);
              }
            });
          } else if (ar.cause() instanceof Refusal refusal) {
            refuse(endpoint, v5, refusal);
          } else {
            LOG.warn("CONNECT of {} on {} failed", clientId, listener.label(), ar.cause());
            refuse(endpoint, v5, new Refusal(Refusal.Kind.UNAVAILABLE, "authentication unavailable"));
          }
        }));
  }

  /** At most {@code mqtt.maxClientIdLength} characters (vertx-mqtt checks MQTT 3.1 only), well-formed UTF-8. */
  private boolean clientIdWithinBounds(MqttEndpoint endpoint, boolean v5) {
    String clientId = endpoint.clientIdentifier();
    if (clientId.length() > node.maxClientIdLength()) {
      node.context().metrics().limitExceeded("client-id-length");
      refuseEarly(endpoint, v5, MqttConnectReturnCode.CONNECTION_REFUSED_CLIENT_IDENTIFIER_NOT_VALID,
          MqttConnectReturnCode.CONNECTION_REFUSED_IDENTIFIER_REJECTED,
          "client id longer than " + node.maxClientIdLength() + " characters");
      return false;
    }
    if (!TopicFilter.wellFormed(clientId)) {
      refuseEarly(endpoint, v5, MqttConnectReturnCode.CONNECTION_REFUSED_CLIENT_IDENTIFIER_NOT_VALID,
          MqttConnectReturnCode.CONNECTION_REFUSED_IDENTIFIER_REJECTED, "client id is not well-formed UTF-8");
      return false;
    }
    return true;
  }

  /**
   * The will is held for the whole connection (and its delay), so it is bounded before anything else is
   * done for the CONNECT: topic as any topic name, payload by {@code mqtt.maxWillSize}. MQTT 5: CONNACK 0x90
   * (topic name invalid) or 0x95 (packet too large); MQTT 3.1.1 has no code for either: the connection is
   * closed. Only counted, not audited: no credentials were looked at yet.
   */
  private boolean willWithinBounds(MqttEndpoint endpoint, boolean v5) {
    MqttWill will = endpoint.will();
    if (will == null || !will.isWillFlag()) {
      return true;
    }
    MqttLimits bounds = node.broker().bounds();
    TopicFilter.Beyond topicBeyond = TopicFilter.exceeds(will.getWillTopic(), bounds);
    int size = will.getWillMessage() == null ? 0 : will.getWillMessage().length();
    if (topicBeyond == null && TopicFilter.isValidTopicName(will.getWillTopic()) && size <= bounds.willSize()) {
      return true;
    }
    if (size > bounds.willSize()) {
      node.context().metrics().limitExceeded("will-size");
      refuseEarly(endpoint, v5, MqttConnectReturnCode.CONNECTION_REFUSED_PACKET_TOO_LARGE, null,
          "will payload larger than " + bounds.willSize() + " bytes");
    } else {
      if (topicBeyond != null) {
        node.context().metrics().limitExceeded(topicBeyond.limit());
      }
      refuseEarly(endpoint, v5, MqttConnectReturnCode.CONNECTION_REFUSED_TOPIC_NAME_INVALID, null,
          "will topic " + (topicBeyond != null ? topicBeyond.text() : "invalid"));
    }
    return false;
  }

  /**
   * A refusal before any credential is looked at: counted, not audited, since the audit entry would carry
   * whatever the client chose to send as its id. {@code v311} null: MQTT 3.1.1 has no code, the connection
   * is closed.
   */
  private void refuseEarly(MqttEndpoint endpoint, boolean v5, MqttConnectReturnCode v5Code,
                           MqttConnectReturnCode v311, String reason) {
    node.context().metrics().refused(listener.label());
    if (v5) {
      endpoint.reject(v5Code, Mqtt5Properties.reason(reason));
    } else if (v311 != null) {
      endpoint.reject(v311);
    } else {
      closeQuietly(endpoint);
    }
  }

  private static void closeQuietly(MqttEndpoint endpoint) {
    try {
      endpoint.close();
    } catch (IllegalStateException | IllegalArgumentException alreadyClosed) {
      // the client went away first
    }
  }

  /** An authenticated CONNECT that may use its client id. */
  private record Admitted(Identity identity, ClientIds.Admission admission) {}

  private <T> Future<T> onContext(Supplier<Future<T>> action) {
    Promise<T> promise = Promise.promise();
    context.runOnContext(v -> action.get().onComplete(promise));
    return promise.future();
  }

  private void refuse(MqttEndpoint endpoint, boolean v5, Refusal refusal) {
    node.context().metrics().refused(listener.label());
    String actor = endpoint.clientIdentifier() == null ? "anonymous" : endpoint.clientIdentifier();
    audit.append(AuditEvent.refused(actor, "mqtt.connect", listener.label(), refusal.getMessage())
            .withDetails(new JsonObject().put("code", refusal.kind().name().toLowerCase())
                .put("remote", String.valueOf(endpoint.remoteAddress())))
            .withNode(node.nodeId()))
        .onFailure(e -> LOG.warn("could not audit a refused CONNECT", e));
    MqttConnectReturnCode code = refusal.kind().code(v5);
    if (v5) {
      endpoint.reject(code, Mqtt5Properties.reason(refusal.getMessage()));
    } else {
      endpoint.reject(code);
    }
  }

  /** {@code closed}: set by the close handler of the CONNECT phase, which runs on the connection's thread. */
  private void accept(MqttEndpoint endpoint, boolean v5, Identity identity, boolean[] closed) {
    String clientId = endpoint.clientIdentifier();
    // decided again on what is held now: another identity may have taken the id while the store was read
    ClientIds.Admission admission = clientIds.admitHeld(identity, clientId);
    if (admission == null) {
      refuse(endpoint, v5, new Refusal(Refusal.Kind.BAD_CLIENT_ID, "client id '" + clientId
          + "' is in use by another identity"));
      return;
    }
    Broker broker = node.broker();
    Session previous = broker.session(clientId);
    if (previous != null && previous.outlet() != null) {
      previous.outlet().kick(Outlet.Disconnect.SESSION_TAKEN_OVER, "another connection with this client id");
    }
    broker.cancelWill(clientId);
    // a session of another owner is never resumed: open() discards it (contract section 9)
    Session session = broker.open(clientId, endpoint.isCleanSession(), SessionOwner.of(identity));
    boolean present = session == previous;
    broker.expiry(session, expiry(endpoint, v5));
    ClientConnection connection = new ClientConnection(endpoint, broker, session, identity, node.context());
    connection.wire();
    endpoint.accept(present, v5 ? connackProperties(session) : MqttProperties.NO_PROPERTIES);
    node.opened(connection);
    session.attach(connection, identity);
    // wire() replaced the close handler under the connection's lock; a close that came before went to the
    // CONNECT phase's handler, and the new one will never hear of it: close it here, or it stays counted
    if (closed[0]) {
      connection.lostWhileAccepted();
    }
  }

  /** 3.1.1: clean session means none; MQTT 5: the requested expiry; both capped by mqtt.sessionExpiryMax. */
  private long expiry(MqttEndpoint endpoint, boolean v5) {
    long max = node.context().sessionExpiryMaxSeconds();
    if (!v5) {
      return endpoint.isCleanSession() ? 0 : max;
    }
    Integer requested = Mqtt5Properties.integer(endpoint.connectProperties(), MqttPropertyType.SESSION_EXPIRY_INTERVAL);
    return requested == null ? 0 : Math.min(Integer.toUnsignedLong(requested), max);
  }

  private MqttProperties connackProperties(Session session) {
    MqttProperties props = new MqttProperties();
    props.add(new IntegerProperty(MqttPropertyType.RECEIVE_MAXIMUM.value(), node.context().receiveMaximum()));
    props.add(new IntegerProperty(MqttPropertyType.TOPIC_ALIAS_MAXIMUM.value(), ClientConnection.TOPIC_ALIAS_MAXIMUM));
    props.add(new IntegerProperty(MqttPropertyType.MAXIMUM_PACKET_SIZE.value(), node.maxMessageSize(listener)));
    props.add(new IntegerProperty(MqttPropertyType.SESSION_EXPIRY_INTERVAL.value(), (int) session.expirySeconds()));
    props.add(new IntegerProperty(MqttPropertyType.RETAIN_AVAILABLE.value(), 1));
    props.add(new IntegerProperty(MqttPropertyType.WILDCARD_SUBSCRIPTION_AVAILABLE.value(), 1));
    props.add(new IntegerProperty(MqttPropertyType.SUBSCRIPTION_IDENTIFIER_AVAILABLE.value(), 1));
    props.add(new IntegerProperty(MqttPropertyType.SHARED_SUBSCRIPTION_AVAILABLE.value(), 1));
    return props;
  }
}
