package io.zto.shared.domain;

import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.Objects;
import java.util.UUID;

/**
 * A one-time EST challenge password of a device, kept as a salted slow hash. Once used it records the
 * public key it was used with and the serial of the certificate issued, so that a retry after a lost
 * response gets the same certificate.
 */
public record EstChallenge(String id, String deviceId, String challengeHash, String requestId, Instant createdAt,
                           Instant expiresAt, Instant usedAt, String publicKeyHash, String issuedSerial) {

  public EstChallenge {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(deviceId, "deviceId");
    Objects.requireNonNull(challengeHash, "challengeHash");
    Objects.requireNonNull(createdAt, "createdAt");
    Objects.requireNonNull(expiresAt, "expiresAt");
  }

  /** A new, unused challenge with a fresh id, created now. */
  public static EstChallenge issue(String deviceId, String challengeHash, String requestId, Instant expiresAt) {
    return new EstChallenge(UUID.randomUUID().toString(), deviceId, challengeHash, requestId, Json.now(),
        expiresAt, null, null, null);
  }

  /** Without the hash. */
  public JsonObject toJson() {
    return new JsonObject().put("id", id).put("deviceId", deviceId).put("requestId", requestId)
        .put("createdAt", Json.instant(createdAt)).put("expiresAt", Json.instant(expiresAt))
        .put("usedAt", Json.instant(usedAt)).put("issuedSerial", issuedSerial);
  }
}
