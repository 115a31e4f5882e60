package io.zto.shared.trust.impl;

import io.zto.shared.pki.Fingerprints;
import io.zto.shared.pki.Signatures;
import io.zto.shared.trust.PathElement;
import io.zto.shared.trust.VerifiedPath;
import io.zto.shared.trust.Verdict.Refusal;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import javax.security.auth.x500.X500Principal;

/**
 * Builds the path from a presented leaf to an anchor, each step verified with the key of the issuer
 * that signed it: an issuer is found by name and signature, never by name alone, so a certificate that
 * merely bears a CA's name (a forged intermediate) verifies nothing. Then applies {@link ChainPolicy}.
 *
 * <p><b>Blocking</b>: signature checks; run on a worker.
 */
final class PathBuilder {

  /** A verified path, or why there is none. */
  record Built(VerifiedPath path, ChainPolicy.Violation violation) {
    static Built refused(Refusal refusal, String reason) {
      return new Built(null, new ChainPolicy.Violation(refusal, reason));
    }
  }

  private PathBuilder() {}

  /**
   * @param chain the presented certificates, leaf first, any order after it
   * @param anchors the trusted CA certificates of the purpose
   */
  static Built build(List<X509Certificate> chain, Collection<X509Certificate> anchors, Instant at) {
    for (X509Certificate presented : chain) {
      ChainPolicy.Violation tooBig = ChainPolicy.keyWithinCap(presented);
      if (tooBig != null) {
        return new Built(null, tooBig);
      }
    }
    List<X509Certificate> path = new ArrayList<>();
    List<String> issuers = new ArrayList<>();
    X509Certificate current = chain.get(0);
    List<X509Certificate> offered = chain.subList(1, chain.size());
    X509Certificate anchor = null;
    while (anchor == null) {
      if (path.size() + 1 >= ChainPolicy.MAX_DEPTH) {
        return Built.refused(Refusal.MALFORMED, "the chain of " + describe(chain.get(0)) + " is longer than "
            + ChainPolicy.MAX_DEPTH + " certificates");
      }
      X509Certificate issuer = issuerAmong(current, anchors);
      boolean isAnchor = issuer != null;
      if (!isAnchor) {
        issuer = issuerAmong(current, offered);
      }
      if (issuer == null || issuer.equals(current) || path.contains(issuer)) {
        return Built.refused(Refusal.UNTRUSTED, untrusted(chain.get(0), current, anchors, offered));
      }
      path.add(current);
      issuers.add(Fingerprints.sha256(issuer));
      if (isAnchor) {
        anchor = issuer;
      } else {
        current = issuer;
      }
    }
    ChainPolicy.Violation expired = validity(path, anchor, at);
    if (expired != null) {
      return new Built(null, expired);
    }
    ChainPolicy.Violation violation = ChainPolicy.verified(path, anchor);
    if (violation != null) {
      return new Built(null, violation);
    }
    List<PathElement> elements = new ArrayList<>(path.size());
    for (int i = 0; i < path.size(); i++) {
      X509Certificate c = path.get(i);
      elements.add(new PathElement(c, serial(c), Fingerprints.sha256(c), issuers.get(i)));
    }
    return new Built(new VerifiedPath(elements, anchor, issuers.get(issuers.size() - 1)), null);
  }

  /** Lowercase hex without leading zeros, as CRL entries and revocation events name serials. */
  static String serial(X509Certificate certificate) {
    return certificate.getSerialNumber().toString(16);
  }

  private static ChainPolicy.Violation validity(List<X509Certificate> path, X509Certificate anchor, Instant at) {
    for (int i = 0; i <= path.size(); i++) {
      X509Certificate c = i < path.size() ? path.get(i) : anchor;
      String role = i == 0 ? "certificate" : i < path.size() ? "intermediate CA" : "trust anchor";
      if (at.isBefore(c.getNotBefore().toInstant())) {
        return new ChainPolicy.Violation(Refusal.EXPIRED, role + " " + describe(c) + " is not valid before "
            + c.getNotBefore().toInstant());
      }
      if (at.isAfter(c.getNotAfter().toInstant())) {
        return new ChainPolicy.Violation(Refusal.EXPIRED, role + " " + describe(c) + " expired at "
            + c.getNotAfter().toInstant());
      }
    }
    return null;
  }

  /** The certificate among {@code candidates} whose name and key signed {@code cert}, or null. */
  private static X509Certificate issuerAmong(X509Certificate cert, Collection<X509Certificate> candidates) {
    for (X509Certificate candidate : candidates) {
      if (candidate.getSubjectX500Principal().equals(cert.getIssuerX500Principal())
          && Signatures.signedBy(cert, candidate)) {
        return candidate;
      }
    }
    return null;
  }

  private static String untrusted(X509Certificate leaf, X509Certificate stuck, Collection<X509Certificate> anchors,
                                  List<X509Certificate> offered) {
    boolean named = anchors.stream().anyMatch(c -> c.getSubjectX500Principal().equals(stuck.getIssuerX500Principal()))
        || offered.stream().anyMatch(c -> c.getSubjectX500Principal().equals(stuck.getIssuerX500Principal()));
    String issuer = stuck.getIssuerX500Principal().getName();
    return "certificate " + describe(leaf) + " does not chain to a trusted CA" + (named
        ? " (the signature of " + describe(stuck) + " does not verify with the key of the CA named " + issuer
            + ": tampered, or signed by another key of that name)"
        : " (no trusted issuer " + issuer + ")");
  }

  /** The subject, serialNumber by name so that a person can read a device's serial. */
  static String describe(X509Certificate certificate) {
    return "'" + certificate.getSubjectX500Principal().getName(X500Principal.RFC2253,
        Map.of("2.5.4.5", "serialNumber")) + "'";
  }
}
