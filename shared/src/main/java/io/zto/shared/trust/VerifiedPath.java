package io.zto.shared.trust;

import java.security.cert.X509Certificate;
import java.util.List;

/**
 * A path the kernel verified: the leaf and each intermediate, each with the issuer that verified it,
 * ending at the anchor (which is trusted, not verified).
 *
 * @param elements leaf first, then the intermediates; never empty
 * @param anchor the trust anchor certificate the path ends at
 * @param anchorFingerprint lowercase hex SHA-256 of the anchor's DER
 */
public record VerifiedPath(List<PathElement> elements, X509Certificate anchor, String anchorFingerprint) {

  public VerifiedPath {
    elements = List.copyOf(elements);
    if (elements.isEmpty()) {
      throw new IllegalArgumentException("a verified path has a leaf");
    }
  }

  public PathElement leaf() {
    return elements.get(0);
  }

  /** The leaf followed by the intermediates (no anchor): what a peer should present. */
  public List<X509Certificate> certificates() {
    return elements.stream().map(PathElement::certificate).toList();
  }

  /** Whether any certificate of the path was verified by the CA with this fingerprint. */
  public boolean issuedUnder(String issuerFingerprint) {
    return elements.stream().anyMatch(e -> e.issuerFingerprint().equals(issuerFingerprint));
  }

  /** Whether the path holds the certificate with this serial verified by that issuer. */
  public boolean holds(String serial, String issuerFingerprint) {
    return elements.stream().anyMatch(e -> e.serial().equals(serial)
        && (issuerFingerprint == null || e.issuerFingerprint().equals(issuerFingerprint)));
  }
}
