package io.zto.broker;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.json.JsonObject;
import io.zto.shared.bus.Addresses;
import io.zto.shared.bus.SessionClaim;
import io.zto.shared.store.BrokerStateRepository;
import io.zto.shared.store.BrokerStateRepository.StoredSession;
import java.time.Instant;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Client takeover across clustered nodes. A client connecting here claims its session: every other node
 * closes its connection of that client id ({@link Addresses#BROKER_SESSION_TAKEN}, a publish), and the node
 * the store names as the session's owner is asked ({@link Addresses#brokerNode}) to hand the session over:
 * it stores the session as it is and forgets it (or removes it for a clean start), then answers; this node
 * loads it from the store. An owner that does not answer within {@link #CLAIM_TIMEOUT_MS} loses the session
 * in the store (a conditional update) and its last stored state is loaded. Sessions of nodes that left the
 * cluster are adopted every {@link #ADOPT_INTERVAL_MS}, so their messages are queued again. Event-loop
 * confined, like the broker.
 */
final class SessionHandover {

  /** How long the owner of a session may take to hand it over before its stored state is used. */
  static final long CLAIM_TIMEOUT_MS = 3_000;

  /** How often this node looks for sessions of nodes that are gone, to queue their messages again. */
  static final long ADOPT_INTERVAL_MS = 5_000;

  private static final Logger LOG = LoggerFactory.getLogger(SessionHandover.class);

  private final Vertx vertx;
  private final EventBus bus;
  private final BrokerNode node;
  private final BrokerStateRepository repo;
  private final SessionJournal journal;
  private final Context context;
  private boolean adopting;

  SessionHandover(Vertx vertx, BrokerNode node, BrokerStateRepository repo, SessionJournal journal, Context context) {
    this.vertx = vertx;
    this.bus = vertx.eventBus();
    this.node = node;
    this.repo = repo;
    this.journal = journal;
    this.context = context;
  }

  /** Registers this node's consumers and routes its CONNECTs through {@link #claim}. */
  Future<Void> start() {
    node.claims(this::claim);
    MessageConsumer<JsonObject> taken = bus.consumer(Addresses.BROKER_SESSION_TAKEN, m -> {
      SessionClaim claim = SessionClaim.fromJson(m.body());
      if (!claim.node().equals(node.nodeId()) && !claim.isProbe()) {
        node.broker().handOver(claim.clientId(), claim.cleanStart());
      }
    });
    MessageConsumer<JsonObject> asked = bus.consumer(Addresses.brokerNode(node.nodeId()), m -> {
      SessionClaim claim = SessionClaim.fromJson(m.body());
      if (claim.isProbe()) {
        m.reply(SessionClaim.reply(node.nodeId(), false));
        return;
      }
      boolean held = node.broker().session(claim.clientId()) != null;
      node.broker().handOver(claim.clientId(), claim.cleanStart())
          .onComplete(ar -> m.reply(SessionClaim.reply(node.nodeId(), held)));
    });
    vertx.setPeriodic(ADOPT_INTERVAL_MS, id -> adoptOrphans());
    return Future.all(taken.completion(), asked.completion()).mapEmpty();
  }

  /**
   * Whether the broker of node {@code nodeId} is still registered in the cluster. Only "no handler" counts
   * as gone: a node too busy to answer in time keeps its sessions, so no session is ever held twice.
   */
  Future<Boolean> alive(String nodeId) {
    return bus.request(Addresses.brokerNode(nodeId), SessionClaim.probe(node.nodeId()).toJson(), options())
        .transform(ar -> Future.succeededFuture(ar.succeeded() || !gone(ar.cause())));
  }

  private static boolean gone(Throwable failure) {
    return failure instanceof ReplyException reply && reply.failureType() == ReplyFailure.NO_HANDLERS;
  }

  // a node that died held offline sessions nobody queues for: the first node to notice takes them
  private void adoptOrphans() {
    if (adopting) {
      return;
    }
    adopting = true;
    BrokerRestore.adoptOrphans(repo, node.nodeId(), this::alive)
        .compose(ids -> {
          if (!ids.isEmpty()) {
            LOG.info("took over {} stored sessions of nodes that are gone", ids.size());
          }
          return Future.all(ids.stream().map(id -> BrokerRestore.loadSession(repo, node.broker(), context, id))
              .toList());
        })
        .onComplete(ar -> {
          adopting = false;
          if (ar.failed()) {
            LOG.warn("could not take over the sessions of nodes that are gone", ar.cause());
          }
        });
  }

  /**
   * Takes the session of {@code clientId} to this node before its CONNECT is accepted; completes on the
   * broker's context. A store that cannot be read leaves the client with what this node has (logged).
   */
  Future<Void> claim(String clientId, boolean cleanStart) {
    SessionClaim claim = new SessionClaim(clientId, node.nodeId(), cleanStart);
    bus.publish(Addresses.BROKER_SESSION_TAKEN, claim.toJson());
    if (node.broker().session(clientId) != null) {
      return Future.succeededFuture(); // held here: a local takeover
    }
    Future<Void> done = repo.session(clientId, Instant.now())
        .compose(stored -> stored == null ? Future.succeededFuture() : fromOwner(stored, claim)
            .compose(v -> cleanStart ? discard(clientId)
                : BrokerRestore.loadSession(repo, node.broker(), context, clientId)))
        .recover(e -> {
          LOG.warn("session of {} not taken over from the store; it starts anew here", clientId, e);
          return Future.succeededFuture();
        });
    return onContext(done);
  }

  /**
   * The owner stores the session and answers; then this node becomes the owner in the store, so that even
   * if the client vanishes now, exactly one node holds the session. An owner that does not answer is gone
   * or stuck: what it stored last is the truth. If another node took the session in the store meanwhile
   * (adopting it from a gone node), that node is asked once more.
   */
  private Future<Void> fromOwner(StoredSession stored, SessionClaim claim) {
    if (stored.node() != null && stored.node().equals(node.nodeId())) {
      return Future.succeededFuture();
    }
    String owner = Objects.requireNonNullElse(stored.node(), "");
    return takeFrom(owner, claim)
        .compose(won -> won ? Future.succeededFuture() : repo.session(claim.clientId(), Instant.now())
            .compose(now -> now == null || node.nodeId().equals(now.node()) ? Future.succeededFuture()
                : takeFrom(Objects.requireNonNullElse(now.node(), ""), claim).mapEmpty()));
  }

  private Future<Boolean> takeFrom(String owner, SessionClaim claim) {
    return ask(owner, claim).compose(answered -> repo.adoptSession(claim.clientId(), owner, node.nodeId()));
  }

  private Future<Boolean> ask(String owner, SessionClaim claim) {
    return bus.request(Addresses.brokerNode(owner), claim.toJson(), options()).transform(ar -> {
      if (ar.failed()) {
        LOG.info("node {} did not hand over the session of {} ({}); taking it from the store", owner,
            claim.clientId(), ar.cause().getMessage());
      }
      return Future.succeededFuture(ar.succeeded());
    });
  }

  // a clean start: the stored session goes, through this node's journal so later writes come after it
  private Future<Void> discard(String clientId) {
    return onContext(Future.succeededFuture()).compose(v -> {
      journal.removed(clientId);
      return journal.flushed(clientId);
    });
  }

  private Future<Void> onContext(Future<Void> future) {
    Promise<Void> promise = Promise.promise();
    future.onComplete(ar -> context.runOnContext(v -> promise.handle(ar)));
    return promise.future();
  }

  private static DeliveryOptions options() {
    return new DeliveryOptions().setSendTimeout(CLAIM_TIMEOUT_MS);
  }
}
