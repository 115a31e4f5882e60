package io.zto.deploy;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.zto.shared.bus.RevocationRequest;
import io.zto.shared.domain.RevocationReason;
import io.zto.shared.store.CertificateRepository;
import java.time.Instant;
import java.util.Locale;

/**
 * {@code GET /api/v1/certificates?deviceId=&renewalDue=&cursor=&limit=} (each with its {@code renewal}
 * state, see {@link io.zto.shared.domain.Renewal}) and
 * {@code POST /api/v1/certificates/{serial}/revoke {reason}} (contract §7, §8, §9): the revocation service
 * ({@link Revocations}) stores it, announces it (sessions using the certificate are dropped on every node),
 * reissues the issuing CA's CRL at once and audits it; {@code keyCompromise} revokes every valid
 * certificate of the device (the answer lists them in {@code alsoRevoked}).
 */
final class CertificatesApi {

  private static final int DEFAULT_LIMIT = 100;

  private final CertificateRepository certificates;
  private final Revocations revocations;
  private final int renewalWarningPercent;

  CertificatesApi(CertificateRepository certificates, Revocations revocations, int renewalWarningPercent) {
    this.certificates = certificates;
    this.revocations = revocations;
    this.renewalWarningPercent = renewalWarningPercent;
  }

  void list(RoutingContext ctx) {
    int limit;
    try {
      limit = Limits.parse(ctx.queryParams().get("limit"), DEFAULT_LIMIT);
    } catch (IllegalArgumentException e) {
      ApiErrors.send(ctx, 400, "bad_request", e.getMessage());
      return;
    }
    String cursor = ctx.queryParams().get("cursor");
    boolean dueOnly = "true".equals(ctx.queryParams().get("renewalDue"));
    certificates.list(ctx.queryParams().get("deviceId"), dueOnly, Instant.now(), renewalWarningPercent, cursor, limit)
        .onSuccess(page -> {
          JsonArray items = new JsonArray();
          page.items().forEach(c -> items.add(withRenewal(c)));
          ctx.json(new JsonObject().put("items", items).put("nextCursor", page.nextCursor()));
        })
        .onFailure(failure -> {
          if (failure instanceof IllegalArgumentException) {
            ApiErrors.send(ctx, 400, "bad_request", "cursor must be the nextCursor of a previous page");
          } else {
            ctx.fail(failure);
          }
        });
  }

  void get(RoutingContext ctx) {
    String serial = serial(ctx);
    certificates.getRenewing(serial, Instant.now(), renewalWarningPercent).onSuccess(found -> {
      if (found.isEmpty()) {
        ApiErrors.send(ctx, 404, "not_found", "no certificate with serial " + serial);
      } else {
        ctx.json(withRenewal(found.get()));
      }
    }).onFailure(ctx::fail);
  }

  /** Parses the reason here (a 400 names the valid ones); the revocation service does the rest. */
  void revoke(RoutingContext ctx) {
    String serial = serial(ctx);
    RevocationReason reason;
    try {
      JsonObject body = ctx.body().length() == 0 ? new JsonObject() : ctx.body().asJsonObject();
      String text = body == null ? null : body.getString("reason");
      reason = text == null ? RevocationReason.UNSPECIFIED : RevocationReason.parse(text);
    } catch (DecodeException | ClassCastException e) {
      ApiErrors.send(ctx, 400, "bad_request", "the body must be JSON like {\"reason\": \"keyCompromise\"}");
      return;
    } catch (IllegalArgumentException e) {
      ApiErrors.send(ctx, 400, "bad_request", e.getMessage());
      return;
    }
    ApiResponses.reply(ctx, 200, revocations.ask(RevocationRequest.revokeCertificate(serial, reason.rfcName(),
        ApiRequests.actor(ctx))));
  }

  private static JsonObject withRenewal(CertificateRepository.Renewing c) {
    return c.certificate().toJson().put("renewal", c.renewal().toJson());
  }

  private static String serial(RoutingContext ctx) {
    return ctx.pathParam("serial").toLowerCase(Locale.ROOT).replaceFirst("^0+(?=.)", "");
  }
}
