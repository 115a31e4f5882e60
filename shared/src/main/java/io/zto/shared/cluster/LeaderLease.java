package io.zto.shared.cluster;

import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.zto.shared.store.Database;
import io.zto.shared.store.LeaseRepository;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Leadership of one duty (say {@code "crl"}) among the nodes of a cluster, through a row lease in the shared
 * database: the holder renews it every third of its time to live; when the holder dies, another node takes
 * it once it has expired, so a duty is handed over within {@code ttl} plus one renewal interval.
 *
 * <p>Why a row and not a PostgreSQL advisory lock: an advisory lock lives on one connection, so a pool
 * reconnect or a proxy in between silently drops it (and another node may take it while this one still acts);
 * a row with an expiry on the database's clock survives reconnects and says who leads to anyone who reads it.
 *
 * <p>No two leaders: a node counts itself leader only until its own deadline, taken as the moment it
 * <em>sent</em> its last successful renewal plus {@code ttl}. The database set the row's expiry to the moment
 * it <em>ran</em> the statement plus {@code ttl}, which is later, so the node steps down before any other node
 * can see the lease expired, even when renewals fail because the database is unreachable.
 *
 * <p>On the embedded database (one node) the lease is trivially this node's. Use it from one Vert.x context
 * (a verticle's): it keeps its state on that context.
 *
 * <pre>{@code
 * lease = LeaderLease.create(vertx, db, "crl", nodeId, Duration.ofSeconds(15));
 * lease.start();
 * vertx.setPeriodic(60_000, id -> { if (lease.isLeader()) renewCrl(); });
 * }</pre>
 */
public final class LeaderLease {

  /** Default time to live of a lease. */
  public static final Duration DEFAULT_TTL = Duration.ofSeconds(15);

  private static final Logger LOG = LoggerFactory.getLogger(LeaderLease.class);

  private final Vertx vertx;
  private final LeaseRepository leases;
  private final String name;
  private final String nodeId;
  private final Duration ttl;
  private long timer = -1;
  private long deadlineTimer = -1;
  private boolean inFlight;
  private boolean announced;
  private Handler<Boolean> leadershipHandler = leader -> { };
  private boolean stopped;
  // read from other threads (health, metrics scrapes); written on the lease's context only
  private volatile long deadlineNanos;
  private volatile boolean held;
  private volatile String leader;

  private LeaderLease(Vertx vertx, Database db, String name, String nodeId, Duration ttl) {
    this.vertx = vertx;
    this.leases = new LeaseRepository(db);
    this.name = Objects.requireNonNull(name, "name");
    this.nodeId = Objects.requireNonNull(nodeId, "nodeId");
    if (ttl.toMillis() < 300) {
      throw new IllegalArgumentException("a lease needs a time to live of at least 300 ms, not " + ttl);
    }
    this.ttl = ttl;
  }

  /**
   * @param name the duty, one row per name
   * @param nodeId this node's id, unique per process start
   * @param ttl how long a lease lasts without renewal (it is renewed every {@code ttl / 3})
   */
  public static LeaderLease create(Vertx vertx, Database db, String name, String nodeId, Duration ttl) {
    return new LeaderLease(vertx, db, name, nodeId, ttl);
  }

  /**
   * Called on this lease's context with {@code true} when this node becomes the leader and {@code false} when it
   * stops being it (lost to another node, its deadline passed without a renewal, or {@link #stop()}): start and
   * stop a duty's scheduler here, e.g. {@code lease.leadershipHandler(on -> { if (on) s.start(); else s.stop(); })}.
   */
  public LeaderLease leadershipHandler(Handler<Boolean> handler) {
    this.leadershipHandler = Objects.requireNonNull(handler, "handler");
    return this;
  }

  /** Makes a first attempt (completing when it is answered) and keeps trying or renewing every {@code ttl / 3}. */
  public Future<Void> start() {
    timer = vertx.setPeriodic(ttl.toMillis() / 3, id -> attempt());
    return attempt();
  }

  /** Whether this node holds the lease now (false once its deadline passed without a renewal). */
  public boolean isLeader() {
    return held && System.nanoTime() - deadlineNanos < 0;
  }

  /** The node that holds the lease as last seen from here, or null if none did. */
  public String leader() {
    return isLeader() ? nodeId : leader;
  }

  /** The duty's name. */
  public String name() {
    return name;
  }

  /** Stops renewing and gives the lease up if held, so another node takes over at once rather than after ttl. */
  public Future<Void> stop() {
    stopped = true;
    vertx.cancelTimer(timer);
    vertx.cancelTimer(deadlineTimer);
    boolean wasLeader = isLeader();
    held = false;
    announce();
    return wasLeader ? leases.release(name, nodeId).<Void>mapEmpty().recover(failure -> Future.succeededFuture())
        : Future.succeededFuture();
  }

  private Future<Void> attempt() {
    if (inFlight || stopped) {
      return Future.succeededFuture(); // the database is slow: do not queue attempts behind it
    }
    inFlight = true;
    long sent = System.nanoTime();
    return leases.acquire(name, nodeId, ttl)
        .compose(acquired -> acquired ? Future.succeededFuture(nodeId)
            : leases.holder(name).map(holder -> holder.map(LeaseRepository.Holder::holder).orElse(null)))
        .onSuccess(holder -> update(holder, sent))
        .onFailure(failure -> LOG.warn("lease '{}': cannot reach the database ({}); leader until its deadline at most",
            name, failure.getMessage()))
        .<Void>mapEmpty()
        .recover(failure -> Future.succeededFuture())
        .onComplete(ignored -> inFlight = false);
  }

  private void update(String holder, long sent) {
    if (stopped) {
      return; // answered after stop(): the lease is being given up, do not count it held again
    }
    boolean wasLeader = isLeader();
    held = nodeId.equals(holder);
    if (held) {
      deadlineNanos = sent + TimeUnit.MILLISECONDS.toNanos(ttl.toMillis());
      // step down exactly at the deadline if no renewal moved it, not at the next attempt
      vertx.cancelTimer(deadlineTimer);
      long left = TimeUnit.NANOSECONDS.toMillis(deadlineNanos - System.nanoTime()) + 1;
      deadlineTimer = vertx.setTimer(Math.max(1, left), id -> announce());
    }
    if (held != wasLeader) {
      LOG.info("lease '{}': node {} {}", name, nodeId, held ? "is now the leader" : "is no longer the leader (" + holder + " is)");
    } else if (!held && holder != null && !holder.equals(leader)) {
      LOG.info("lease '{}': the leader is {}", name, holder);
    }
    leader = holder;
    announce();
  }

  /** Tells the handler when leadership changed since it was last told. */
  private void announce() {
    boolean now = isLeader();
    if (now != announced) {
      announced = now;
      leadershipHandler.handle(now);
    }
  }
}
