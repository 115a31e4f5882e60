package io.zto.shared.pki;

import io.zto.shared.domain.RevocationReason;

import java.math.BigInteger;
import java.time.Instant;
import java.util.Objects;

/**
 * One CRL entry.
 *
 * @param serial the revoked certificate's serial
 * @param revokedAt when it was revoked
 * @param reason why; {@link RevocationReason#UNSPECIFIED} leaves the reasonCode extension out (RFC 5280 §5.3.1)
 */
public record RevokedCertificate(BigInteger serial, Instant revokedAt, RevocationReason reason) {

  public RevokedCertificate {
    Objects.requireNonNull(serial, "serial");
    Objects.requireNonNull(revokedAt, "revokedAt");
    Objects.requireNonNull(reason, "reason");
  }
}
