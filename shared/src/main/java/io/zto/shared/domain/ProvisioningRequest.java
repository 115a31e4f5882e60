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
 * @param presented the LDevID's anchor, serial and issuer; null if its LDevID was not verified (or the
 *     request predates their recording)
 */
public record ProvisioningRequest(String id, String deviceId, String requestId, Status status, String reason,
                                  String ldevidFingerprint, String idevidSerial, String hwmoduleSerial,
                                  String enrollmentId, String groupId, JsonObject info, Instant answerExpiresAt,
                                  Instant createdAt, Instant decidedAt, String decidedBy, Presented presented) {

  /** Where the request stands; only {@code PENDING} ones can still be decided. */
  public enum Status { PENDING, PROVISIONED, REJECTED }

  /**
   * What the verified LDevID of a request showed beyond its fingerprint: an operator's approval binds the
   * device to it.
   *
   * @param anchorId id of the {@code ldevid} trust anchor the LDevID chained to
   * @param anchorFingerprint SHA-256 of that anchor's certificate
   * @param ldevidSerial the LDevID's serial, lowercase hex
   * @param ldevidIssuer the LDevID's issuer name (RFC 2253)
   */
  public record Presented(String anchorId, String anchorFingerprint, String ldevidSerial, String ldevidIssuer) {}

  /** A request without {@link Presented} facts. */
  public ProvisioningRequest(String id, String deviceId, String requestId, Status status, String reason,
                             String ldevidFingerprint, String idevidSerial, String hwmoduleSerial,
                             String enrollmentId, String groupId, JsonObject info, Instant answerExpiresAt,
                             Instant createdAt, Instant decidedAt, String decidedBy) {
    this(id, deviceId, requestId, status, reason, ldevidFingerprint, idevidSerial, hwmoduleSerial, enrollmentId,
        groupId, info, answerExpiresAt, createdAt, decidedAt, decidedBy, null);
  }

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
        hwmoduleSerial, enrollment, group, info, answerExpiresAt, createdAt, decidedAt, decidedBy, presented);
  }

  public ProvisioningRequest withPresented(Presented facts) {
    return new ProvisioningRequest(id, deviceId, requestId, status, reason, ldevidFingerprint, idevidSerial,
        hwmoduleSerial, enrollmentId, groupId, info, answerExpiresAt, createdAt, decidedAt, decidedBy, facts);
  }

  public JsonObject toJson() {
    return new JsonObject().put("id", id).put("deviceId", deviceId).put("requestId", requestId)
        .put("status", Json.enumValue(status)).put("reason", reason).put("ldevidFingerprint", ldevidFingerprint)
        .put("idevidSerial", idevidSerial).put("hwmoduleSerial", hwmoduleSerial).put("enrollmentId", enrollmentId)
        .put("groupId", groupId).put("info", info).put("createdAt", Json.instant(createdAt))
        .put("decidedAt", Json.instant(decidedAt)).put("decidedBy", decidedBy)
        .put("trustAnchor", presented == null ? null : presented.anchorId());
  }
}
