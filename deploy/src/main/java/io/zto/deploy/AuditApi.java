package io.zto.deploy;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.zto.shared.domain.AuditEvent;
import io.zto.shared.store.AuditRepository;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Locale;

/** {@code GET /api/v1/audit}: who did what, when; newest first, filtered, paged by cursor. */
final class AuditApi {

  static final int DEFAULT_LIMIT = 100;

  private final AuditRepository audit;

  AuditApi(AuditRepository audit) {
    this.audit = audit;
  }

  void list(RoutingContext ctx) {
    AuditRepository.Query query;
    try {
      query = query(ctx);
    } catch (IllegalArgumentException e) {
      ApiErrors.send(ctx, 400, "bad_request", e.getMessage());
      return;
    }
    audit.list(query)
        .onSuccess(page -> {
          JsonArray items = new JsonArray();
          page.items().forEach(e -> items.add(e.toJson()));
          ctx.json(new JsonObject().put("items", items).put("nextCursor", page.nextCursor()));
        })
        .onFailure(ctx::fail);
  }

  private static AuditRepository.Query query(RoutingContext ctx) {
    String outcome = ctx.queryParams().get("outcome");
    String since = ctx.queryParams().get("since");
    String cursor = ctx.queryParams().get("cursor");
    if (cursor != null && !cursor.matches("\\d{1,19}")) {
      throw new IllegalArgumentException("cursor must be the nextCursor of a previous page");
    }
    return new AuditRepository.Query(ctx.queryParams().get("subject"), ctx.queryParams().get("action"),
        outcome == null ? null : outcome(outcome), since == null ? null : instant(since), cursor, limit(ctx));
  }

  private static AuditEvent.Outcome outcome(String text) {
    try {
      return AuditEvent.Outcome.valueOf(text.toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("outcome must be succeeded, refused or failed, not '" + text + "'");
    }
  }

  private static Instant instant(String text) {
    try {
      return Instant.parse(text);
    } catch (DateTimeParseException e) {
      throw new IllegalArgumentException("since must be an ISO-8601 instant like 2026-11-28T05:00:00Z, not '" + text + "'");
    }
  }

  private static int limit(RoutingContext ctx) {
    return Limits.parse(ctx.queryParams().get("limit"), DEFAULT_LIMIT);
  }
}
