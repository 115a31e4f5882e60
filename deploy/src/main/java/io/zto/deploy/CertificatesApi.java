package io.zto.deploy;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.zto.shared.bus.Addresses;
import io.zto.shared.bus.RevocationEvent;
import io.zto.shared.domain.AuditEvent;
import io.zto.shared.domain.IssuedCertificate;
import io.zto.shared.domain.RevocationReason;
import io.zto.shared.store.AuditRepository;
import io.zto.shared.store.CertificateRepository;
import java.time.Instant;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code GET /api/v1/certificates?deviceId=&renewalDue=&cursor=&limit=} (each with its {@code renewal}
 * state, see {@link io.zto.shared.domain.Renewal}) and
 * {@code POST /api/v1/certificates/{serial}/revoke {reason}} (contract §7, §8): a revocation is stored,
 * announced on {@link Addresses#REVOCATION_EVENTS}, the issuing CA's CRL is reissued at once, and audited.
 */
final class CertificatesApi {

  private static final Logger LOG = LoggerFactory.getLogger(CertificatesApi.class);
  private static final int DEFAULT_LIMIT = 100;

  private final Vertx vertx;
  private final CertificateRepository certificates;
  private final AuditRepository audit;
  private final String issuerFingerprint;
  private final String nodeId;
  private final int renewalWarningPercent;

  CertificatesApi(Vertx vertx, CertificateRepository certificates, AuditRepository audit, String issuerFingerprint,
                  String nodeId, int renewalWarningPercent) {
    this.renewalWarningPercent = renewalWarningPercent;
    this.vertx = vertx;
    this.certificates = certificates;
    this.audit = audit;
    this.issuerFingerprint = issuerFingerprint;
    this.nodeId = nodeId;
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
    String actor = ctx.get(BearerAuth.ACTOR);
    Instant now = Instant.now();
    certificates.revoke(serial, reason, now).compose(revoked -> {
      if (revoked.isPresent()) {
        return announce(revoked.get(), reason, now, actor).map(revoked.get());
      }
      return certificates.get(serial).map(existing -> {
        throw new ApiFailure(existing.isEmpty() ? 404 : 409, existing.isEmpty()
            ? "no certificate with serial " + serial
            : "certificate " + serial + " is revoked already (" + existing.get().revocationReason().rfcName() + ")");
      });
    }).onSuccess(revoked -> ctx.json(revoked.toJson())).onFailure(failure -> {
      if (failure instanceof ApiFailure api) {
        audit.append(AuditEvent.refused(actor, "certificate.revoke", serial, api.getMessage()).withNode(nodeId));
        ApiErrors.send(ctx, api.status, ApiErrors.code(api.status), api.getMessage());
      } else {
        ctx.fail(failure);
      }
    });
  }

  private Future<Void> announce(IssuedCertificate revoked, RevocationReason reason, Instant now,
                                             String actor) {
    vertx.eventBus().publish(Addresses.REVOCATION_EVENTS, new RevocationEvent(RevocationEvent.Kind.CERTIFICATE,
        RevocationEvent.Action.BLOCKED, revoked.serial(), issuerFingerprint, revoked.deviceId(), reason.rfcName(),
        now).toJson());
    Future<Void> reissued = vertx.eventBus()
        .request(Addresses.CRL_REISSUE, new JsonObject().put("ca", revoked.issuer())).<Void>mapEmpty()
        .otherwise(failure -> {
          // the CRL verticle renews before nextUpdate anyway; the revocation itself is stored
          LOG.warn("CRL reissue after revoking {} failed: {}", revoked.serial(), failure.getMessage());
          return null;
        });
    return reissued.compose(done -> audit.append(new AuditEvent(0, now, actor, "certificate.revoke", revoked.serial(),
        AuditEvent.Outcome.SUCCEEDED, reason.rfcName(), new JsonObject().put("deviceId", revoked.deviceId()), nodeId))
        .mapEmpty());
  }

  private static JsonObject withRenewal(CertificateRepository.Renewing c) {
    return c.certificate().toJson().put("renewal", c.renewal().toJson());
  }

  private static String serial(RoutingContext ctx) {
    return ctx.pathParam("serial").toLowerCase(Locale.ROOT).replaceFirst("^0+(?=.)", "");
  }

  /** A refusal with its status. */
  private static final class ApiFailure extends RuntimeException {
    private final int status;

    ApiFailure(int status, String message) {
      super(message, null, false, false);
      this.status = status;
    }
  }
}
