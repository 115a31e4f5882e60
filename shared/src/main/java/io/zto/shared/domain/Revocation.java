package io.zto.shared.domain;

import java.time.Instant;

/** One entry of a CRL the platform issues: a revoked certificate's serial (lowercase hex), when and why. */
public record Revocation(String serial, Instant revokedAt, RevocationReason reason) {}
