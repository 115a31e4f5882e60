package io.zto.shared.domain;

import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.Objects;
import java.util.UUID;

/**
 * One provisioning request of a device, unique per (deviceId, requestId), and the decision on it. The
 * sealed answer (it holds secrets) is not part of this record; the store keeps it apart until it expires.
 *
 * @param reason why it was rejected or why it waits; null if provisioned
 */
public record ProvisioningRequest(String id, String deviceId, String requestId, Status status, String reason,
                                  String ldevidFingerprint, String idevidSerial, String hwmoduleSerial,
                                  String enrollmentId, String groupId, JsonObject info, Instant answerExpiresAt,
                                  Instant createdAt, Instant decidedAt, String decidedBy) {

  /** Where the request stands; only {@code PENDING} ones can still be decided. */
  public enum Status { PENDING, PROVISIONED, REJECTED }

  public ProvisioningRequest {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(deviceId, "deviceId");
    Objects.requireNonNull(requestId, "requestId");
    Objects.requireNonNull(status, "status");
    Objects.requireNonNull(createdAt, "createdAt");
  }

  /** A new request received now, with the evidence it carried; decided at once unless {@code PENDING}. */
  public static ProvisioningRequest received(String deviceId, String requestId, Status status, String reason,
                                             String ldevidFingerprint, String idevidSerial, String hwmoduleSerial,
                                             JsonObject info) {
    Instant now = Json.now();
    return new ProvisioningRequest(UUID.randomUUID().toString(), deviceId, requestId, status, reason,
        ldevidFingerprint, idevidSerial, hwmoduleSerial, null, null, info, null, now,
        status == Status.PENDING ? null : now, status == Status.PENDING ? null : "system");
  }

  public ProvisioningRequest withMatch(String enrollment, String group) {
    return new ProvisioningRequest(id, deviceId, requestId, status, reason, ldevidFingerprint, idevidSerial,
        hwmoduleSerial, enrollment, group, info, answerExpiresAt, createdAt, decidedAt, decidedBy);
  }

  public JsonObject toJson() {
    return new JsonObject().put("id", id).put("deviceId", deviceId).put("requestId", requestId)
        .put("status", Json.enumValue(status)).put("reason", reason).put("ldevidFingerprint", ldevidFingerprint)
        .put("idevidSerial", idevidSerial).put("hwmoduleSerial", hwmoduleSerial).put("enrollmentId", enrollmentId)
        .put("groupId", groupId).put("info", info).put("createdAt", Json.instant(createdAt))
        .put("decidedAt", Json.instant(decidedAt)).put("decidedBy", decidedBy);
  }
}
