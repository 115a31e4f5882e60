package io.zto.shared.pki;

import java.math.BigInteger;
import java.security.PublicKey;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Objects;

import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.AccessDescription;
import org.bouncycastle.asn1.x509.AuthorityInformationAccess;
import org.bouncycastle.asn1.x509.AuthorityKeyIdentifier;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.CRLDistPoint;
import org.bouncycastle.asn1.x509.DistributionPoint;
import org.bouncycastle.asn1.x509.DistributionPointName;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.asn1.x509.SubjectKeyIdentifier;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.cert.CertIOException;
import org.bouncycastle.cert.X509v3CertificateBuilder;

/**
 * Builds and signs an X.509 v3 certificate with Bouncy Castle's lightweight API. One builder per
 * certificate; not thread-safe. The profiles (device, CA, server, command signing) live in
 * {@link CertificateAuthority} and {@link PlatformPki}; this class only knows RFC 5280.
 *
 * <p>Always added: SKI (RFC 5280 method 1, SHA-1 of the key), AKI (the issuer's SKI, so chains
 * build even with operator CAs whose SKI was computed another way), basicConstraints (critical),
 * keyUsage (critical). Optional: EKU, SAN, CRL distribution point, AIA caIssuers.
 */
public final class CertificateBuilder {

  private X500Name subject;
  private SubjectPublicKeyInfo publicKey;
  private X509Certificate issuer;
  private SigningKey signingKey;
  private BigInteger serial;
  private Instant notBefore;
  private Instant notAfter;
  private Integer pathLength;
  private boolean ca;
  private int keyUsage;
  private final List<KeyPurposeId> extendedKeyUsages = new ArrayList<>();
  private final List<GeneralName> subjectAltNames = new ArrayList<>();
  private String crlUrl;
  private String caIssuersUrl;

  /** Subject distinguished name, e.g. {@code new X500Name("CN=dev-0001")}. */
  public CertificateBuilder subject(X500Name subject) {
    this.subject = subject;
    return this;
  }

  /** The key being certified. */
  public CertificateBuilder publicKey(SubjectPublicKeyInfo publicKey) {
    this.publicKey = publicKey;
    return this;
  }

  /** The key being certified, from a JDK key. */
  public CertificateBuilder publicKey(PublicKey publicKey) {
    return publicKey(SubjectPublicKeyInfo.getInstance(publicKey.getEncoded()));
  }

  /** The issuing CA and its key. Without a call the certificate is self-signed with {@link #selfSigned}. */
  public CertificateBuilder issuer(X509Certificate issuerCertificate, SigningKey issuerKey) {
    this.issuer = issuerCertificate;
    this.signingKey = issuerKey;
    return this;
  }

  /** Self-signed: the subject is also the issuer, signed by the subject's own key. */
  public CertificateBuilder selfSigned(SigningKey ownKey) {
    this.issuer = null;
    this.signingKey = ownKey;
    return this;
  }

  /** Serial number; default: {@link Serials#random()}. */
  public CertificateBuilder serial(BigInteger serial) {
    this.serial = serial;
    return this;
  }

  /** Validity from {@code notBefore} for {@code duration}. */
  public CertificateBuilder validity(Instant notBefore, Duration duration) {
    return validity(notBefore, notBefore.plus(duration));
  }

  /** Validity period (inclusive bounds, second precision on the wire). */
  public CertificateBuilder validity(Instant notBefore, Instant notAfter) {
    this.notBefore = notBefore;
    this.notAfter = notAfter;
    return this;
  }

  /** Makes it a CA with the given path length constraint ({@code null}: unlimited). */
  public CertificateBuilder ca(Integer pathLength) {
    this.ca = true;
    this.pathLength = pathLength;
    return this;
  }

  /** Key usage bits, e.g. {@code KeyUsage.digitalSignature | KeyUsage.keyCertSign}. */
  public CertificateBuilder keyUsage(int bits) {
    this.keyUsage = bits;
    return this;
  }

  /** Adds an extended key usage, e.g. {@link KeyPurposeId#id_kp_clientAuth}. */
  public CertificateBuilder extendedKeyUsage(KeyPurposeId purpose) {
    this.extendedKeyUsages.add(purpose);
    return this;
  }

  /** Adds a DNS name, or an IP address if {@code host} is an IPv4/IPv6 literal. */
  public CertificateBuilder subjectAltName(String host) {
    this.subjectAltNames.add(HostNames.generalName(host));
    return this;
  }

  /** Adds any subject alternative name (e.g. an otherName). */
  public CertificateBuilder subjectAltName(GeneralName name) {
    this.subjectAltNames.add(name);
    return this;
  }

  /** CRL distribution point URL (full name), or {@code null} for none. */
  public CertificateBuilder crlDistributionPoint(String url) {
    this.crlUrl = url;
    return this;
  }

  /** AIA caIssuers URL, or {@code null} for none. */
  public CertificateBuilder caIssuers(String url) {
    this.caIssuersUrl = url;
    return this;
  }

  /** Signs and returns the certificate as a JDK object. */
  public X509Certificate build() {
    Objects.requireNonNull(subject, "subject");
    Objects.requireNonNull(publicKey, "publicKey");
    Objects.requireNonNull(signingKey, "issuer or selfSigned");
    Objects.requireNonNull(notBefore, "validity");
    if (!notAfter.isAfter(notBefore)) {
      throw new IllegalArgumentException("notAfter " + notAfter + " is not after notBefore " + notBefore);
    }
    X500Name issuerName = issuer == null ? subject : X500Name.getInstance(issuer.getSubjectX500Principal().getEncoded());
    var builder = new X509v3CertificateBuilder(issuerName, serial == null ? Serials.random() : serial,
        Date.from(notBefore), Date.from(notAfter), subject, publicKey);
    try {
      addExtensions(builder);
    } catch (CertIOException e) {
      throw new IllegalStateException("Cannot encode certificate extensions", e);
    }
    return Der.certificate(builder.build(signingKey.newSigner()));
  }

  private void addExtensions(X509v3CertificateBuilder builder) throws CertIOException {
    SubjectKeyIdentifier ski = KeyIdentifiers.subjectKeyIdentifier(publicKey);
    builder.addExtension(Extension.subjectKeyIdentifier, false, ski);
    builder.addExtension(Extension.authorityKeyIdentifier, false, authorityKeyIdentifier(ski));
    builder.addExtension(Extension.basicConstraints, true,
        ca ? (pathLength == null ? new BasicConstraints(true) : new BasicConstraints(pathLength)) : new BasicConstraints(false));
    if (keyUsage != 0) {
      builder.addExtension(Extension.keyUsage, true, new KeyUsage(keyUsage));
    }
    if (!extendedKeyUsages.isEmpty()) {
      builder.addExtension(Extension.extendedKeyUsage, false,
          new ExtendedKeyUsage(extendedKeyUsages.toArray(KeyPurposeId[]::new)));
    }
    if (!subjectAltNames.isEmpty()) {
      // critical only when the subject is empty (RFC 5280 4.2.1.6)
      builder.addExtension(Extension.subjectAlternativeName, subject.getRDNs().length == 0,
          new GeneralNames(subjectAltNames.toArray(GeneralName[]::new)));
    }
    if (crlUrl != null) {
      var name = new DistributionPointName(new GeneralNames(new GeneralName(GeneralName.uniformResourceIdentifier, crlUrl)));
      builder.addExtension(Extension.cRLDistributionPoints, false,
          new CRLDistPoint(new DistributionPoint[] {new DistributionPoint(name, null, null)}));
    }
    if (caIssuersUrl != null) {
      builder.addExtension(Extension.authorityInfoAccess, false, new AuthorityInformationAccess(
          new AccessDescription(AccessDescription.id_ad_caIssuers,
              new GeneralName(GeneralName.uniformResourceIdentifier, caIssuersUrl))));
    }
  }

  private AuthorityKeyIdentifier authorityKeyIdentifier(SubjectKeyIdentifier ownSki) {
    return issuer == null
        ? new AuthorityKeyIdentifier(ownSki.getKeyIdentifier())
        : KeyIdentifiers.authorityKeyIdentifier(issuer);
  }
}
