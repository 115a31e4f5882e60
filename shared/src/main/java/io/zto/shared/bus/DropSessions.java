package io.zto.shared.bus;

import io.vertx.core.json.JsonObject;

/**
 * Body of {@link Addresses#BROKER_DROP_SESSIONS}: close every session of a device, or every session
 * that authenticated with a certificate, on every node.
 *
 * @param deviceId the device, or null
 * @param certificateFingerprint SHA-256 of the certificate, or null
 * @param reason why, for the audit log and the MQTT 5 DISCONNECT reason string
 */
public record DropSessions(String deviceId, String certificateFingerprint, String reason) {

  public DropSessions {
    if (deviceId == null && certificateFingerprint == null) {
      throw new IllegalArgumentException("name a device or a certificate to drop");
    }
  }

  public JsonObject toJson() {
    return new JsonObject().put("deviceId", deviceId).put("certificateFingerprint", certificateFingerprint)
        .put("reason", reason);
  }

  public static DropSessions fromJson(JsonObject json) {
    return new DropSessions(json.getString("deviceId"), json.getString("certificateFingerprint"),
        json.getString("reason"));
  }
}
