package io.zto.broker;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.eventbus.MessageProducer;
import io.vertx.core.internal.VertxInternal;
import io.vertx.core.json.JsonObject;
import io.vertx.core.spi.cluster.ClusterManager;
import io.vertx.core.spi.cluster.RegistrationInfo;
import io.zto.shared.bus.Addresses;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hands what clients publish on this node to the brokers of the other nodes. QoS 0 goes out as one
 * event-bus publish on {@link Addresses#BROKER_ROUTE}. QoS 1 and 2 go to each other broker node's own
 * address ({@link Addresses#brokerRoute}) as a request, and the returned future completes once every
 * broker node still in the cluster has answered that its sessions have the message: only then does the
 * client get its PUBACK or PUBREC. An event-bus publish cannot tell that: its write completes as soon as
 * the first target has the message (this node is one), and while the cluster reshapes after a node
 * failure a publish can miss a live node without failing.
 *
 * <p>The broker nodes are those registered on {@link Addresses#BROKER_ROUTE}, together with every node
 * seen there before that is still a cluster member, so that a registry read during the reshaping does not
 * drop one. A node that does not answer is asked again until it answers, leaves the cluster, or
 * {@link #GIVE_UP_MS} pass.
 */
final class ClusterRoutes {

  private static final Logger LOG = LoggerFactory.getLogger(ClusterRoutes.class);

  /** How long one request waits for a node's answer. */
  static final long ANSWER_TIMEOUT_MS = 3_000;
  /** Pause before asking a node again. */
  static final long RETRY_MS = 100;
  /** After this long a message is acknowledged to its client even if a member never answered (logged). */
  static final long GIVE_UP_MS = 15_000;

  private final Vertx vertx;
  private final EventBus bus;
  private final ClusterManager cluster;
  private final String self;
  private final String origin;
  private final MessageProducer<JsonObject> everyNode;
  /** How long the registry's list of broker nodes is reused before it is read again. */
  static final long REGISTRY_REFRESH_MS = 1_000;

  private final Set<String> brokers = ConcurrentHashMap.newKeySet();
  private volatile long registryReadAt;

  private ClusterRoutes(Vertx vertx, String origin) {
    this.vertx = vertx;
    this.bus = vertx.eventBus();
    this.cluster = ((VertxInternal) vertx).clusterManager();
    this.self = cluster.getNodeId();
    this.origin = origin;
    this.everyNode = bus.publisher(Addresses.BROKER_ROUTE);
  }

  /**
   * Registers this node's route address, delivering what arrives there with {@code deliver}; completes
   * once the registration is known to the cluster.
   */
  static Future<ClusterRoutes> start(Vertx vertx, String origin, Consumer<JsonObject> deliver) {
    ClusterRoutes routes = new ClusterRoutes(vertx, origin);
    MessageConsumer<JsonObject> consumer = routes.bus.consumer(Addresses.brokerRoute(routes.self), request -> {
      deliver.accept(request.body());
      request.reply(null);
    });
    return consumer.completion().map(routes);
  }

  /** Hands {@code message} to the other broker nodes; for QoS 1 and 2, completes once they all have it. */
  Future<Void> route(Message message) {
    JsonObject json = message.toJson().put("origin", origin);
    if (message.qos() == 0) {
      return everyNode.write(json).recover(failure -> {
        LOG.warn("QoS 0 message on {} not handed to the other nodes: {}", message.topic(), failure.getMessage());
        return Future.succeededFuture();
      });
    }
    long deadline = System.currentTimeMillis() + GIVE_UP_MS;
    return brokerNodes().compose(nodes -> Future.join(nodes.stream().map(node -> deliver(node, json, message.topic(),
        deadline)).toList())).mapEmpty();
  }

  private Future<List<String>> brokerNodes() {
    long now = System.currentTimeMillis();
    if (now - registryReadAt < REGISTRY_REFRESH_MS) {
      return Future.succeededFuture(others());
    }
    Promise<List<RegistrationInfo>> registered = Promise.promise();
    cluster.getRegistrations(Addresses.BROKER_ROUTE, registered);
    return registered.future().otherwise(List.of()).map(infos -> {
      infos.forEach(info -> brokers.add(info.nodeId()));
      registryReadAt = now;
      return others();
    });
  }

  /** The known broker nodes that are still cluster members, this one excepted. */
  private List<String> others() {
    brokers.retainAll(cluster.getNodes());
    List<String> others = new ArrayList<>(brokers);
    others.remove(self);
    return others;
  }

  private Future<Void> deliver(String node, JsonObject json, String topic, long deadline) {
    return bus.request(Addresses.brokerRoute(node), json, new DeliveryOptions().setSendTimeout(ANSWER_TIMEOUT_MS))
        .<Void>mapEmpty()
        .recover(failure -> {
          if (!cluster.getNodes().contains(node)) {
            // the node left: its sessions are adopted from the store by another node
            brokers.remove(node);
            return Future.succeededFuture();
          }
          if (System.currentTimeMillis() >= deadline) {
            LOG.warn("message on {} not confirmed by node {} within {} ms: {}", topic, node, GIVE_UP_MS,
                failure.getMessage());
            return Future.succeededFuture();
          }
          return vertx.timer(RETRY_MS).compose(ignored -> deliver(node, json, topic, deadline));
        });
  }
}
