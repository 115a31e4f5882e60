package io.zto.deploy;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.zto.shared.domain.AuditEvent;
import io.zto.shared.domain.EstRequest;
import io.zto.shared.store.AuditRepository;
import io.zto.shared.store.EstRequestRepository;
import java.time.Instant;
import java.util.Locale;

/**
 * The queue of EST enrollments under manual-approval profiles: {@code GET /api/v1/est-requests?status=},
 * {@code POST /api/v1/est-requests/{id}/approve} and {@code .../reject {reason}}. The device's next retry
 * of the same CSR is then issued (or refused).
 */
final class EstRequestsApi {

  private static final int DEFAULT_LIMIT = 100;

  private final Vertx vertx;
  private final EstRequestRepository requests;
  private final AuditRepository audit;
  private final String nodeId;

  EstRequestsApi(Vertx vertx, EstRequestRepository requests, AuditRepository audit, String nodeId) {
    this.vertx = vertx;
    this.requests = requests;
    this.audit = audit;
    this.nodeId = nodeId;
  }

  void approve(RoutingContext ctx) {
    decide(ctx, EstRequest.Status.APPROVED);
  }

  void reject(RoutingContext ctx) {
    decide(ctx, EstRequest.Status.REJECTED);
  }

  void list(RoutingContext ctx) {
    EstRequest.Status status;
    int limit;
    try {
      String text = ctx.queryParams().get("status");
      status = text == null ? null : EstRequest.Status.valueOf(text.toUpperCase(Locale.ROOT));
      limit = Limits.parse(ctx.queryParams().get("limit"), DEFAULT_LIMIT);
    } catch (IllegalArgumentException e) {
      ApiErrors.send(ctx, 400, "bad_request", e.getMessage().startsWith("limit") ? e.getMessage()
          : "status must be pending, approved or rejected");
      return;
    }
    requests.list(status, ctx.queryParams().get("cursor"), limit).onSuccess(page -> {
      JsonArray items = new JsonArray();
      page.items().forEach(r -> items.add(r.toJson()));
      ctx.json(new JsonObject().put("items", items).put("nextCursor", page.nextCursor()));
    }).onFailure(ctx::fail);
  }

  private void decide(RoutingContext ctx, EstRequest.Status decision) {
    String id = ctx.pathParam("id");
    String reason;
    try {
      JsonObject body = ctx.body().length() == 0 ? null : ctx.body().asJsonObject();
      reason = body == null ? null : body.getString("reason");
    } catch (RuntimeException e) {
      ApiErrors.send(ctx, 400, "bad_request", "the body must be empty or JSON like {\"reason\": \"...\"}");
      return;
    }
    String actor = ctx.get(BearerAuth.ACTOR);
    String action = "est-request." + (decision == EstRequest.Status.APPROVED ? "approve" : "reject");
    requests.decide(id, decision, reason, actor, Instant.now())
        .compose(decided -> requests.get(id).map(found -> {
          if (found.isEmpty()) {
            ApiErrors.send(ctx, 404, "not_found", "no EST request " + id);
          } else if (!decided) {
            audit.append(AuditEvent.refused(actor, action, id, "decided already").withNode(nodeId));
            ApiErrors.send(ctx, 409, "conflict", "EST request " + id + " is " + found.get().status().name()
                .toLowerCase(Locale.ROOT) + " already");
          } else {
            audit.append(AuditEvent.succeeded(actor, action, id).withNode(nodeId)
                .withDetails(new JsonObject().put("deviceId", found.get().deviceId()).put("reason", reason)));
            ctx.json(found.get().toJson());
          }
          return null;
        }))
        .onFailure(ctx::fail);
  }
}
