package io.zto.shared.domain;

import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.Objects;

/**
 * A device's operational MQTT credential: one per device, the password only as a salted slow hash.
 *
 * @param requestId the provisioning request that issued it
 */
public record MqttCredential(String deviceId, String username, String passwordHash, String requestId,
                             Instant createdAt) {

  public MqttCredential {
    Objects.requireNonNull(deviceId, "deviceId");
    Objects.requireNonNull(username, "username");
    Objects.requireNonNull(passwordHash, "passwordHash");
    Objects.requireNonNull(createdAt, "createdAt");
  }

  /** Without the hash: it never leaves the platform. */
  public JsonObject toJson() {
    return new JsonObject().put("deviceId", deviceId).put("username", username).put("requestId", requestId)
        .put("createdAt", Json.instant(createdAt));
  }
}
