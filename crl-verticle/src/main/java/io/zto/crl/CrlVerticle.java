package io.zto.crl;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.json.JsonObject;
import io.zto.shared.Platform;
import io.zto.shared.bus.HealthReport;
import io.zto.shared.config.Role;
import io.zto.shared.net.Health;

/** Keeps the platform's CRLs and the list of blocked certificates and devices true to the PKIs. */
public final class CrlVerticle extends VerticleBase {

  private final Platform platform;

  public CrlVerticle(Platform platform) {
    this.platform = platform;
  }

  @Override
  public Future<?> start() {
    return Health.register(vertx, Role.CRL.label(), () -> HealthReport.up(Role.CRL.label(),
        new JsonObject().put("database", platform.db().kind())));
  }
}
