package io.zto.broker;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import io.zto.shared.bus.Addresses;
import io.zto.shared.bus.CommandReply;
import io.zto.shared.bus.DeliverMessage;
import io.zto.shared.bus.DropSessions;
import io.zto.shared.bus.ProvisioningRequestMessage;
import io.zto.shared.bus.RevocationEvent;
import io.zto.shared.domain.AuditEvent;
import io.zto.shared.store.AuditRepository;
import java.util.List;
import java.util.Locale;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The broker's side of the event bus. Every node consumes the publish addresses and acts on its own
 * sessions, so any node may publish a delivery or a drop; client publishes are forwarded to the other
 * nodes on {@link Addresses#BROKER_ROUTE}. Provisioning requests become requests to the provisioning
 * verticle and their answers go back to the device (contract section 4).
 */
public final class BrokerBridge {

  /** How long a provisioning answer may take before the device is told to retry. */
  static final long PROVISIONING_TIMEOUT_MS = 30_000;

  private static final Logger LOG = LoggerFactory.getLogger(BrokerBridge.class);

  private final Vertx vertx;
  private final BrokerNode node;
  private final EventBus bus;
  private final AuditRepository audit;

  public BrokerBridge(Vertx vertx, BrokerNode node, AuditRepository audit) {
    this.vertx = vertx;
    this.node = node;
    this.bus = vertx.eventBus();
    this.audit = audit;
  }

  /** Registers the consumers; completes when they are registered (cluster-wide when clustered). */
  public Future<Void> start() {
    node.inbound(this::fromClient);
    Future<?> routes = Future.succeededFuture();
    if (vertx.isClustered()) {
      // QoS 1/2 are acknowledged to the client only once every other broker node has them (ClusterRoutes)
      routes = ClusterRoutes.start(vertx, node.nodeId(), this::fromOtherNode)
          .onSuccess(cluster -> node.broker().clusterSink(cluster::route));
    }
    List<MessageConsumer<JsonObject>> consumers = List.of(
        bus.<JsonObject>consumer(Addresses.BROKER_ROUTE, m -> fromOtherNode(m.body())),
        bus.<JsonObject>consumer(Addresses.BROKER_DELIVER, m -> deliver(DeliverMessage.fromJson(m.body()))),
        bus.<JsonObject>consumer(Addresses.BROKER_DROP_SESSIONS, m -> drop(DropSessions.fromJson(m.body()))),
        bus.<JsonObject>consumer(Addresses.REVOCATION_EVENTS, m -> revoked(RevocationEvent.fromJson(m.body()))));
    List<Future<?>> registered = new java.util.ArrayList<>(consumers.stream().map(MessageConsumer::completion).toList());
    registered.add(routes);
    return Future.all(registered).mapEmpty();
  }

  private void fromOtherNode(JsonObject json) {
    if (!node.nodeId().equals(json.getString("origin"))) {
      node.broker().deliverLocally(Message.fromJson(json), false);
    }
  }

  private void deliver(DeliverMessage message) {
    // every node receives the publish, so each delivers locally only: no re-forwarding. Each node stores
    // a retained one: the same upsert, so the stored value is the last one whichever node writes last
    node.broker().deliverLocally(Message.fromPlatform(message.topic(), message.payload(), message.qos(),
        message.retain(), message.properties(), System.currentTimeMillis()), true);
  }

  private Future<Void> fromClient(ClientConnection connection, Message message) {
    Identity who = connection.identity();
    if (who.listener() == Identity.Listener.PROVISIONING
        && who.deviceId().equals(ProvisioningTopics.deviceOfRequest(message.topic()))) {
      provision(who, message);
      return Future.succeededFuture();
    }
    Future<Void> safe = node.broker().publish(message);
    String[] levels = message.topic().split("/");
    if (levels.length == 5 && levels[0].equals("devices") && levels[2].equals("commands") && levels[4].equals("reply")
        && who.deviceId() != null) {
      // sent, not published: one provisioning verticle of the cluster records it (every node's would race to,
      // and all but one would audit the reply as one to a finished command)
      bus.send(Addresses.COMMAND_REPLY,
          new CommandReply(who.deviceId(), levels[3], message.payload().toString()).toJson());
    }
    return safe;
  }

  private void provision(Identity who, Message request) {
    JsonObject body;
    try {
      body = new JsonObject(request.payload());
    } catch (DecodeException | ClassCastException e) {
      refuse(who, request, null, "the request is not a JSON object");
      return;
    }
    String requestId = body.getValue("requestId") instanceof String id ? id : null;
    if (requestId == null || requestId.isEmpty() || requestId.length() > 64) {
      refuse(who, request, requestId, "requestId must be a string of 1 to 64 characters");
      return;
    }
    String responseTopic = request.responseTopic();
    if (responseTopic != null && !responseTopic.equals(ProvisioningTopics.response(who.deviceId()))) {
      // the answer carries secrets: elsewhere it would reach whoever listens there (another device's command
      // topic, a back end), so only the device's own response topic is honoured (contract section 9)
      node.context().denied(who, "responseTopic", responseTopic);
    }
    Object info = body.getValue("info");
    ProvisioningRequestMessage message = new ProvisioningRequestMessage(who.deviceId(), requestId,
        who.chainPem(), body.getString("idevid"), info instanceof JsonObject o ? o : null, node.nodeId(),
        body.getValue("idevidProof") instanceof String p ? p : null);
    bus.<JsonObject>request(Addresses.PROVISIONING_REQUEST, message.toJson(),
            new DeliveryOptions().setSendTimeout(PROVISIONING_TIMEOUT_MS))
        .onComplete(ar -> answer(who, request, ar.succeeded() ? ar.result().body()
            : unavailable(requestId)));
  }

  /** A request the broker refuses before any provisioning decision: answered and audited like one. */
  private void refuse(Identity who, Message request, String requestId, String reason) {
    audit.append(AuditEvent.refused(who.deviceId(), "provisioning.request", who.deviceId(), reason)
            .withNode(node.nodeId()))
        .onFailure(e -> LOG.warn("could not audit a refused provisioning request", e));
    answer(who, request, rejected(requestId, reason));
  }

  /**
   * Without a provisioning service the device is told "pending", not "rejected": nobody decided
   * against it, and asking again later gets the decision (contract section 4).
   */
  private static JsonObject unavailable(String requestId) {
    return new JsonObject().put("requestId", requestId).put("status", "pending")
        .put("reason", "provisioning service unavailable, ask again later");
  }

  private static JsonObject rejected(String requestId, String reason) {
    return new JsonObject().put("requestId", requestId).put("status", "rejected").put("reason", reason);
  }

  /**
   * To the device's own response topic with the request's Correlation Data. An MQTT 5 Response Topic is
   * honoured only when it is that same topic, so the answer goes there once and nowhere else; and only to
   * the session of the LDevID that asked, never to another certificate holding the device id.
   */
  private void answer(Identity who, Message request, JsonObject reply) {
    Buffer payload = reply.toBuffer();
    Message answer = new Message(ProvisioningTopics.response(who.deviceId()), payload, 1, false, null, 0, 1,
        "application/json", null, request.correlationData(), List.of()).withAudience(who.certificateFingerprint());
    node.broker().publish(answer);
  }

  /** Drops by device id or by the client certificate's fingerprint (the exact certificate it verified). */
  private void drop(DropSessions drop) {
    disconnect(who -> drop.deviceId() != null && drop.deviceId().equals(who.deviceId())
        || drop.certificateFingerprint() != null && drop.certificateFingerprint().equals(who.certificateFingerprint()),
        drop.reason() == null ? "session dropped by the platform" : drop.reason());
  }

  /**
   * Drops by what was verified (contract section 9), whatever chain the client presented: a device's
   * sessions on every listener; every session with a certificate verified by a stale issuer; and for a
   * certificate, every session whose verified path holds that serial verified by that issuer (a revoked
   * intermediate drops the devices below it). A platform certificate (its event names the device) is also
   * matched by device id and leaf serial, so its sessions go even if the event's issuer fingerprint is not
   * the one that verified them (an issuing CA certificate renewed with the same key).
   */
  private void revoked(RevocationEvent event) {
    if (event.action() != RevocationEvent.Action.BLOCKED) {
      return;
    }
    String because = event.reason() == null ? "" : " (" + event.reason() + ")";
    switch (event.kind()) {
      case DEVICE -> disconnect(who -> event.deviceId().equals(who.deviceId()), "device blocked" + because);
      case ISSUER -> disconnect(who -> who.issuedUnder(event.issuerFingerprint()), "issuer's CRL is stale");
      case CERTIFICATE -> {
        String serial = event.serial().toLowerCase(Locale.ROOT).replaceFirst("^0+(?=.)", "");
        disconnect(who -> who.holds(serial, event.issuerFingerprint())
            || event.deviceId() != null && event.deviceId().equals(who.deviceId())
                && serial.equals(who.certificateSerial()), "certificate revoked" + because);
      }
    }
  }

  private void disconnect(Predicate<Identity> which, String reason) {
    for (ClientConnection connection : node.connections()) {
      if (which.test(connection.identity())) {
        connection.kick(Outlet.Disconnect.ADMINISTRATIVE_ACTION, reason);
      }
    }
  }
}
