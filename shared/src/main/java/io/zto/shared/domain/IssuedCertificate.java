package io.zto.shared.domain;

import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.Base64;
import java.util.Objects;

/**
 * A certificate the platform issued.
 *
 * @param serial           lowercase hex, no leading zeros
 * @param issuer           the issuing CA's name (the {@code ca} of its CRL)
 * @param publicKeyHash    lowercase hex SHA-256 of the SubjectPublicKeyInfo
 * @param fingerprint      lowercase hex SHA-256 of the DER
 * @param revocationReason set with {@code revokedAt} once revoked
 */
public record IssuedCertificate(String serial, String deviceId, String issuer, String subject, String profile,
                                String publicKeyHash, String fingerprint, Instant notBefore, Instant notAfter,
                                byte[] der, Status status, Instant revokedAt, RevocationReason revocationReason,
                                Instant createdAt) {

  /** A certificate is valid until revoked; expiry is read from {@code notAfter}. */
  public enum Status { VALID, REVOKED }

  public IssuedCertificate {
    Objects.requireNonNull(serial, "serial");
    Objects.requireNonNull(deviceId, "deviceId");
    Objects.requireNonNull(issuer, "issuer");
    Objects.requireNonNull(subject, "subject");
    Objects.requireNonNull(profile, "profile");
    Objects.requireNonNull(publicKeyHash, "publicKeyHash");
    Objects.requireNonNull(fingerprint, "fingerprint");
    Objects.requireNonNull(notBefore, "notBefore");
    Objects.requireNonNull(notAfter, "notAfter");
    Objects.requireNonNull(der, "der");
    Objects.requireNonNull(status, "status");
    Objects.requireNonNull(createdAt, "createdAt");
  }

  /** A certificate just issued: valid, created now. */
  public static IssuedCertificate issued(String serial, String deviceId, String issuer, String subject,
                                         String profile, String publicKeyHash, String fingerprint,
                                         Instant notBefore, Instant notAfter, byte[] der) {
    return new IssuedCertificate(serial, deviceId, issuer, subject, profile, publicKeyHash, fingerprint, notBefore,
        notAfter, der, Status.VALID, null, null, Json.now());
  }

  public JsonObject toJson() {
    return new JsonObject().put("serial", serial).put("deviceId", deviceId).put("issuer", issuer)
        .put("subject", subject).put("profile", profile).put("publicKeyHash", publicKeyHash)
        .put("fingerprint", fingerprint).put("notBefore", Json.instant(notBefore))
        .put("notAfter", Json.instant(notAfter)).put("status", Json.enumValue(status))
        .put("revokedAt", Json.instant(revokedAt))
        .put("revocationReason", revocationReason == null ? null : revocationReason.rfcName())
        .put("createdAt", Json.instant(createdAt)).put("der", Base64.getEncoder().encodeToString(der));
  }
}
