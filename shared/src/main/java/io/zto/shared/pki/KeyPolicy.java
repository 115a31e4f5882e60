package io.zto.shared.pki;

import java.io.IOException;
import java.util.Map;
import java.util.Optional;

import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.edec.EdECObjectIdentifiers;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.pkcs.RSAPublicKey;
import org.bouncycastle.asn1.sec.SECObjectIdentifiers;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.asn1.x9.X9ObjectIdentifiers;

/**
 * Which device keys the platform certifies: EC P-256 and P-384 (named curves), RSA with a modulus
 * of 2048 to 8192 bits, and Ed25519. Everything else is refused with a reason a person can act on.
 * P-521 and RSA below 2048 are refused on purpose: P-521 is poorly supported by TLS stacks of
 * constrained devices, RSA-1024 is broken by today's standards; the upper RSA bound stops
 * requests whose verification would cost seconds.
 */
public final class KeyPolicy {

  /** Smallest accepted RSA modulus. */
  public static final int MIN_RSA_BITS = 2048;
  /** Largest accepted RSA modulus. */
  public static final int MAX_RSA_BITS = 8192;

  private static final Map<ASN1ObjectIdentifier, String> CURVES = Map.of(
      SECObjectIdentifiers.secp256r1, "P-256",
      SECObjectIdentifiers.secp384r1, "P-384",
      SECObjectIdentifiers.secp521r1, "P-521");

  private KeyPolicy() {
  }

  /** A short human description of the key: "EC P-256", "RSA 2048", "Ed25519", ... */
  public static String describe(SubjectPublicKeyInfo key) {
    ASN1ObjectIdentifier algorithm = key.getAlgorithm().getAlgorithm();
    if (X9ObjectIdentifiers.id_ecPublicKey.equals(algorithm)) {
      var parameters = key.getAlgorithm().getParameters();
      if (!(parameters instanceof ASN1ObjectIdentifier curve)) {
        return "EC (explicit curve parameters)";
      }
      return "EC " + CURVES.getOrDefault(curve, "curve " + curve.getId());
    }
    if (PKCSObjectIdentifiers.rsaEncryption.equals(algorithm)) {
      int bits = rsaBits(key);
      return bits > 0 ? "RSA " + bits : "RSA (malformed)";
    }
    if (EdECObjectIdentifiers.id_Ed25519.equals(algorithm)) {
      return "Ed25519";
    }
    if (EdECObjectIdentifiers.id_Ed448.equals(algorithm)) {
      return "Ed448";
    }
    return "key algorithm " + algorithm.getId();
  }

  /** Why the key is refused, or empty if it is acceptable. */
  public static Optional<String> refusal(SubjectPublicKeyInfo key) {
    ASN1ObjectIdentifier algorithm = key.getAlgorithm().getAlgorithm();
    String description = describe(key);
    if (X9ObjectIdentifiers.id_ecPublicKey.equals(algorithm)) {
      return description.equals("EC P-256") || description.equals("EC P-384")
          ? Optional.empty()
          : Optional.of(description + " is not accepted: use EC P-256 or P-384 (named curve), RSA 2048+ or Ed25519");
    }
    if (PKCSObjectIdentifiers.rsaEncryption.equals(algorithm)) {
      int bits = rsaBits(key);
      if (bits < MIN_RSA_BITS) {
        return Optional.of(description + " is too weak: RSA keys need at least " + MIN_RSA_BITS + " bits");
      }
      return bits > MAX_RSA_BITS
          ? Optional.of(description + " is too large: RSA keys may have at most " + MAX_RSA_BITS + " bits")
          : Optional.empty();
    }
    if (EdECObjectIdentifiers.id_Ed25519.equals(algorithm)) {
      return Optional.empty();
    }
    return Optional.of(description + " is not accepted: use EC P-256 or P-384, RSA 2048+ or Ed25519");
  }

  private static int rsaBits(SubjectPublicKeyInfo key) {
    try {
      return RSAPublicKey.getInstance(key.parsePublicKey()).getModulus().bitLength();
    } catch (IOException | RuntimeException e) {
      return -1;
    }
  }
}
