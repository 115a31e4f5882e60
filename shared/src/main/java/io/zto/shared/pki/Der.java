package io.zto.shared.pki;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.cert.CertificateEncodingException;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;

import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.DERNull;
import org.bouncycastle.asn1.edec.EdECObjectIdentifiers;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.pkcs.RSAPrivateKey;
import org.bouncycastle.asn1.sec.ECPrivateKey;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.asn1.x9.X9ObjectIdentifiers;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;

/**
 * DER conversions between Bouncy Castle's ASN.1 objects and the JDK's types. Certificates become
 * {@link X509Certificate} through the JDK's {@link CertificateFactory} (so the TLS stack and PKIX
 * see a normal JDK object) and private keys through the JDK's {@link KeyFactory}; no JCE provider
 * is registered. Malformed input gives an {@link IllegalArgumentException} that says what is wrong.
 */
public final class Der {

  // CertificateFactory is not specified to be thread-safe; one per thread is cheap and avoids the
  // provider lookup on every certificate of the issuing hot path.
  private static final ThreadLocal<CertificateFactory> FACTORY = ThreadLocal.withInitial(() -> {
    try {
      return CertificateFactory.getInstance("X.509");
    } catch (CertificateException e) {
      throw new IllegalStateException("The JDK has no X.509 CertificateFactory", e);
    }
  });

  private Der() {
  }

  /** Parses a DER X.509 certificate. */
  public static X509Certificate certificate(byte[] der) {
    if (der == null || der.length == 0) {
      throw new IllegalArgumentException("Not an X.509 certificate: the input is empty");
    }
    try {
      return (X509Certificate) FACTORY.get().generateCertificate(new ByteArrayInputStream(der));
    } catch (CertificateException | RuntimeException e) {
      throw new IllegalArgumentException("Not a valid X.509 certificate (" + der.length + " bytes): " + e.getMessage(), e);
    }
  }

  /** Converts a Bouncy Castle certificate to the JDK type. */
  public static X509Certificate certificate(X509CertificateHolder holder) {
    try {
      return certificate(holder.getEncoded());
    } catch (IOException e) {
      throw new IllegalStateException("Cannot encode certificate", e);
    }
  }

  /** The DER encoding of {@code certificate}. */
  public static byte[] encode(X509Certificate certificate) {
    try {
      return certificate.getEncoded();
    } catch (CertificateEncodingException e) {
      throw new IllegalArgumentException("Cannot encode certificate " + certificate.getSubjectX500Principal() + ": " + e.getMessage(), e);
    }
  }

  /** The Bouncy Castle view of {@code certificate}, for reading extensions with the ASN.1 API. */
  public static X509CertificateHolder holder(X509Certificate certificate) {
    try {
      return new X509CertificateHolder(encode(certificate));
    } catch (IOException e) {
      throw new IllegalArgumentException("Cannot parse certificate: " + e.getMessage(), e);
    }
  }

  /** Parses a DER PKCS#10 certificate signing request (does not check its signature). */
  public static PKCS10CertificationRequest csr(byte[] der) {
    if (der == null || der.length == 0) {
      throw new IllegalArgumentException("Not a PKCS#10 certificate request: the input is empty");
    }
    try {
      return new PKCS10CertificationRequest(der);
    } catch (IOException | RuntimeException e) {
      throw new IllegalArgumentException("Not a valid PKCS#10 certificate request (" + der.length + " bytes): " + e.getMessage(), e);
    }
  }

  /** Parses a DER PKCS#8 (unencrypted) private key: EC, RSA or Ed25519. */
  public static PrivateKey privateKey(byte[] der) {
    PrivateKeyInfo info;
    try {
      info = PrivateKeyInfo.getInstance(der);
    } catch (RuntimeException e) {
      throw new IllegalArgumentException("Not a valid PKCS#8 private key: " + e.getMessage(), e);
    }
    return privateKey(info);
  }

  /** Converts a Bouncy Castle PKCS#8 structure to a JDK private key. */
  public static PrivateKey privateKey(PrivateKeyInfo info) {
    ASN1ObjectIdentifier algorithm = info.getPrivateKeyAlgorithm().getAlgorithm();
    String jdkName = jdkKeyAlgorithm(algorithm);
    try {
      return KeyFactory.getInstance(jdkName).generatePrivate(new PKCS8EncodedKeySpec(info.getEncoded()));
    } catch (GeneralSecurityException | IOException e) {
      throw new IllegalArgumentException("Not a valid " + jdkName + " private key: " + e.getMessage(), e);
    }
  }

  /** Parses a SEC1 {@code EC PRIVATE KEY} (what {@code openssl ecparam -genkey} writes). */
  public static PrivateKey sec1PrivateKey(byte[] der) {
    try {
      ECPrivateKey sec1 = ECPrivateKey.getInstance(der);
      if (sec1.getParametersObject() == null) {
        throw new IllegalArgumentException("the EC PRIVATE KEY does not name its curve");
      }
      var algorithm = new AlgorithmIdentifier(X9ObjectIdentifiers.id_ecPublicKey, sec1.getParametersObject());
      return privateKey(new PrivateKeyInfo(algorithm, sec1));
    } catch (IOException | RuntimeException e) {
      throw new IllegalArgumentException("Not a valid SEC1 EC private key: " + e.getMessage(), e);
    }
  }

  /** Parses a PKCS#1 {@code RSA PRIVATE KEY}. */
  public static PrivateKey pkcs1PrivateKey(byte[] der) {
    try {
      var algorithm = new AlgorithmIdentifier(PKCSObjectIdentifiers.rsaEncryption, DERNull.INSTANCE);
      return privateKey(new PrivateKeyInfo(algorithm, RSAPrivateKey.getInstance(der)));
    } catch (IOException | RuntimeException e) {
      throw new IllegalArgumentException("Not a valid PKCS#1 RSA private key: " + e.getMessage(), e);
    }
  }

  private static String jdkKeyAlgorithm(ASN1ObjectIdentifier algorithm) {
    if (X9ObjectIdentifiers.id_ecPublicKey.equals(algorithm)) {
      return "EC";
    }
    if (PKCSObjectIdentifiers.rsaEncryption.equals(algorithm)) {
      return "RSA";
    }
    if (EdECObjectIdentifiers.id_Ed25519.equals(algorithm)) {
      return "Ed25519";
    }
    throw new IllegalArgumentException("Unsupported private key algorithm " + algorithm.getId()
        + " (supported: EC, RSA, Ed25519)");
  }
}
