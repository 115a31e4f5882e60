package io.zto.deploy;

import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.HttpException;
import io.zto.shared.bus.BusFailure;
import io.zto.shared.domain.Page;
import io.zto.shared.store.DuplicateKeyException;
import java.util.List;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** How operator API handlers answer: JSON bodies, pages, and failures mapped to statuses. */
final class ApiResponses {

  private static final Logger LOG = LoggerFactory.getLogger(ApiResponses.class);

  private ApiResponses() {}

  static void json(RoutingContext ctx, int status, JsonObject body) {
    ctx.response().setStatusCode(status).putHeader("Content-Type", "application/json").end(body.encode());
  }

  static <T> void page(RoutingContext ctx, Page<T> page, Function<T, JsonObject> toJson) {
    JsonArray items = new JsonArray();
    page.items().forEach(item -> items.add(toJson.apply(item)));
    json(ctx, 200, new JsonObject().put("items", items).put("nextCursor", page.nextCursor()));
  }

  static <T> void list(RoutingContext ctx, List<T> list, Function<T, JsonObject> toJson) {
    JsonArray items = new JsonArray();
    list.forEach(item -> items.add(toJson.apply(item)));
    json(ctx, 200, new JsonObject().put("items", items));
  }

  /** Answers the outcome of {@code work}: its JSON with {@code status}, or the failure mapped. */
  static void reply(RoutingContext ctx, int status, Future<JsonObject> work) {
    work.onSuccess(body -> json(ctx, status, body)).onFailure(failure -> fail(ctx, failure));
  }

  /**
   * Bad input is 400, an existing thing 409, a status a bus consumer failed with passes through, the
   * rest is 500 with the detail in the server log only.
   */
  static void fail(RoutingContext ctx, Throwable failure) {
    if (failure instanceof HttpException http) {
      ApiErrors.send(ctx, http.getStatusCode(), ApiErrors.code(http.getStatusCode()), http.getPayload());
    } else if (failure instanceof IllegalArgumentException) {
      ApiErrors.send(ctx, 400, "bad_request", failure.getMessage());
    } else if (failure instanceof DuplicateKeyException) {
      ApiErrors.send(ctx, 409, "conflict", failure.getMessage());
    } else if (failure instanceof io.vertx.core.eventbus.ReplyException) {
      int status = BusFailure.status(failure);
      ApiErrors.send(ctx, status, ApiErrors.code(status), failure.getMessage());
    } else {
      LOG.error("operator API {} {} failed", ctx.request().method(), ctx.request().path(), failure);
      ApiErrors.send(ctx, 500, "internal_error", "internal error; see the server log");
    }
  }

  static HttpException notFound(String what) {
    return new HttpException(404, what);
  }

  static HttpException conflict(String what) {
    return new HttpException(409, what);
  }
}
