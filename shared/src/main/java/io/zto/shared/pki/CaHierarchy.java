package io.zto.shared.pki;

import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;

import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;

import io.zto.shared.security.Secrets;

/**
 * The platform's CA keys and certificates.
 *
 * <p>Generated hierarchy ({@link #generate}):
 * <ul>
 *   <li>root CA: EC P-384, 20 years, pathLen 1, keyCertSign + cRLSign;</li>
 *   <li>issuing CA: EC P-256, 10 years, pathLen 0, keyCertSign + cRLSign, signed by the root;
 *       it signs device certificates, the server TLS certificates, CRLs and the command-signing
 *       certificate;</li>
 *   <li>command-signing: EC P-256, 5 years, CA:false, keyUsage digitalSignature, EKU
 *       id-kp-codeSigning, signed by the issuing CA. It signs ES256 JWS remote-management commands.
 *       Signed by the issuing CA (not the root) so that the root key signs only once, at start;
 *       the EKU is there so the certificate is <em>not</em> usable as a TLS client or server
 *       certificate (a certificate without EKU would be good for any purpose).</li>
 * </ul>
 * Subjects carry {@code O=zto} and a random installation id as OU so that two installations'
 * roots never share a subject name in one trust store.
 *
 * @param rootCertificate the root CA certificate
 * @param rootKey the root key, or {@code null} when an operator keeps it offline
 * @param issuingCertificate the issuing CA certificate
 * @param issuingKey its key
 * @param commandSigningCertificate the command-signing certificate
 * @param commandSigningKey its key
 */
public record CaHierarchy(
    X509Certificate rootCertificate, PrivateKey rootKey,
    X509Certificate issuingCertificate, PrivateKey issuingKey,
    X509Certificate commandSigningCertificate, PrivateKey commandSigningKey) {

  public static final Duration ROOT_VALIDITY = Duration.ofDays(20 * 365 + 5);
  public static final Duration ISSUING_VALIDITY = Duration.ofDays(10 * 365 + 2);
  public static final Duration COMMAND_SIGNING_VALIDITY = Duration.ofDays(5 * 365 + 1);

  /** The CA chain as devices get it: issuing CA, then root. */
  public List<X509Certificate> caChain() {
    return List.of(issuingCertificate, rootCertificate);
  }

  /**
   * Makes a new hierarchy. Blocking (CPU: key generation and signing, tens of milliseconds).
   */
  public static CaHierarchy generate(Clock clock) {
    Instant now = clock.instant().minus(CertificateAuthority.BACKDATE);
    String installation = HexFormat.of().formatHex(Secrets.randomBytes(4));

    KeyPair root = KeyPairs.ecP384();
    SigningKey rootSigner = SigningKey.of(root.getPrivate());
    X509Certificate rootCertificate = new CertificateBuilder()
        .subject(name("zto Root CA", installation))
        .publicKey(root.getPublic())
        .selfSigned(rootSigner)
        .validity(now, ROOT_VALIDITY)
        .ca(1)
        .keyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign)
        .build();

    KeyPair issuing = KeyPairs.ecP256();
    X509Certificate issuingCertificate = new CertificateBuilder()
        .subject(name("zto Issuing CA", installation))
        .publicKey(issuing.getPublic())
        .issuer(rootCertificate, rootSigner)
        .validity(now, ISSUING_VALIDITY)
        .ca(0)
        .keyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign)
        .build();

    KeyPair commandSigning = KeyPairs.ecP256();
    X509Certificate commandSigningCertificate = new CertificateBuilder()
        .subject(name("zto Command Signing", installation))
        .publicKey(commandSigning.getPublic())
        .issuer(issuingCertificate, SigningKey.of(issuing.getPrivate()))
        .validity(now, COMMAND_SIGNING_VALIDITY)
        .keyUsage(KeyUsage.digitalSignature)
        .extendedKeyUsage(KeyPurposeId.id_kp_codeSigning)
        .build();

    return new CaHierarchy(rootCertificate, root.getPrivate(), issuingCertificate, issuing.getPrivate(),
        commandSigningCertificate, commandSigning.getPrivate());
  }

  /**
   * Checks that the pieces fit: the issuing CA is a CA signed by the root, each key belongs to its
   * certificate, and the command-signing certificate chains to the issuing CA or the root.
   *
   * @param source where the material came from, for the message
   * @throws IllegalStateException with a one-line reason otherwise
   */
  public CaHierarchy validate(String source) {
    if (issuingCertificate.getBasicConstraints() < 0) {
      throw new IllegalStateException(source + ": the issuing certificate " + issuingCertificate.getSubjectX500Principal() + " is not a CA");
    }
    if (!signedBy(issuingCertificate, rootCertificate)) {
      throw new IllegalStateException(source + ": the issuing CA " + issuingCertificate.getSubjectX500Principal()
          + " is not signed by the root " + rootCertificate.getSubjectX500Principal());
    }
    if (!KeyMatch.matches(issuingKey, issuingCertificate)) {
      throw new IllegalStateException(source + ": the issuing private key does not belong to the issuing certificate");
    }
    if (!KeyMatch.matches(commandSigningKey, commandSigningCertificate)) {
      throw new IllegalStateException(source + ": the command-signing private key does not belong to its certificate");
    }
    if (!signedBy(commandSigningCertificate, issuingCertificate) && !signedBy(commandSigningCertificate, rootCertificate)) {
      throw new IllegalStateException(source + ": the command-signing certificate is signed by neither the issuing CA nor the root");
    }
    return this;
  }

  static boolean signedBy(X509Certificate certificate, X509Certificate issuer) {
    if (!certificate.getIssuerX500Principal().equals(issuer.getSubjectX500Principal())) {
      return false;
    }
    try {
      return Der.holder(certificate).isSignatureValid(Verifiers.forKey(Der.holder(issuer).getSubjectPublicKeyInfo()));
    } catch (Exception e) {
      return false;
    }
  }

  private static X500Name name(String commonName, String installation) {
    return new X500NameBuilder(BCStyle.INSTANCE)
        .addRDN(BCStyle.O, "zto")
        .addRDN(BCStyle.OU, "installation " + installation)
        .addRDN(BCStyle.CN, commonName)
        .build();
  }

  @Override
  public String toString() {
    return "CaHierarchy[root=" + rootCertificate.getSubjectX500Principal() + ", issuing=" + issuingCertificate.getSubjectX500Principal() + "]";
  }
}
