package io.zto.shared.domain;

import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.Objects;

/**
 * A signed remote-management command for one device.
 *
 * @param jws    the compact JWS the device receives
 * @param result the device's reply ({@code {"status": ..., "result": ...}}) once completed or failed
 */
public record Command(String id, String deviceId, String name, JsonObject args, String jws, Status status,
                      JsonObject result, String createdBy, Instant createdAt, Instant expiresAt, Instant sentAt,
                      Instant completedAt) {

  /** {@code PENDING} and {@code SENT} are open; the others are final. */
  public enum Status { PENDING, SENT, COMPLETED, EXPIRED, FAILED }

  public Command {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(deviceId, "deviceId");
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(jws, "jws");
    Objects.requireNonNull(status, "status");
    Objects.requireNonNull(createdBy, "createdBy");
    Objects.requireNonNull(createdAt, "createdAt");
    Objects.requireNonNull(expiresAt, "expiresAt");
  }

  /** A new pending command, created now; {@code id} is the commandId inside the JWS. */
  public static Command create(String id, String deviceId, String name, JsonObject args, String jws,
                               String createdBy, Instant expiresAt) {
    return new Command(id, deviceId, name, args, jws, Status.PENDING, null, createdBy, Json.now(), expiresAt,
        null, null);
  }

  public JsonObject toJson() {
    return new JsonObject().put("id", id).put("deviceId", deviceId).put("name", name).put("args", args)
        .put("jws", jws).put("status", Json.enumValue(status)).put("result", result).put("createdBy", createdBy)
        .put("createdAt", Json.instant(createdAt)).put("expiresAt", Json.instant(expiresAt))
        .put("sentAt", Json.instant(sentAt)).put("completedAt", Json.instant(completedAt));
  }
}
