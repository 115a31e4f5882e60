package io.zto.shared.domain;

import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.Objects;
import java.util.UUID;

/**
 * Every device whose LDevID chains to the trust anchor {@code trustAnchorId}.
 *
 * @param provisionCount how many times it was used to provision; kept by the store
 */
public record EnrollmentGroup(String id, String tenant, String name, String trustAnchorId, Activation activation,
                              int provisionCount, Instant createdAt, Instant updatedAt) {

  public EnrollmentGroup {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(tenant, "tenant");
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(trustAnchorId, "trustAnchorId");
    Objects.requireNonNull(activation, "activation");
    Objects.requireNonNull(createdAt, "createdAt");
    Objects.requireNonNull(updatedAt, "updatedAt");
  }

  /** A new group with a fresh id, created now. */
  public static EnrollmentGroup create(String tenant, String name, String trustAnchorId, Activation activation) {
    Instant now = Json.now();
    return new EnrollmentGroup(UUID.randomUUID().toString(), tenant == null ? Enrollment.DEFAULT_TENANT : tenant,
        name, trustAnchorId, activation, 0, now, now);
  }

  /** A new group from the operator API's body ({@code trustAnchor} is the anchor's id). */
  public static EnrollmentGroup fromJson(JsonObject json) {
    return create(json.getString("tenant"), Json.requireText(json, "name"), Json.requireText(json, "trustAnchor"),
        Activation.fromJson(json));
  }

  public JsonObject toJson() {
    JsonObject json = new JsonObject().put("id", id).put("tenant", tenant).put("name", name)
        .put("trustAnchor", trustAnchorId);
    return activation.writeTo(json).put("provisionCount", provisionCount)
        .put("createdAt", Json.instant(createdAt)).put("updatedAt", Json.instant(updatedAt));
  }
}
