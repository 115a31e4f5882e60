package io.zto.shared.testing;

import java.math.BigInteger;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.DEROctetString;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * Certificates of any shape for trust tests: CAs and intermediates with chosen path lengths and
 * validity, forgeries (a CA's name with another key), weak keys and algorithms, leaves with unusual
 * extensions. Signed through the JDK's providers, so that SHA-1 and RSA-1024 can be made on purpose.
 *
 * <pre>{@code
 * TestChains.Ca root = TestChains.root("Customer Root");
 * TestChains.Ca line = root.intermediate("Line CA");
 * TestChains.Leaf device = line.device("gw-0001");
 * }</pre>
 */
public final class TestChains {

  private static final SecureRandom RANDOM = new SecureRandom();

  private TestChains() {}

  /** A certificate with its key. */
  public record Leaf(X509Certificate certificate, KeyPair keyPair) {}

  /** A CA that can issue: its certificate and key. */
  public record Ca(X509Certificate certificate, KeyPair keyPair) {

    /** An intermediate CA under this one (pathLen 0, valid now). */
    public Ca intermediate(String commonName) {
      return intermediate(commonName, 0, Instant.now().minus(Duration.ofMinutes(5)), Duration.ofDays(365));
    }

    /** An intermediate CA with this pathLen and validity. */
    public Ca intermediate(String commonName, int pathLen, Instant notBefore, Duration validity) {
      KeyPair keys = ec("secp256r1");
      X509v3CertificateBuilder b = builder(certificate, name(commonName), keys, notBefore, validity);
      return new Ca(sign(caExtensions(b, pathLen), keyPair.getPrivate(), "SHA256withECDSA"), keys);
    }

    /** A certificate under this CA that is not a CA (basicConstraints CA:false), used as if it were one. */
    public Ca endEntityPosingAsCa(String commonName) {
      KeyPair keys = ec("secp256r1");
      X509v3CertificateBuilder b = builder(certificate, name(commonName), keys, Instant.now().minus(Duration.ofMinutes(5)),
          Duration.ofDays(365));
      try {
        b.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
      return new Ca(sign(b, keyPair.getPrivate(), "SHA256withECDSA"), keys);
    }

    /** A device LDevID ({@code serialNumber=<deviceId>, CN=Gateway}, P-256, ECDSA-SHA256) under this CA. */
    public Leaf device(String deviceId) {
      return device(deviceId, ec("secp256r1"), "SHA256withECDSA");
    }

    /** A device certificate with this key, signed with this JCA algorithm (e.g. SHA1withECDSA). */
    public Leaf device(String deviceId, KeyPair keys, String signatureAlgorithm) {
      X509v3CertificateBuilder b = builder(certificate, deviceName(deviceId), keys,
          Instant.now().minus(Duration.ofMinutes(5)), Duration.ofDays(365));
      return new Leaf(sign(leafExtensions(b), keyPair.getPrivate(), signatureAlgorithm), keys);
    }

    /** A device certificate that also carries a critical extension nobody processes. */
    public Leaf deviceWithUnknownCriticalExtension(String deviceId) {
      KeyPair keys = ec("secp256r1");
      X509v3CertificateBuilder b = leafExtensions(builder(certificate, deviceName(deviceId), keys,
          Instant.now().minus(Duration.ofMinutes(5)), Duration.ofDays(365)));
      try {
        b.addExtension(new ASN1ObjectIdentifier("1.3.6.1.4.1.99999.1"), true, new DEROctetString(new byte[] {1}));
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
      return new Leaf(sign(b, keyPair.getPrivate(), "SHA256withECDSA"), keys);
    }

    /** A device certificate that is itself a CA (CA:true): not an end entity. */
    public Leaf deviceThatIsACa(String deviceId) {
      KeyPair keys = ec("secp256r1");
      X509v3CertificateBuilder b = builder(certificate, deviceName(deviceId), keys,
          Instant.now().minus(Duration.ofMinutes(5)), Duration.ofDays(365));
      return new Leaf(sign(caExtensions(b, 0), keyPair.getPrivate(), "SHA256withECDSA"), keys);
    }

    /** A self-signed CA bearing this CA's name and another key: a forgery. */
    public Ca forgery() {
      KeyPair keys = ec("secp256r1");
      X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(certificate.getSubjectX500Principal(), serial(),
          Date.from(Instant.now().minus(Duration.ofMinutes(5))), Date.from(Instant.now().plus(Duration.ofDays(365))),
          certificate.getSubjectX500Principal(), keys.getPublic());
      return new Ca(sign(caExtensions(b, 1), keys.getPrivate(), "SHA256withECDSA"), keys);
    }
  }

  /** A self-signed root CA (P-256, pathLen 1). */
  public static Ca root(String commonName) {
    KeyPair keys = ec("secp256r1");
    X500Name name = name(commonName);
    X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(name, serial(),
        Date.from(Instant.now().minus(Duration.ofMinutes(5))), Date.from(Instant.now().plus(Duration.ofDays(3650))),
        name, keys.getPublic());
    return new Ca(sign(caExtensions(b, 1), keys.getPrivate(), "SHA256withECDSA"), keys);
  }

  /** An EC key pair on a named curve (secp256r1, secp384r1, secp521r1). */
  public static KeyPair ec(String curve) {
    try {
      KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
      generator.initialize(new ECGenParameterSpec(curve));
      return generator.generateKeyPair();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  /** An RSA key pair of this size. */
  public static KeyPair rsa(int bits) {
    try {
      KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
      generator.initialize(bits);
      return generator.generateKeyPair();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private static X509v3CertificateBuilder builder(X509Certificate issuer, X500Name subject, KeyPair keys,
                                                  Instant notBefore, Duration validity) {
    return new JcaX509v3CertificateBuilder(X500Name.getInstance(issuer.getSubjectX500Principal().getEncoded()),
        serial(), Date.from(notBefore), Date.from(notBefore.plus(validity)), subject, keys.getPublic());
  }

  private static X509v3CertificateBuilder caExtensions(X509v3CertificateBuilder b, int pathLen) {
    try {
      return b.addExtension(Extension.basicConstraints, true, new BasicConstraints(pathLen))
          .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private static X509v3CertificateBuilder leafExtensions(X509v3CertificateBuilder b) {
    try {
      return b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature))
          .addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_clientAuth));
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private static X509Certificate sign(X509v3CertificateBuilder b, PrivateKey key, String algorithm) {
    try {
      return new JcaX509CertificateConverter().getCertificate(b.build(new JcaContentSignerBuilder(algorithm).build(key)));
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private static X500Name name(String commonName) {
    return new X500NameBuilder(BCStyle.INSTANCE).addRDN(BCStyle.O, "Test").addRDN(BCStyle.CN, commonName).build();
  }

  private static X500Name deviceName(String deviceId) {
    return new X500NameBuilder(BCStyle.INSTANCE).addRDN(BCStyle.SERIALNUMBER, deviceId).addRDN(BCStyle.CN, "Gateway")
        .build();
  }

  private static BigInteger serial() {
    return new BigInteger(64, RANDOM).setBit(63);
  }
}
