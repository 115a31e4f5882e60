package io.zto.crl;

import java.util.Locale;

/**
 * Why fetching or accepting a CRL failed. The message is for a person (it becomes the source's lastError
 * and the audit reason); the kind is for the metric and for the refresh API.
 */
public final class CrlSyncFailure extends RuntimeException {

  /** What went wrong, from the wire to the CRL's content. */
  public enum Kind {
    /** Connection refused, DNS, TLS handshake. */
    UNREACHABLE,
    /** The server answered with a status other than 200 or 304. */
    HTTP_STATUS,
    /** No complete answer within the fetch timeout. */
    TIMEOUT,
    /** The body exceeds the size limit. */
    TOO_LARGE,
    /** The body is not a CRL, or a CRL lacking what RFC 5280 requires (the CRL number). */
    MALFORMED,
    /** The CRL names another issuer than the source's issuer certificate. */
    WRONG_ISSUER,
    /** The signature does not verify with the issuer certificate's key. */
    BAD_SIGNATURE,
    /** A lower CRL number than the one accepted last (a replayed or rolled-back CRL). */
    ROLLBACK,
    /** Its nextUpdate has passed (or the server says unchanged while the last CRL's nextUpdate has passed). */
    EXPIRED,
    /** Its thisUpdate lies in the future. */
    NOT_YET_VALID,
    /** A delta CRL whose base is newer than the complete CRL held. */
    DELTA_BASE_MISSING,
    /** A critical extension we do not process (an indirect CRL, say). */
    UNSUPPORTED,
    /** Anything else (the database, say). */
    INTERNAL;

    /** The metric tag and API value, e.g. {@code bad-signature}. */
    public String label() {
      return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }
  }

  private final Kind kind;

  public CrlSyncFailure(Kind kind, String message) {
    super(message, null, false, false);
    this.kind = kind;
  }

  public Kind kind() {
    return kind;
  }

  /** Whether the CRL was fetched but refused (as opposed to not fetched at all). */
  public boolean refusal() {
    return switch (kind) {
      case MALFORMED, WRONG_ISSUER, BAD_SIGNATURE, ROLLBACK, EXPIRED, NOT_YET_VALID, DELTA_BASE_MISSING, UNSUPPORTED ->
          true;
      default -> false;
    };
  }
}
