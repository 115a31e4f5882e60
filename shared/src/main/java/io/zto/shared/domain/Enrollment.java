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
 * @param trustAnchorId the one {@code ldevid} trust anchor whose LDevIDs it accepts; null: any anchor of its
 *     tenant (contract v2, "device identity is bound")
 */
public record Enrollment(String id, String tenant, String deviceId, String ldevidFingerprint, String idevidSerial,
                         String hwmoduleSerial, Activation activation, int provisionCount, Instant createdAt,
                         Instant updatedAt, String trustAnchorId) {

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

  /** An enrollment accepting any anchor of its tenant. */
  public Enrollment(String id, String tenant, String deviceId, String ldevidFingerprint, String idevidSerial,
                    String hwmoduleSerial, Activation activation, int provisionCount, Instant createdAt,
                    Instant updatedAt) {
    this(id, tenant, deviceId, ldevidFingerprint, idevidSerial, hwmoduleSerial, activation, provisionCount,
        createdAt, updatedAt, null);
  }

  /** A new enrollment with a fresh id, created now. */
  public static Enrollment create(String tenant, String deviceId, String ldevidFingerprint, String idevidSerial,
                                  String hwmoduleSerial, Activation activation) {
    Instant now = Json.now();
    return new Enrollment(UUID.randomUUID().toString(), tenant == null ? DEFAULT_TENANT : tenant, deviceId,
        ldevidFingerprint, idevidSerial, hwmoduleSerial, activation, 0, now, now);
  }

  /** This enrollment accepting only LDevIDs of the trust anchor with this id (any of its tenant if null). */
  public Enrollment withTrustAnchor(String anchorId) {
    return new Enrollment(id, tenant, deviceId, ldevidFingerprint, idevidSerial, hwmoduleSerial, activation,
        provisionCount, createdAt, updatedAt, anchorId);
  }

  /** A new enrollment from the operator API's body ({@code trustAnchor} is an anchor's id). */
  public static Enrollment fromJson(JsonObject json) {
    String fingerprint = json.getString("ldevidFingerprint");
    return create(json.getString("tenant"), json.getString("deviceId"),
        fingerprint == null ? null : fingerprint.toLowerCase(java.util.Locale.ROOT),
        json.getString("idevidSerial"), json.getString("hwmoduleSerial"), Activation.fromJson(json))
        .withTrustAnchor(json.getString("trustAnchor"));
  }

  public JsonObject toJson() {
    JsonObject json = new JsonObject().put("id", id).put("tenant", tenant).put("deviceId", deviceId)
        .put("ldevidFingerprint", ldevidFingerprint).put("idevidSerial", idevidSerial)
        .put("hwmoduleSerial", hwmoduleSerial).put("trustAnchor", trustAnchorId);
    return activation.writeTo(json).put("provisionCount", provisionCount)
        .put("createdAt", Json.instant(createdAt)).put("updatedAt", Json.instant(updatedAt));
  }
}
