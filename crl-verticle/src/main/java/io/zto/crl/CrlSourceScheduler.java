package io.zto.crl;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.zto.shared.domain.CrlSource;
import io.zto.shared.store.CrlSourceRepository;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Fetches every CRL source when it is due ({@link CrlSource#nextAttemptAt()}: refresh interval,
 * nextUpdate, backoff after failures, jitter), one fetch per source at a time on this node. The due
 * instants derive from the stored state, so the scheduler keeps nothing that matters in memory and any
 * node may run it: applying a CRL is idempotent and only the node that applied it announces the changes.
 * Gating it on a cluster lease is a matter of calling {@link #start()} and {@link #stop()} when the lease
 * is won and lost.
 */
final class CrlSourceScheduler {

  private static final Logger LOG = LoggerFactory.getLogger(CrlSourceScheduler.class);

  private final Vertx vertx;
  private final CrlSourceRepository sources;
  private final CrlSourceSync sync;
  private final Duration tick;
  private final Clock clock;
  /** This node's fetches under way, by source id: a refresh asked meanwhile shares the outcome. */
  private final Map<String, Future<JsonObject>> inFlight = new HashMap<>();
  private final Consumer<List<CrlSource>> observer;
  private long timer = -1;
  private boolean fetching;

  /**
   * @param observer sees the sources as stored at every tick (metrics, health), whether or not this node
   *                 fetches
   */
  CrlSourceScheduler(Vertx vertx, CrlSourceRepository sources, CrlSourceSync sync, Duration tick, Clock clock,
                     Consumer<List<CrlSource>> observer) {
    this.vertx = vertx;
    this.sources = sources;
    this.sync = sync;
    this.tick = tick;
    this.clock = clock;
    this.observer = observer;
  }

  /** Starts looking at the sources every tick (for the observer); fetching is started apart. */
  void watch() {
    if (timer < 0) {
      long every = Math.max(10, tick.toMillis());
      timer = vertx.setPeriodic(every, every, id -> tick());
    }
  }

  /** Starts fetching due sources (idempotent). */
  void start() {
    fetching = true;
  }

  /** Stops starting new fetches; those under way finish. */
  void stop() {
    fetching = false;
  }

  boolean running() {
    return fetching;
  }

  /**
   * Fetches the source now, whatever its schedule, or joins the fetch of it under way on this node; the
   * outcome as {@link CrlSourceSync#refresh} says.
   */
  Future<JsonObject> refreshNow(CrlSource source) {
    Future<JsonObject> running = inFlight.get(source.id());
    if (running != null) {
      return running;
    }
    Future<JsonObject> fetch = sync.refresh(source);
    if (!fetch.isComplete()) {
      inFlight.put(source.id(), fetch);
      fetch.onComplete(done -> inFlight.remove(source.id()));
    }
    return fetch;
  }

  private void tick() {
    sources.list().onSuccess(list -> {
      observer.accept(list);
      if (!running()) {
        return;
      }
      Instant now = clock.instant();
      for (CrlSource source : list) {
        if (!inFlight.containsKey(source.id()) && !source.nextAttemptAt().isAfter(now)) {
          refreshNow(source);
        }
      }
    }).onFailure(failure -> LOG.warn("cannot list the CRL sources: {}", failure.getMessage()));
  }
}
