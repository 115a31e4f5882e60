package io.zto.deploy;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.handler.HttpException;
import io.zto.shared.bus.Addresses;
import io.zto.shared.bus.RevocationRequest;

/**
 * The operator API's way to the revocation service ({@link Addresses#REVOCATION_REQUEST}, answered by a
 * node of the crl role): the API never revokes, blocks or announces by itself. A refusal passes through
 * with its status; nobody answering is 503 with a reason an operator can act on.
 */
final class Revocations {

  private final Vertx vertx;

  Revocations(Vertx vertx) {
    this.vertx = vertx;
  }

  /** The service's reply, or its refusal. */
  Future<JsonObject> ask(RevocationRequest request) {
    return vertx.eventBus().<JsonObject>request(Addresses.REVOCATION_REQUEST, request.toJson()).map(Message::body)
        .recover(failure -> Future.failedFuture(failure instanceof ReplyException reply
            && reply.failureType() != ReplyFailure.RECIPIENT_FAILURE
            ? new HttpException(503, "the revocation service did not answer (" + reply.failureType().name()
                .toLowerCase(java.util.Locale.ROOT).replace('_', ' ') + "): no node of the crl role is running or"
                + " reachable; nothing was changed unless a later GET shows it")
            : failure));
  }
}
