package io.zto.shared.bus;

import io.vertx.core.eventbus.ReplyException;

/** Failure codes on the bus: HTTP statuses, so API handlers can pass them straight through. */
public final class BusFailure {

  public static final int BAD_REQUEST = 400;
  public static final int FORBIDDEN = 403;
  public static final int NOT_FOUND = 404;
  public static final int CONFLICT = 409;
  public static final int INTERNAL = 500;
  public static final int UNAVAILABLE = 503;

  private BusFailure() {}

  /**
   * The HTTP status a failed request maps to: the code a consumer failed with, 503 when nobody
   * answered (no consumer, timeout), 500 for anything else.
   */
  public static int status(Throwable failure) {
    if (failure instanceof ReplyException reply) {
      return switch (reply.failureType()) {
        case RECIPIENT_FAILURE -> reply.failureCode() >= 400 && reply.failureCode() < 600 ? reply.failureCode() : INTERNAL;
        case NO_HANDLERS, TIMEOUT -> UNAVAILABLE;
        default -> INTERNAL;
      };
    }
    return INTERNAL;
  }
}
