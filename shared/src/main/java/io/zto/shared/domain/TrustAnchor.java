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
 * @param tenant the customer the CA belongs to ({@link Enrollment#DEFAULT_TENANT} unless named): an
 *     individual enrollment that names no anchor accepts only LDevIDs chaining to an anchor of its tenant
 */
public record TrustAnchor(String id, String name, Purpose purpose, String pem, String fingerprint, String subject,
                          Instant notAfter, Instant createdAt, String tenant) {

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
    Objects.requireNonNull(tenant, "tenant");
  }

  /** An anchor of the default tenant. */
  public TrustAnchor(String id, String name, Purpose purpose, String pem, String fingerprint, String subject,
                     Instant notAfter, Instant createdAt) {
    this(id, name, purpose, pem, fingerprint, subject, notAfter, createdAt, Enrollment.DEFAULT_TENANT);
  }

  /** A new anchor of the default tenant with a fresh id, created now. */
  public static TrustAnchor create(String name, Purpose purpose, String pem, String fingerprint, String subject,
                                   Instant notAfter) {
    return new TrustAnchor(UUID.randomUUID().toString(), name, purpose, pem, fingerprint, subject, notAfter,
        Json.now());
  }

  /** This anchor for another tenant (the default one if null). */
  public TrustAnchor withTenant(String newTenant) {
    return new TrustAnchor(id, name, purpose, pem, fingerprint, subject, notAfter, createdAt,
        newTenant == null ? Enrollment.DEFAULT_TENANT : newTenant);
  }

  public JsonObject toJson() {
    return new JsonObject().put("id", id).put("name", name).put("purpose", Json.enumValue(purpose))
        .put("pem", pem).put("fingerprint", fingerprint).put("subject", subject)
        .put("notAfter", Json.instant(notAfter)).put("createdAt", Json.instant(createdAt)).put("tenant", tenant);
  }
}
