package io.zto.shared.pki;

import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Stream;
import javax.security.auth.x500.X500Principal;

/**
 * Checks that a certificate chains to one of a set of trust anchors, with Bouncy Castle's
 * lightweight verifiers (several times faster than the JDK's PKIX on Java 17, see measured.md).
 *
 * <p>From the leaf upwards, each certificate must be signed by an anchor, or by a CA certificate the
 * client presented that in turn chains to an anchor; every certificate must be within its validity
 * and every issuer a CA (basicConstraints) allowed to sign certificates (keyUsage, when present).
 * Anchors may be roots or intermediate CAs an operator chose to trust. Revocation is not checked
 * here. Devices use it to check the platform's server chain; the platform decides about its peers with
 * the trust kernel ({@code io.zto.shared.trust.TrustKernel}), which applies the whole policy.
 *
 * <p><b>Blocking</b>: signature checks are CPU work; run {@link #verify} off the event loop.
 */
public final class ChainVerifier {

  /** Longest chain accepted, anchors included. */
  public static final int MAX_DEPTH = 6;

  private ChainVerifier() {}

  /**
   * @param chain the client's certificates, leaf first (as TLS presents them)
   * @param anchors the trusted CA certificates
   * @param at the instant validity is checked at
   * @return the anchor the chain ends at
   * @throws UntrustedCertificateException with a reason a person can act on
   */
  public static X509Certificate verify(List<X509Certificate> chain, Collection<X509Certificate> anchors, Instant at) {
    if (chain == null || chain.isEmpty()) {
      throw new UntrustedCertificateException("no client certificate was presented");
    }
    X509Certificate current = chain.get(0);
    checkValidity(current, at, "certificate");
    for (int depth = 1; depth < MAX_DEPTH; depth++) {
      X509Certificate anchor = issuerAmong(current, anchors);
      if (anchor != null) {
        checkIssuer(anchor, at, "trust anchor");
        return anchor;
      }
      X509Certificate intermediate = issuerAmong(current, chain.subList(1, chain.size()));
      if (intermediate == null || intermediate.equals(current)) {
        throw new UntrustedCertificateException("certificate " + subject(chain.get(0)) + " does not chain to a trusted CA"
            + (namedAmong(current, anchors, chain)
                ? " (its signature does not verify with the key of the trusted CA "
                    + current.getIssuerX500Principal().getName() + ": tampered, or signed by another key of that name)"
                : " (no trusted issuer " + current.getIssuerX500Principal().getName() + ")"));
      }
      checkIssuer(intermediate, at, "intermediate CA");
      current = intermediate;
    }
    throw new UntrustedCertificateException("certificate chain of " + subject(chain.get(0)) + " is longer than "
        + MAX_DEPTH);
  }

  /** The certificate among {@code candidates} whose name and key signed {@code cert}, or null. */
  private static X509Certificate issuerAmong(X509Certificate cert, Collection<X509Certificate> candidates) {
    for (X509Certificate candidate : candidates) {
      if (candidate.getSubjectX500Principal().equals(cert.getIssuerX500Principal()) && signedBy(cert, candidate)) {
        return candidate;
      }
    }
    return null;
  }

  /** Whether an anchor or presented certificate bears {@code cert}'s issuer name (whatever its key). */
  private static boolean namedAmong(X509Certificate cert, Collection<X509Certificate> anchors,
                                    List<X509Certificate> chain) {
    return Stream.concat(anchors.stream(), chain.stream().skip(1))
        .anyMatch(c -> c.getSubjectX500Principal().equals(cert.getIssuerX500Principal()));
  }

  private static boolean signedBy(X509Certificate cert, X509Certificate issuer) {
    return Signatures.signedBy(cert, issuer);
  }

  private static void checkIssuer(X509Certificate ca, Instant at, String role) {
    checkValidity(ca, at, role);
    if (ca.getBasicConstraints() < 0) {
      throw new UntrustedCertificateException(role + " " + subject(ca) + " is not a CA certificate");
    }
    boolean[] keyUsage = ca.getKeyUsage();
    if (keyUsage != null && (keyUsage.length <= 5 || !keyUsage[5])) {
      throw new UntrustedCertificateException(role + " " + subject(ca) + " may not sign certificates (keyUsage)");
    }
  }

  private static void checkValidity(X509Certificate cert, Instant at, String role) {
    Objects.requireNonNull(at, "at");
    if (at.isBefore(cert.getNotBefore().toInstant())) {
      throw new UntrustedCertificateException(role + " " + subject(cert) + " is not valid before " + cert.getNotBefore().toInstant());
    }
    if (at.isAfter(cert.getNotAfter().toInstant())) {
      throw new UntrustedCertificateException(role + " " + subject(cert) + " expired at " + cert.getNotAfter().toInstant());
    }
  }

  private static String subject(X509Certificate cert) {
    // serialNumber by name rather than as 2.5.4.5=#hex, so that a person can read the device's serial
    return "'" + cert.getSubjectX500Principal().getName(X500Principal.RFC2253,
        Map.of("2.5.4.5", "serialNumber")) + "'";
  }
}
