package io.zto.est;

import io.vertx.core.Future;
import io.vertx.ext.web.RoutingContext;
import io.zto.shared.config.EstConfig;

/**
 * One EST operation. It answers the request itself on success; a failure (an {@link EstException} with
 * its status and reason, or anything else as 500) is answered and audited by {@link EstVerticle}.
 */
interface EstHandler {

  /** @return the outcome to audit, or null for operations that are not audited (cacerts, csrattrs) */
  Future<EstOutcome> handle(RoutingContext ctx, EstConfig.Profile profile);
}
