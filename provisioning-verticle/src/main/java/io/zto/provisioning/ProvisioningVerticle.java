package io.zto.provisioning;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.json.JsonObject;
import io.zto.shared.Platform;
import io.zto.shared.bus.HealthReport;
import io.zto.shared.config.Role;
import io.zto.shared.net.Health;

/**
 * The provisioning service: matches devices against enrollments and answers provisioning requests
 * from the broker over the event bus. This foundation version reports its health and the database it
 * decides on; the provisioning issue adds the matching.
 */
public final class ProvisioningVerticle extends VerticleBase {

  private final Platform platform;

  public ProvisioningVerticle(Platform platform) {
    this.platform = platform;
  }

  @Override
  public Future<?> start() {
    return Health.register(vertx, Role.PROVISIONING.label(), () -> HealthReport.up(Role.PROVISIONING.label(),
        new JsonObject().put("database", platform.db().kind())));
  }
}
