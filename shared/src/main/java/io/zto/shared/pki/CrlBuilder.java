package io.zto.shared.pki;

import java.io.IOException;
import java.math.BigInteger;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.Collection;
import java.util.Date;
import java.util.Objects;

import org.bouncycastle.asn1.ASN1Integer;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.AuthorityKeyIdentifier;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.cert.X509v2CRLBuilder;

/**
 * Issues X.509 v2 CRLs (RFC 5280 §5) signed by a CA, with the CRL number and authority key
 * identifier extensions. Thread-safe; the key is converted for Bouncy Castle once.
 * Blocking (CPU, linear in the number of entries): call from a worker thread.
 */
public final class CrlBuilder {

  private final X509Certificate caCertificate;
  private final SigningKey caKey;
  private final X500Name issuer;
  private final AuthorityKeyIdentifier authorityKeyIdentifier;

  /**
   * @param caCertificate the CA whose certificates the CRL covers (it signs the CRL itself)
   * @param caKey its private key
   */
  public CrlBuilder(X509Certificate caCertificate, PrivateKey caKey) {
    this.caCertificate = Objects.requireNonNull(caCertificate, "caCertificate");
    this.caKey = SigningKey.of(caKey);
    this.issuer = X500Name.getInstance(caCertificate.getSubjectX500Principal().getEncoded());
    this.authorityKeyIdentifier = KeyIdentifiers.authorityKeyIdentifier(caCertificate);
    boolean[] keyUsage = caCertificate.getKeyUsage();
    if (keyUsage != null && (keyUsage.length < 7 || !keyUsage[6])) {
      throw new IllegalArgumentException("The CA certificate " + caCertificate.getSubjectX500Principal() + " lacks keyUsage cRLSign");
    }
  }

  /** The CA this builder signs for. */
  public X509Certificate caCertificate() {
    return caCertificate;
  }

  /**
   * Builds and signs a CRL.
   *
   * @param crlNumber monotonically increasing CRL number (RFC 5280 §5.2.3)
   * @param thisUpdate issue time
   * @param nextUpdate when the next CRL will be issued at the latest
   * @param entries revoked certificates
   * @return the DER-encoded CRL
   */
  public byte[] build(BigInteger crlNumber, Instant thisUpdate, Instant nextUpdate, Collection<RevokedCertificate> entries) {
    if (crlNumber.signum() < 0) {
      throw new IllegalArgumentException("CRL number must not be negative");
    }
    if (!nextUpdate.isAfter(thisUpdate)) {
      throw new IllegalArgumentException("nextUpdate " + nextUpdate + " must be after thisUpdate " + thisUpdate);
    }
    X509v2CRLBuilder builder = new X509v2CRLBuilder(issuer, Date.from(thisUpdate));
    builder.setNextUpdate(Date.from(nextUpdate));
    for (RevokedCertificate entry : entries) {
      // Bouncy Castle leaves the reasonCode extension out for 0 (unspecified), as RFC 5280 §5.3.1 asks
      builder.addCRLEntry(entry.serial(), Date.from(entry.revokedAt()), entry.reason().code());
    }
    try {
      builder.addExtension(Extension.cRLNumber, false, new ASN1Integer(crlNumber));
      builder.addExtension(Extension.authorityKeyIdentifier, false, authorityKeyIdentifier);
      return builder.build(caKey.newSigner()).getEncoded();
    } catch (IOException e) {
      throw new IllegalStateException("Cannot encode CRL", e);
    }
  }
}
