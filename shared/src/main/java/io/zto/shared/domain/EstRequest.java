package io.zto.shared.domain;

import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.Objects;
import java.util.UUID;

/**
 * An EST enrollment under a manual-approval profile: recorded at the first request, decided by an
 * operator, issued when the device retries the same CSR after approval.
 *
 * @param operation {@code simpleenroll}, {@code simplereenroll} or {@code serverkeygen}
 * @param publicKeyHash lowercase hex SHA-256 of the CSR's SubjectPublicKeyInfo
 */
public record EstRequest(String id, String deviceId, String profile, String operation, String publicKeyHash,
                         String subject, Status status, String reason, String decidedBy, Instant decidedAt,
                         String issuedSerial, Instant createdAt) {

  public enum Status { PENDING, APPROVED, REJECTED }

  public EstRequest {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(deviceId, "deviceId");
    Objects.requireNonNull(profile, "profile");
    Objects.requireNonNull(operation, "operation");
    Objects.requireNonNull(publicKeyHash, "publicKeyHash");
    Objects.requireNonNull(subject, "subject");
    Objects.requireNonNull(status, "status");
    Objects.requireNonNull(createdAt, "createdAt");
  }

  /** A new pending request, created now. */
  public static EstRequest pending(String deviceId, String profile, String operation, String publicKeyHash,
                                   String subject) {
    return new EstRequest(UUID.randomUUID().toString(), deviceId, profile, operation, publicKeyHash, subject,
        Status.PENDING, null, null, null, null, Json.now());
  }

  public JsonObject toJson() {
    return new JsonObject().put("id", id).put("deviceId", deviceId).put("profile", profile)
        .put("operation", operation).put("publicKeyHash", publicKeyHash).put("subject", subject)
        .put("status", Json.enumValue(status)).put("reason", reason).put("decidedBy", decidedBy)
        .put("decidedAt", Json.instant(decidedAt)).put("issuedSerial", issuedSerial)
        .put("createdAt", Json.instant(createdAt));
  }
}
