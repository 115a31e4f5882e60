package io.zto.shared.trust.impl;

import io.zto.shared.trust.Verdict.Refusal;
import java.security.PublicKey;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.util.List;
import java.util.Set;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.asn1.x9.X9ObjectIdentifiers;
import org.bouncycastle.asn1.pkcs.RSASSAPSSparams;

/**
 * The chain policy of contract section 9, applied to a path whose signatures verified: what a leaf, an
 * issuer, a signature algorithm and a key must be. Each rule answers with the first violation, in words.
 */
final class ChainPolicy {

  /** Longest path accepted: leaf, intermediates and anchor. */
  static final int MAX_DEPTH = 6;
  /** Largest DER certificate accepted (a device certificate is about 1 KiB; RSA-4096 CAs about 2). */
  static final int MAX_CERTIFICATE_BYTES = 16 * 1024;
  /** Largest RSA modulus looked at, a cap on the cost of one signature check. */
  static final int MAX_RSA_BITS = 8192;
  static final int MIN_RSA_BITS = 2048;

  private static final String EKU_CLIENT_AUTH = "1.3.6.1.5.5.7.3.2";
  private static final String EKU_ANY = "2.5.29.37.0";
  private static final String P256 = "1.2.840.10045.3.1.7";
  private static final String P384 = "1.3.132.0.34";
  private static final String ED25519 = "1.3.101.112";

  /**
   * Critical extensions the kernel processes: key usage, basic constraints, EKU, subject and issuer
   * alternative names, key identifiers, certificate policies (no policy is required, so any policy set
   * is acceptable), CRL distribution points. Name constraints are not processed: a path with critical
   * name constraints is refused rather than trusted with them ignored.
   */
  private static final Set<String> PROCESSED_CRITICAL = Set.of("2.5.29.15", "2.5.29.19", "2.5.29.37", "2.5.29.17",
      "2.5.29.18", "2.5.29.14", "2.5.29.35", "2.5.29.32", "2.5.29.31");

  /** SHA-256 or stronger: RSA PKCS#1 v1.5, ECDSA, Ed25519; RSASSA-PSS checked for its hash. */
  private static final Set<String> SIGNATURE_ALGORITHMS = Set.of(
      "1.2.840.113549.1.1.11", "1.2.840.113549.1.1.12", "1.2.840.113549.1.1.13",
      "1.2.840.10045.4.3.2", "1.2.840.10045.4.3.3", "1.2.840.10045.4.3.4", ED25519);
  private static final String RSASSA_PSS = "1.2.840.113549.1.1.10";
  private static final Set<String> PSS_HASHES = Set.of("2.16.840.1.101.3.4.2.1", "2.16.840.1.101.3.4.2.2",
      "2.16.840.1.101.3.4.2.3");

  /** What broke a rule: the kind of refusal and why. */
  record Violation(Refusal refusal, String reason) {}

  private ChainPolicy() {}

  /** Cheap checks on what was presented, before any signature is checked. */
  static Violation presented(List<byte[]> chain) {
    if (chain.size() > MAX_DEPTH) {
      return new Violation(Refusal.MALFORMED, "the client presented " + chain.size() + " certificates; at most "
          + MAX_DEPTH + " are accepted");
    }
    for (byte[] der : chain) {
      if (der.length > MAX_CERTIFICATE_BYTES) {
        return new Violation(Refusal.MALFORMED, "a presented certificate has " + der.length + " bytes; at most "
            + MAX_CERTIFICATE_BYTES + " are accepted");
      }
    }
    return null;
  }

  /** Key size cap on a presented certificate, before its key is used to check a signature. */
  static Violation keyWithinCap(X509Certificate certificate) {
    if (certificate.getPublicKey() instanceof RSAPublicKey rsa && rsa.getModulus().bitLength() > MAX_RSA_BITS) {
      return new Violation(Refusal.POLICY, PathBuilder.describe(certificate) + " has an RSA key of "
          + rsa.getModulus().bitLength() + " bits; at most " + MAX_RSA_BITS + " are accepted");
    }
    return null;
  }

  /**
   * The rules on a verified path.
   *
   * @param path leaf first, then the intermediates
   * @param anchor the anchor the path ends at
   */
  static Violation verified(List<X509Certificate> path, X509Certificate anchor) {
    Violation violation = leaf(path.get(0));
    for (int i = 1; violation == null && i < path.size(); i++) {
      violation = issuer(path.get(i), i - 1, "intermediate CA");
    }
    if (violation == null) {
      violation = issuer(anchor, path.size() - 1, "trust anchor");
    }
    for (int i = 0; violation == null && i < path.size(); i++) {
      violation = signatureAlgorithm(path.get(i));
      if (violation == null) {
        violation = criticalExtensions(path.get(i));
      }
    }
    for (int i = 0; violation == null && i <= path.size(); i++) {
      violation = key(i < path.size() ? path.get(i) : anchor);
    }
    return violation;
  }

  private static Violation leaf(X509Certificate leaf) {
    if (leaf.getBasicConstraints() >= 0) {
      return policy(leaf, "is a CA certificate, not an end entity");
    }
    boolean[] keyUsage = leaf.getKeyUsage();
    if (keyUsage != null && (keyUsage.length == 0 || !keyUsage[0])) {
      return policy(leaf, "has a keyUsage without digitalSignature");
    }
    try {
      List<String> eku = leaf.getExtendedKeyUsage();
      if (eku != null && !eku.contains(EKU_CLIENT_AUTH) && !eku.contains(EKU_ANY)) {
        return policy(leaf, "has an extendedKeyUsage without clientAuth");
      }
    } catch (java.security.cert.CertificateParsingException e) {
      return policy(leaf, "has an unreadable extendedKeyUsage");
    }
    return null;
  }

  /** {@code below}: how many intermediates the path has under this CA (its pathLen must allow them). */
  private static Violation issuer(X509Certificate ca, int below, String role) {
    int pathLen = ca.getBasicConstraints();
    if (pathLen < 0) {
      return new Violation(Refusal.POLICY, role + " " + PathBuilder.describe(ca) + " is not a CA certificate");
    }
    boolean[] keyUsage = ca.getKeyUsage();
    if (keyUsage != null && (keyUsage.length <= 5 || !keyUsage[5])) {
      return new Violation(Refusal.POLICY, role + " " + PathBuilder.describe(ca)
          + " may not sign certificates (keyUsage without keyCertSign)");
    }
    if (below > pathLen) {
      return new Violation(Refusal.POLICY, role + " " + PathBuilder.describe(ca) + " allows " + pathLen
          + " intermediate CA(s) below it (pathLenConstraint), the path has " + below);
    }
    return null;
  }

  private static Violation signatureAlgorithm(X509Certificate certificate) {
    String oid = certificate.getSigAlgOID();
    if (SIGNATURE_ALGORITHMS.contains(oid)) {
      return null;
    }
    if (RSASSA_PSS.equals(oid) && pssHashAllowed(certificate.getSigAlgParams())) {
      return null;
    }
    return policy(certificate, "is signed with " + certificate.getSigAlgName()
        + "; accepted are SHA-256 or stronger with RSA, RSASSA-PSS or ECDSA, and Ed25519");
  }

  private static boolean pssHashAllowed(byte[] params) {
    try {
      AlgorithmIdentifier hash = RSASSAPSSparams.getInstance(params).getHashAlgorithm();
      return PSS_HASHES.contains(hash.getAlgorithm().getId());
    } catch (RuntimeException e) {
      return false;
    }
  }

  private static Violation criticalExtensions(X509Certificate certificate) {
    Set<String> critical = certificate.getCriticalExtensionOIDs();
    if (critical == null) {
      return null;
    }
    for (String oid : critical) {
      if (!PROCESSED_CRITICAL.contains(oid)) {
        return policy(certificate, "has a critical extension " + oid + " that zto does not process");
      }
    }
    return null;
  }

  private static Violation key(X509Certificate certificate) {
    PublicKey key = certificate.getPublicKey();
    if (key instanceof RSAPublicKey rsa) {
      int bits = rsa.getModulus().bitLength();
      return bits < MIN_RSA_BITS ? policy(certificate, "has an RSA key of " + bits + " bits; at least "
          + MIN_RSA_BITS + " are required") : null;
    }
    if (key instanceof ECPublicKey) {
      String curve = curveOf(key);
      return P256.equals(curve) || P384.equals(curve) ? null
          : policy(certificate, "has an EC key on curve " + curve + "; accepted are P-256 and P-384");
    }
    String algorithm = SubjectPublicKeyInfo.getInstance(key.getEncoded()).getAlgorithm().getAlgorithm().getId();
    return ED25519.equals(algorithm) ? null
        : policy(certificate, "has a " + key.getAlgorithm() + " key; accepted are EC P-256/P-384, RSA >= "
            + MIN_RSA_BITS + " and Ed25519");
  }

  private static String curveOf(PublicKey key) {
    AlgorithmIdentifier algorithm = SubjectPublicKeyInfo.getInstance(key.getEncoded()).getAlgorithm();
    if (!X9ObjectIdentifiers.id_ecPublicKey.equals(algorithm.getAlgorithm())
        || !(algorithm.getParameters() instanceof ASN1ObjectIdentifier named)) {
      return "(explicit parameters)";
    }
    return named.getId();
  }

  private static Violation policy(X509Certificate certificate, String what) {
    return new Violation(Refusal.POLICY, PathBuilder.describe(certificate) + " " + what);
  }
}
