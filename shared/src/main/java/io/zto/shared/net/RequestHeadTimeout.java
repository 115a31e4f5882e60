package io.zto.shared.net;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpConnection;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A deadline for the next request on a kept-alive HTTP/1.x connection: from the end of each response, the
 * next request line and headers must have arrived within the timeout, or the connection is closed. A
 * client then cannot hold a connection it has used by trickling the head of its next request (bytes
 * that keep the connection from ever being idle), nor by keeping it open and silent. The head of a
 * connection's first request is bounded by the listener's idle timeout: Vert.x counts a request head
 * as activity only once it is complete. A connection waiting for its answer is not timed.
 */
public final class RequestHeadTimeout {

  private final Vertx vertx;
  private final long timeoutMs;
  private final Map<HttpConnection, Long> timers = new ConcurrentHashMap<>();

  private RequestHeadTimeout(Vertx vertx, Duration timeout) {
    this.vertx = vertx;
    this.timeoutMs = Math.max(1, timeout.toMillis());
  }

  /**
   * Applies the deadline to the connections of a server whose requests all go through {@code router}: the
   * router gets a first route that stops the clock when a head has arrived and starts it again when the
   * response ends.
   */
  public static void install(Vertx vertx, Router router, Duration timeout) {
    RequestHeadTimeout heads = new RequestHeadTimeout(vertx, timeout);
    router.route().order(Integer.MIN_VALUE).handler(heads::headArrived);
  }

  private void headArrived(RoutingContext ctx) {
    HttpConnection connection = ctx.request().connection();
    Long timer = timers.remove(connection);
    if (timer != null) {
      vertx.cancelTimer(timer);
    }
    ctx.addEndHandler(done -> awaitNextHead(connection));
    ctx.next();
  }

  private void awaitNextHead(HttpConnection connection) {
    long timer = vertx.setTimer(timeoutMs, id -> {
      // no new head since the last response: the client had its time (a closed connection ignores this)
      if (timers.remove(connection, id)) {
        connection.close();
      }
    });
    Long previous = timers.put(connection, timer);
    if (previous != null) {
      vertx.cancelTimer(previous);
    }
  }
}
