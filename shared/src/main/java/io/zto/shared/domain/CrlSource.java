package io.zto.shared.domain;

import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
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

  /** The id under which the API shows the platform's own issuing CA, a built-in source. */
  public static final String PLATFORM_ID = "platform";

  /** First retry after a failed fetch; it doubles with every further failure up to {@link #MAX_BACKOFF}. */
  public static final Duration FIRST_BACKOFF = Duration.ofSeconds(5);
  /** Longest wait between two attempts of a failing source. */
  public static final Duration MAX_BACKOFF = Duration.ofMinutes(15);
  /** How long before its nextUpdate a source is fetched, so a fresh CRL is in place when the old one lapses. */
  public static final Duration NEXT_UPDATE_LEAD = Duration.ofMinutes(1);
  /** Shortest wait between two attempts of a source, whatever its nextUpdate says. */
  public static final Duration MIN_INTERVAL = Duration.ofSeconds(5);

  /** A new source, never fetched, created now. */
  public static CrlSource create(String url, String issuerPem, String issuerFingerprint, int refreshSeconds,
                                 StalePolicy stalePolicy) {
    return new CrlSource(UUID.randomUUID().toString(), url, issuerPem, issuerFingerprint, refreshSeconds,
        stalePolicy, null, null, null, null, null, null, null, null, null, 0, Json.now());
  }

  /**
   * When this source is due for its next fetch: at once if it was never tried; after a failure, an
   * exponential backoff from {@link #FIRST_BACKOFF} capped at {@link #MAX_BACKOFF}; after a success, at
   * refreshSeconds or {@link #NEXT_UPDATE_LEAD} before nextUpdate, whichever comes first, but never sooner
   * than {@link #MIN_INTERVAL}. Intervals are shortened by up to a tenth (a fifth for backoffs) by a jitter
   * derived from the id and the last attempt, so every node computes the same instant and sources
   * registered together do not hit their servers in step.
   */
  public Instant nextAttemptAt() {
    if (lastAttemptAt == null) {
      return createdAt;
    }
    double jitter = jitter();
    if (failures > 0) {
      long shift = Math.min(failures - 1, 20);
      long backoff = Math.min(MAX_BACKOFF.toMillis(), FIRST_BACKOFF.toMillis() << shift);
      return lastAttemptAt.plusMillis(Math.max(MIN_INTERVAL.toMillis(), (long) (backoff * (1 - jitter / 5))));
    }
    Instant due = lastAttemptAt.plusMillis((long) (refreshSeconds * 1000L * (1 - jitter / 10)));
    if (nextUpdate != null && nextUpdate.minus(NEXT_UPDATE_LEAD).isBefore(due)) {
      due = nextUpdate.minus(NEXT_UPDATE_LEAD);
    }
    Instant earliest = lastAttemptAt.plus(MIN_INTERVAL);
    return due.isBefore(earliest) ? earliest : due;
  }

  /** In [0, 1), the same on every node for one source and attempt. */
  private double jitter() {
    long seed = id.hashCode() * 31L + lastAttemptAt.toEpochMilli();
    seed ^= seed >>> 33;
    seed *= 0xff51afd7ed558ccdL;
    seed ^= seed >>> 33;
    return (seed & 0xffff) / 65536.0;
  }

  /**
   * Since when this source is stale at {@code now}: its accepted CRL's nextUpdate has passed, or it has
   * not accepted any CRL though it was tried (stale since it was registered). Empty while fresh, before
   * the first attempt of a new source, and for a CRL without nextUpdate.
   */
  public Optional<Instant> staleSince(Instant now) {
    return staleSince(nextUpdate, thisUpdate, lastAttemptAt, createdAt, now);
  }

  /** {@link #staleSince(Instant)} from the columns that decide it (thisUpdate null: nothing accepted yet). */
  public static Optional<Instant> staleSince(Instant nextUpdate, Instant thisUpdate, Instant lastAttemptAt,
                                             Instant createdAt, Instant now) {
    if (thisUpdate == null) {
      return lastAttemptAt == null ? Optional.empty() : Optional.of(createdAt);
    }
    return nextUpdate != null && now.isAfter(nextUpdate) ? Optional.of(nextUpdate) : Optional.empty();
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

  /**
   * What a source says about one certificate, as {@code CrlSourceRepository.check} finds it.
   *
   * @param reason     for {@link Status#LISTED}: the RFC 5280 reason name, or null if the CRL gives none
   * @param sourceId   the source that lists the certificate or is stale; null when clear
   * @param staleSince for {@link Status#ISSUER_STALE}: since when the source is stale
   */
  public record Check(Status status, String reason, String sourceId, Instant staleSince) {

    /** Clear, listed, or refused because the issuer's source is stale under {@link StalePolicy#REFUSE_ALL}. */
    public enum Status { CLEAR, LISTED, ISSUER_STALE }

    public static final Check CLEAR = new Check(Status.CLEAR, null, null, null);

    public Check {
      Objects.requireNonNull(status, "status");
    }

    public boolean refused() {
      return status != Status.CLEAR;
    }

    /** Why a refused certificate is refused, in words for a refusal message and the audit log. */
    public String describe() {
      return switch (status) {
        case CLEAR -> "not listed by any CRL";
        case LISTED -> "listed by the CRL of its issuer (source " + sourceId + ")"
            + (reason == null ? "" : ", reason " + reason);
        case ISSUER_STALE -> "the CRL of its issuer (source " + sourceId + ") is stale since " + staleSince
            + " and its policy refuses every certificate of that issuer until a fresh CRL arrives";
      };
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
