package io.zto.shared.bus;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.util.List;

/**
 * Announces changes of a CRL source's entries on {@link Addresses#REVOCATION_EVENTS}: one
 * {@link RevocationEvent} of kind CERTIFICATE per serial. A 100,000-entry change is published in slices
 * a millisecond apart, so that announcing it never holds an event loop for long and the consumers (every
 * broker node) keep up instead of queueing the whole change at once.
 */
public final class CrlSourceEvents {

  /** Events published per slice. */
  public static final int EVENTS_PER_TURN = 200;

  private CrlSourceEvents() {
  }

  /**
   * Publishes the events in order; completes when all are published. Call it on a Vert.x context.
   *
   * @param events for one issuer, e.g. built with {@link RevocationEvent} of kind CERTIFICATE
   */
  public static Future<Void> publish(Vertx vertx, List<RevocationEvent> events) {
    Promise<Void> done = Promise.promise();
    publishFrom(vertx, events, 0, done);
    return done.future();
  }

  private static void publishFrom(Vertx vertx, List<RevocationEvent> events, int from, Promise<Void> done) {
    int to = Math.min(events.size(), from + EVENTS_PER_TURN);
    for (int i = from; i < to; i++) {
      vertx.eventBus().publish(Addresses.REVOCATION_EVENTS, events.get(i).toJson());
    }
    if (to == events.size()) {
      done.complete();
    } else {
      vertx.setTimer(1, ignored -> publishFrom(vertx, events, to, done));
    }
  }
}
