package io.zto.deploy;

import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.Locale;

/** Reading what the OpenAPI router already validated: path and query parameters, the JSON body. */
final class ApiRequests {

  static final int DEFAULT_LIMIT = 100;

  private ApiRequests() {}

  static String id(RoutingContext ctx) {
    return ctx.pathParam("id");
  }

  static String query(RoutingContext ctx, String name) {
    return ctx.queryParams().get(name);
  }

  /** An enum query parameter (lower case on the wire), or null. */
  static <E extends Enum<E>> E enumQuery(RoutingContext ctx, String name, Class<E> type) {
    String text = query(ctx, name);
    return text == null ? null : Enum.valueOf(type, text.toUpperCase(Locale.ROOT));
  }

  static String cursor(RoutingContext ctx) {
    return query(ctx, "cursor");
  }

  static int limit(RoutingContext ctx) {
    return Limits.parse(query(ctx, "limit"), DEFAULT_LIMIT);
  }

  static JsonObject body(RoutingContext ctx) {
    JsonObject body = ctx.body().asJsonObject();
    return body == null ? new JsonObject() : body;
  }

  static String actor(RoutingContext ctx) {
    String actor = ctx.get(BearerAuth.ACTOR);
    return actor == null ? "operator" : actor;
  }
}
