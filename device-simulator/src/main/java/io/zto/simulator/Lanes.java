package io.zto.simulator;

import io.vertx.core.Context;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VerticleBase;
import io.vertx.core.VertxOptions;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * Event-loop contexts to spread simulated clients over: a connection opened on a lane keeps its I/O,
 * TLS and timers on that lane's event loop. (From a plain thread, Vert.x would give every call the same
 * sticky context, and all devices would share one core.)
 */
final class Lanes {

  private Lanes() {}

  /**
   * The Vert.x options of a load tool with {@code eventLoops} event loops. A loop blocked for a while
   * (class loading and the first TLS contexts on a busy machine) is still reported, in one line: the
   * stack traces would bury the progress.
   */
  static VertxOptions vertxOptions(int eventLoops) {
    return new VertxOptions().setEventLoopPoolSize(eventLoops).setWarningExceptionTime(TimeUnit.MINUTES.toNanos(10));
  }

  /** {@code count} contexts on distinct event loops (as far as the instance has that many). */
  static Future<List<Context>> deploy(Vertx vertx, int count) {
    List<Context> lanes = new CopyOnWriteArrayList<>();
    return vertx.deployVerticle(() -> new VerticleBase() {
      @Override
      public Future<?> start() {
        lanes.add(context);
        return Future.succeededFuture();
      }
    }, new DeploymentOptions().setInstances(count)).map(ignored -> List.copyOf(lanes));
  }
}
