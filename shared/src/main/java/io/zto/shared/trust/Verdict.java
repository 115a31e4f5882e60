package io.zto.shared.trust;

import io.zto.shared.domain.IssuedCertificate;
import io.zto.shared.domain.TrustAnchor;
import java.util.Objects;

/**
 * What the {@link TrustKernel} decided about a presented chain.
 *
 * @param purpose what the chain was presented as
 * @param refusal null when trusted, else the kind of refusal
 * @param reason null when trusted, else why, in words a person can act on (for refusals and the audit log)
 * @param path the verified path; null when the chain could not be verified (present, with a revoked
 *     certificate in it, for {@link Refusal#REVOKED})
 * @param anchor the stored anchor the path ends at ({@code LDEVID}, {@code IDEVID}); null for
 *     {@code OPERATIONAL} or when unverified
 * @param deviceId the leaf's device id (contract section 2) for {@code LDEVID} and {@code OPERATIONAL};
 *     null for {@code IDEVID} or when the leaf carries none
 * @param issued the platform's record of the leaf, for {@code OPERATIONAL}; else null
 */
public record Verdict(TrustPurpose purpose, Refusal refusal, String reason, VerifiedPath path, TrustAnchor anchor,
                      String deviceId, IssuedCertificate issued) {

  /** Why a chain was refused; listeners map each to their own code. */
  public enum Refusal {
    /** No client certificate was presented. MQTT: not authorized (0x87 / 5); EST: 401. */
    NO_CERTIFICATE,
    /** Unreadable, oversized or too long a chain. MQTT: not authorized; EST: 403. */
    MALFORMED,
    /** No path to an anchor of the purpose (unknown CA, forged issuer, wrong key). */
    UNTRUSTED,
    /** Outside its validity, or an issuer outside its validity. */
    EXPIRED,
    /** Against the chain policy: CA leaf, key usage, EKU, path length, critical extension, weak algorithm or key. */
    POLICY,
    /** A certificate of the path is revoked, or its issuer's CRL is stale under a refuse-all policy. MQTT: banned (0x8A / 5). */
    REVOKED,
    /** The leaf carries no valid device id (contract section 2). MQTT: client id not valid (0x85 / 2). */
    BAD_DEVICE_ID,
    /** An operational certificate the platform did not issue to this device id. */
    NOT_ISSUED
  }

  public Verdict {
    Objects.requireNonNull(purpose, "purpose");
    if (refusal != null) {
      Objects.requireNonNull(reason, "reason");
    }
  }

  public boolean trusted() {
    return refusal == null;
  }

  public static Verdict refused(TrustPurpose purpose, Refusal refusal, String reason) {
    return new Verdict(purpose, refusal, reason, null, null, null, null);
  }

  /** This verdict turned into a refusal (the path is kept, for the audit and the drop rules). */
  public Verdict refuse(Refusal why, String because) {
    return new Verdict(purpose, why, because, path, anchor, deviceId, issued);
  }
}
