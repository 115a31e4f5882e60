package io.zto.deploy;

import io.vertx.core.Handler;
import io.vertx.core.net.SocketAddress;
import io.vertx.ext.web.RoutingContext;
import io.zto.shared.domain.AuditEvent;
import io.zto.shared.store.RefusalAggregator;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

/**
 * Guards {@code /api/v1}: {@code Authorization: Bearer <admin token>}, compared in constant time.
 * Every refusal is audited with the caller's address, repeats aggregated ({@link RefusalAggregator}) so
 * that a client hammering the API without the token cannot grow the audit log at its own rate.
 */
final class BearerAuth implements Handler<RoutingContext> {

  /** Key of the routing-context entry naming the authenticated operator, for audit entries. */
  static final String ACTOR = "zto.actor";

  private final byte[] token;
  private final RefusalAggregator refusals;

  BearerAuth(String token, RefusalAggregator refusals) {
    this.token = token.getBytes(StandardCharsets.UTF_8);
    this.refusals = refusals;
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
    // the address without the port: a client's repeats on new connections are one source
    SocketAddress remote = ctx.request().remoteAddress();
    String caller = remote == null ? "unknown" : String.valueOf(remote.hostAddress());
    refusals.refused(AuditEvent.refused(caller, "api.authenticate", ctx.request().path(), reason));
    ctx.response().putHeader("WWW-Authenticate", "Bearer realm=\"zto\"");
    ApiErrors.send(ctx, 401, "unauthorized", reason + ": send Authorization: Bearer <token from the admin-token file>");
  }
}
