package io.zto.deploy;

import io.vertx.core.Vertx;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.zto.shared.bus.Addresses;

/**
 * {@code GET /api/v1/events}: a server-sent event stream ({@code text/event-stream}) of what happens on
 * the platform, for the console's live pages and for scripts ({@code curl -N -H 'Authorization: Bearer ..'}).
 * It sits behind the same bearer authentication as the rest of the API: browsers read it with
 * {@code fetch()} and the Authorization header, so the token never travels in a URL.
 *
 * <p>Events: {@code audit} (each new audit-log entry, its JSON as in {@code GET /api/v1/audit}, id = the
 * entry's id) and {@code revocation} (a certificate or device blocked or unblocked, cluster-wide). A comment
 * line every {@value #HEARTBEAT_MS} ms keeps proxies from closing an idle stream. A client too slow to
 * read is disconnected rather than buffered for; it reconnects and reads the API again.
 */
final class EventsApi {

  static final long HEARTBEAT_MS = 15_000;
  /** Streams one node serves at once; each holds a connection and two bus consumers. */
  static final int MAX_STREAMS = 64;

  private final Vertx vertx;
  private final AuditFeed feed;
  private int streams;

  EventsApi(Vertx vertx, AuditFeed feed) {
    this.vertx = vertx;
    this.feed = feed;
  }

  void stream(RoutingContext ctx) {
    if (streams >= MAX_STREAMS) {
      ApiErrors.send(ctx, 503, "unavailable", "this node serves " + MAX_STREAMS
          + " event streams already; close one or use another node");
      return;
    }
    streams++;
    HttpServerResponse response = ctx.response();
    response.setChunked(true).putHeader("Content-Type", "text/event-stream; charset=utf-8")
        .putHeader("Cache-Control", "no-store").putHeader("X-Accel-Buffering", "no");
    response.write(": zto operator events\nretry: 3000\n\n");
    MessageConsumer<JsonObject> audit = vertx.eventBus().localConsumer(Addresses.OPERATOR_EVENTS,
        message -> send(response, "audit", message.body().getLong("id"), message.body()));
    MessageConsumer<JsonObject> revocations = vertx.eventBus().consumer(Addresses.REVOCATION_EVENTS,
        message -> send(response, "revocation", null, message.body()));
    long heartbeat = vertx.setPeriodic(HEARTBEAT_MS, id -> {
      if (!response.closed()) {
        response.write(": keep-alive\n\n");
      }
    });
    feed.watch();
    Runnable closed = () -> {
      audit.unregister();
      revocations.unregister();
      vertx.cancelTimer(heartbeat);
      feed.unwatch();
      streams--;
    };
    response.closeHandler(ignored -> closed.run());
  }

  /** Streams open on this node now. */
  int open() {
    return streams;
  }

  private static void send(HttpServerResponse response, String event, Long id, JsonObject data) {
    if (response.closed()) {
      return;
    }
    if (response.writeQueueFull()) {
      // a reader this slow would make the node buffer without bound; it reconnects and reads the API
      response.reset();
      return;
    }
    // JSON encodes line breaks inside strings as \n, so the data is one line as SSE requires
    response.write((id == null ? "" : "id: " + id + "\n") + "event: " + event + "\ndata: " + data.encode() + "\n\n");
  }
}
