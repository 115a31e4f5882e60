package io.zto.shared.domain;

import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.UUID;

/**
 * A CRL the platform fetches and enforces, with what it last accepted from it.
 *
 * @param issuerFingerprint lowercase hex SHA-256 of the issuer certificate's DER
 * @param crlNumber         the CRLNumber last accepted, in decimal (it may exceed 64 bits); null before
 * @param failures          failed attempts since the last success
 */
public record CrlSource(String id, String url, String issuerPem, String issuerFingerprint, int refreshSeconds,
                        StalePolicy stalePolicy, String etag, String lastModified, String crlNumber,
                        String deltaCrlNumber, Instant thisUpdate, Instant nextUpdate, Instant lastAttemptAt,
                        Instant lastSuccessAt, String lastError, int failures, Instant createdAt) {

  /** What happens once a source's nextUpdate has passed without a newer CRL. */
  public enum StalePolicy {
    /** Keep enforcing the last accepted entries. */
    KEEP_LAST,
    /** Refuse every certificate of the issuer until a fresh CRL arrives. */
    REFUSE_ALL
  }

  public CrlSource {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(url, "url");
    Objects.requireNonNull(issuerPem, "issuerPem");
    Objects.requireNonNull(issuerFingerprint, "issuerFingerprint");
    Objects.requireNonNull(stalePolicy, "stalePolicy");
    Objects.requireNonNull(createdAt, "createdAt");
    if (refreshSeconds < 1) {
      throw new IllegalArgumentException("refreshSeconds must be positive");
    }
  }

  /** A new source, never fetched, created now. */
  public static CrlSource create(String url, String issuerPem, String issuerFingerprint, int refreshSeconds,
                                 StalePolicy stalePolicy) {
    return new CrlSource(UUID.randomUUID().toString(), url, issuerPem, issuerFingerprint, refreshSeconds,
        stalePolicy, null, null, null, null, null, null, null, null, null, 0, Json.now());
  }

  public JsonObject toJson() {
    return new JsonObject().put("id", id).put("url", url).put("issuerPem", issuerPem)
        .put("issuerFingerprint", issuerFingerprint).put("refreshSeconds", refreshSeconds)
        .put("stalePolicy", Json.enumValue(stalePolicy)).put("etag", etag).put("lastModified", lastModified)
        .put("crlNumber", crlNumber).put("deltaCrlNumber", deltaCrlNumber)
        .put("thisUpdate", Json.instant(thisUpdate)).put("nextUpdate", Json.instant(nextUpdate))
        .put("lastAttemptAt", Json.instant(lastAttemptAt)).put("lastSuccessAt", Json.instant(lastSuccessAt))
        .put("lastError", lastError).put("failures", failures).put("createdAt", Json.instant(createdAt));
  }

  /**
   * What a successful fetch leaves behind.
   *
   * @param fetchedAt the attempt's instant: lastAttemptAt and lastSuccessAt
   */
  public record FetchState(String etag, String lastModified, String crlNumber, String deltaCrlNumber,
                           Instant thisUpdate, Instant nextUpdate, Instant fetchedAt) {
    public FetchState {
      Objects.requireNonNull(crlNumber, "crlNumber");
      Objects.requireNonNull(thisUpdate, "thisUpdate");
      Objects.requireNonNull(fetchedAt, "fetchedAt");
    }
  }

  /** One revoked certificate of a fetched CRL (serial in lowercase hex). */
  public record Entry(String serial, Instant revokedAt, RevocationReason reason) {
    public Entry {
      Objects.requireNonNull(serial, "serial");
      Objects.requireNonNull(revokedAt, "revokedAt");
    }
  }

  /** What applying a new CRL changed: serials newly listed and serials no longer listed. */
  public record Diff(List<String> added, List<String> removed) {
    public Diff {
      added = List.copyOf(added);
      removed = List.copyOf(removed);
    }
  }
}
