package io.zto.deploy;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.ext.web.RoutingContext;
import io.zto.shared.domain.AuditEvent;
import io.zto.shared.domain.Enrollment;
import io.zto.shared.domain.TrustAnchor;
import io.zto.shared.pki.Fingerprints;
import io.zto.shared.pki.Pem;
import io.zto.shared.store.AuditRepository;
import io.zto.shared.store.TrustAnchorCache;
import io.zto.shared.store.TrustAnchorRepository;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.Locale;
import java.util.regex.Pattern;

/** {@code /api/v1/trust-anchors}: the device CAs the platform trusts, by purpose, each of one tenant. */
final class TrustAnchorApi {

  private static final Pattern TENANT = Pattern.compile("[A-Za-z0-9._-]{1,64}");

  private final Vertx vertx;
  private final TrustAnchorRepository anchors;
  private final AuditRepository audit;

  TrustAnchorApi(Vertx vertx, TrustAnchorRepository anchors, AuditRepository audit) {
    this.vertx = vertx;
    this.anchors = anchors;
    this.audit = audit;
  }

  void create(RoutingContext ctx) {
    var body = ApiRequests.body(ctx);
    Future<TrustAnchor> created;
    try {
      X509Certificate ca = caCertificate(body.getString("pem"));
      TrustAnchor.Purpose purpose = TrustAnchor.Purpose.valueOf(body.getString("purpose").toUpperCase(Locale.ROOT));
      created = anchors.create(TrustAnchor.create(body.getString("name"), purpose, Pem.encode(ca),
          Fingerprints.sha256(ca), ca.getSubjectX500Principal().getName(), ca.getNotAfter().toInstant())
          .withTenant(tenant(body.getValue("tenant"))));
    } catch (IllegalArgumentException e) {
      created = Future.failedFuture(e);
    }
    // every node's listeners trust the new CA from now on (their caches read the anchors again)
    ApiResponses.reply(ctx, 201, created.onSuccess(anchor -> TrustAnchorCache.changed(vertx))
        .compose(anchor -> audit.append(AuditEvent.succeeded(ApiRequests.actor(ctx), "trust-anchor.create", anchor.id()))
            .map(anchor.toJson())));
  }

  void list(RoutingContext ctx) {
    anchors.list(ApiRequests.enumQuery(ctx, "purpose", TrustAnchor.Purpose.class))
        .onSuccess(list -> ApiResponses.list(ctx, list, TrustAnchor::toJson))
        .onFailure(failure -> ApiResponses.fail(ctx, failure));
  }

  void get(RoutingContext ctx) {
    String id = ApiRequests.id(ctx);
    ApiResponses.reply(ctx, 200, anchors.get(id).map(found -> found
        .orElseThrow(() -> ApiResponses.notFound("no trust anchor with id '" + id + "'")).toJson()));
  }

  void delete(RoutingContext ctx) {
    String id = ApiRequests.id(ctx);
    anchors.delete(id).onSuccess(result -> {
      if (result == TrustAnchorRepository.Deletion.DELETED) {
        // every node's listeners stop trusting it now, not when their caches expire
        TrustAnchorCache.changed(vertx);
      }
      switch (result) {
        case DELETED -> audit.append(AuditEvent.succeeded(ApiRequests.actor(ctx), "trust-anchor.delete", id))
            .onComplete(done -> ctx.response().setStatusCode(204).end());
        case NOT_FOUND -> ApiResponses.fail(ctx, ApiResponses.notFound("no trust anchor with id '" + id + "'"));
        case IN_USE -> ApiResponses.fail(ctx, ApiResponses.conflict("trust anchor " + id
            + " is used by an enrollment group; delete the group first"));
      }
    }).onFailure(failure -> ApiResponses.fail(ctx, failure));
  }

  /**
   * The tenant the CA belongs to (the default one if not named): individual enrollments of that tenant
   * that name no trust anchor accept its LDevIDs, and only theirs.
   */
  private static String tenant(Object value) {
    if (value == null) {
      return Enrollment.DEFAULT_TENANT;
    }
    if (!(value instanceof String tenant) || !TENANT.matcher(tenant).matches()) {
      throw new IllegalArgumentException("tenant must be 1-64 characters of A-Z a-z 0-9 . _ -, got '" + value + "'");
    }
    return tenant;
  }

  /** The certificate of a CA, valid now; anything else is a clear 400. */
  private static X509Certificate caCertificate(String pem) {
    X509Certificate ca = Pem.readCertificate(pem);
    if (ca.getBasicConstraints() < 0) {
      throw new IllegalArgumentException("the certificate " + ca.getSubjectX500Principal().getName()
          + " is not a CA certificate (basicConstraints CA:false); trust the CA that issued it");
    }
    if (ca.getNotAfter().toInstant().isBefore(Instant.now())) {
      throw new IllegalArgumentException("the CA certificate expired at " + ca.getNotAfter().toInstant());
    }
    return ca;
  }
}
