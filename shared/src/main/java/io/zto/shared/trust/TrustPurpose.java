package io.zto.shared.trust;

import io.zto.shared.domain.TrustAnchor;

/** What a chain is presented as, which decides the anchors it must reach and where revocation is read. */
public enum TrustPurpose {
  /** A customer LDevID: anchors of purpose {@code ldevid}; revocation from the CRL sources. */
  LDEVID(TrustAnchor.Purpose.LDEVID),
  /** A manufacturer IDevID: anchors of purpose {@code idevid}; revocation from the CRL sources. */
  IDEVID(TrustAnchor.Purpose.IDEVID),
  /**
   * An operational certificate: the platform's own CA chain; the leaf must be recorded as issued to its
   * device id and still valid (revocation from the issued-certificate records).
   */
  OPERATIONAL(null);

  private final TrustAnchor.Purpose anchorPurpose;

  TrustPurpose(TrustAnchor.Purpose anchorPurpose) {
    this.anchorPurpose = anchorPurpose;
  }

  /** The stored anchors' purpose, or null for the platform's own CA. */
  public TrustAnchor.Purpose anchorPurpose() {
    return anchorPurpose;
  }
}
