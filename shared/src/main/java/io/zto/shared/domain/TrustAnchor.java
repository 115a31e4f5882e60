package io.zto.shared.domain;

import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.Objects;
import java.util.UUID;

/**
 * A device CA an operator trusts: an LDevID (customer) CA that enrollment groups refer to, or an
 * IDevID (manufacturer) CA that IDevID evidence is verified against.
 *
 * @param fingerprint lowercase hex SHA-256 of the CA certificate's DER
 */
public record TrustAnchor(String id, String name, Purpose purpose, String pem, String fingerprint, String subject,
                          Instant notAfter, Instant createdAt) {

  /** What devices' certificates the anchor verifies. */
  public enum Purpose { LDEVID, IDEVID }

  public TrustAnchor {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(purpose, "purpose");
    Objects.requireNonNull(pem, "pem");
    Objects.requireNonNull(fingerprint, "fingerprint");
    Objects.requireNonNull(subject, "subject");
    Objects.requireNonNull(notAfter, "notAfter");
    Objects.requireNonNull(createdAt, "createdAt");
  }

  /** A new anchor with a fresh id, created now. */
  public static TrustAnchor create(String name, Purpose purpose, String pem, String fingerprint, String subject,
                                   Instant notAfter) {
    return new TrustAnchor(UUID.randomUUID().toString(), name, purpose, pem, fingerprint, subject, notAfter,
        Json.now());
  }

  public JsonObject toJson() {
    return new JsonObject().put("id", id).put("name", name).put("purpose", Json.enumValue(purpose))
        .put("pem", pem).put("fingerprint", fingerprint).put("subject", subject)
        .put("notAfter", Json.instant(notAfter)).put("createdAt", Json.instant(createdAt));
  }
}
