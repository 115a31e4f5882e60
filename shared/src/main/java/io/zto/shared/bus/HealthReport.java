package io.zto.shared.bus;

import io.vertx.core.json.JsonObject;
import java.util.Objects;

/**
 * The health of one verticle (or the database) on one node.
 *
 * @param component {@code broker}, {@code est}, {@code database}, ...
 * @param up whether it serves
 * @param details listener ports, counts, the reason it is down
 */
public record HealthReport(String component, boolean up, JsonObject details) {

  public HealthReport {
    Objects.requireNonNull(component);
    details = details == null ? new JsonObject() : details;
  }

  public static HealthReport up(String component, JsonObject details) {
    return new HealthReport(component, true, details);
  }

  public static HealthReport down(String component, String reason) {
    return new HealthReport(component, false, new JsonObject().put("reason", reason));
  }

  public JsonObject toJson() {
    return new JsonObject().put("component", component).put("status", up ? "UP" : "DOWN").put("details", details);
  }

  public static HealthReport fromJson(JsonObject json) {
    return new HealthReport(json.getString("component"), "UP".equals(json.getString("status")),
        json.getJsonObject("details"));
  }
}
