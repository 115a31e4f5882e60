package io.zto.shared.pki;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.PublicKey;
import java.security.cert.X509Certificate;
import java.util.HexFormat;

import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;

/** SHA-256 fingerprints as lowercase hex without separators (contract §2, "LDevID fingerprint"). */
public final class Fingerprints {

  private Fingerprints() {
  }

  /** SHA-256 of the certificate's DER encoding. */
  public static String sha256(X509Certificate certificate) {
    return sha256(Der.encode(certificate));
  }

  /** SHA-256 of arbitrary bytes, lowercase hex. */
  public static String sha256(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from the JDK", e);
    }
  }

  /** SHA-256 of a public key's DER SubjectPublicKeyInfo (stable across re-issued certificates). */
  public static String publicKeySha256(PublicKey key) {
    return sha256(key.getEncoded());
  }

  /** SHA-256 of a DER SubjectPublicKeyInfo. */
  public static String publicKeySha256(SubjectPublicKeyInfo publicKeyInfo) {
    try {
      return sha256(publicKeyInfo.getEncoded());
    } catch (java.io.IOException e) {
      throw new IllegalArgumentException("Cannot encode public key", e);
    }
  }

  /** SHA-256 of the certificate's SubjectPublicKeyInfo. */
  public static String publicKeySha256(X509Certificate certificate) {
    return publicKeySha256(certificate.getPublicKey());
  }
}
