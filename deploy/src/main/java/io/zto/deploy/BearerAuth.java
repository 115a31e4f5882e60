package io.zto.deploy;

import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;
import io.zto.shared.domain.AuditEvent;
import io.zto.shared.store.AuditRepository;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

/**
 * Guards {@code /api/v1}: {@code Authorization: Bearer <admin token>}, compared in constant time.
 * Every refusal is audited with the caller's address.
 */
final class BearerAuth implements Handler<RoutingContext> {

  /** Key of the routing-context entry naming the authenticated operator, for audit entries. */
  static final String ACTOR = "zto.actor";

  private final byte[] token;
  private final AuditRepository audit;

  BearerAuth(String token, AuditRepository audit) {
    this.token = token.getBytes(StandardCharsets.UTF_8);
    this.audit = audit;
  }

  @Override
  public void handle(RoutingContext ctx) {
    String header = ctx.request().getHeader("Authorization");
    if (header == null || !header.regionMatches(true, 0, "Bearer ", 0, 7)) {
      refuse(ctx, "missing bearer token");
      return;
    }
    byte[] presented = header.substring(7).trim().getBytes(StandardCharsets.UTF_8);
    if (!MessageDigest.isEqual(presented, token)) {
      refuse(ctx, "wrong bearer token");
      return;
    }
    ctx.put(ACTOR, "operator");
    ctx.next();
  }

  private void refuse(RoutingContext ctx, String reason) {
    String caller = String.valueOf(ctx.request().remoteAddress());
    audit.append(AuditEvent.refused(caller, "api.authenticate", ctx.request().path(), reason));
    ctx.response().putHeader("WWW-Authenticate", "Bearer realm=\"zto\"");
    ApiErrors.send(ctx, 401, "unauthorized", reason + ": send Authorization: Bearer <token from the admin-token file>");
  }
}
