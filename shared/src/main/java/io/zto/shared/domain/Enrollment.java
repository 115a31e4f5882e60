package io.zto.shared.domain;

import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.Objects;
import java.util.UUID;

/**
 * One expected device, matched by any of its device id, LDevID fingerprint, IDevID serial or
 * HardwareModuleName serial (at least one is set).
 *
 * @param provisionCount how many times it was used to provision; kept by the store
 */
public record Enrollment(String id, String tenant, String deviceId, String ldevidFingerprint, String idevidSerial,
                         String hwmoduleSerial, Activation activation, int provisionCount, Instant createdAt,
                         Instant updatedAt) {

  /** The tenant of enrollments that name none. */
  public static final String DEFAULT_TENANT = "default";

  public Enrollment {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(tenant, "tenant");
    Objects.requireNonNull(activation, "activation");
    Objects.requireNonNull(createdAt, "createdAt");
    Objects.requireNonNull(updatedAt, "updatedAt");
    if (deviceId == null && ldevidFingerprint == null && idevidSerial == null && hwmoduleSerial == null) {
      throw new IllegalArgumentException(
          "an enrollment needs a deviceId, ldevidFingerprint, idevidSerial or hwmoduleSerial");
    }
  }

  /** A new enrollment with a fresh id, created now. */
  public static Enrollment create(String tenant, String deviceId, String ldevidFingerprint, String idevidSerial,
                                  String hwmoduleSerial, Activation activation) {
    Instant now = Json.now();
    return new Enrollment(UUID.randomUUID().toString(), tenant == null ? DEFAULT_TENANT : tenant, deviceId,
        ldevidFingerprint, idevidSerial, hwmoduleSerial, activation, 0, now, now);
  }

  /** A new enrollment from the operator API's body. */
  public static Enrollment fromJson(JsonObject json) {
    String fingerprint = json.getString("ldevidFingerprint");
    return create(json.getString("tenant"), json.getString("deviceId"),
        fingerprint == null ? null : fingerprint.toLowerCase(java.util.Locale.ROOT),
        json.getString("idevidSerial"), json.getString("hwmoduleSerial"), Activation.fromJson(json));
  }

  public JsonObject toJson() {
    JsonObject json = new JsonObject().put("id", id).put("tenant", tenant).put("deviceId", deviceId)
        .put("ldevidFingerprint", ldevidFingerprint).put("idevidSerial", idevidSerial)
        .put("hwmoduleSerial", hwmoduleSerial);
    return activation.writeTo(json).put("provisionCount", provisionCount)
        .put("createdAt", Json.instant(createdAt)).put("updatedAt", Json.instant(updatedAt));
  }
}
