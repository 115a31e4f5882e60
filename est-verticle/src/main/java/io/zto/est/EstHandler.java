package io.zto.est;

import io.vertx.core.Future;
import io.vertx.ext.web.RoutingContext;
import io.zto.shared.config.EstConfig;

/**
 * One EST operation. An enrollment returns its {@link EstOutcome}, which {@link EstVerticle} audits and
 * then answers; {@code cacerts} and {@code csrattrs} answer themselves and return null. A failure (an
 * {@link EstException} with its status and reason, or anything else as 500) is audited and answered by
 * {@link EstVerticle}.
 */
interface EstHandler {

  /** @return the outcome to audit, or null for operations that are not audited (cacerts, csrattrs) */
  Future<EstOutcome> handle(RoutingContext ctx, EstConfig.Profile profile);
}
