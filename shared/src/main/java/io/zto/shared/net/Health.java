package io.zto.shared.net;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;
import io.zto.shared.bus.Addresses;
import io.zto.shared.bus.HealthReport;
import java.util.function.Supplier;

/** How a verticle answers {@code /health} of its node. */
public final class Health {

  private Health() {}

  /**
   * Registers the node-local health consumer of a verticle; the returned future completes once the
   * registration is in place (include it in the verticle's start future).
   */
  public static Future<Void> register(Vertx vertx, String component, Supplier<HealthReport> check) {
    MessageConsumer<JsonObject> consumer = vertx.eventBus().localConsumer(Addresses.health(component),
        msg -> msg.reply(check.get().toJson()));
    return consumer.completion();
  }
}
