package io.zto.shared.pki;

import java.security.cert.X509Certificate;

import org.bouncycastle.asn1.ASN1OctetString;
import org.bouncycastle.asn1.x509.AuthorityKeyIdentifier;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.SubjectKeyIdentifier;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.cert.bc.BcX509ExtensionUtils;

/** Subject and authority key identifiers (RFC 5280 §4.2.1.1/4.2.1.2). */
final class KeyIdentifiers {

  private static final BcX509ExtensionUtils UTILS = new BcX509ExtensionUtils();

  private KeyIdentifiers() {
  }

  /** Method 1: SHA-1 of the subjectPublicKey bits. */
  static SubjectKeyIdentifier subjectKeyIdentifier(SubjectPublicKeyInfo publicKey) {
    return UTILS.createSubjectKeyIdentifier(publicKey);
  }

  /**
   * The AKI for things {@code issuer} signs: its own SKI when present, so that chains build even
   * with operator CAs whose SKI was computed another way; else computed from its key.
   */
  static AuthorityKeyIdentifier authorityKeyIdentifier(X509Certificate issuer) {
    byte[] extension = issuer.getExtensionValue(Extension.subjectKeyIdentifier.getId());
    if (extension != null) {
      try {
        byte[] inner = ASN1OctetString.getInstance(extension).getOctets();
        return new AuthorityKeyIdentifier(ASN1OctetString.getInstance(inner).getOctets());
      } catch (RuntimeException malformed) {
        // fall through to computing it from the key
      }
    }
    return UTILS.createAuthorityKeyIdentifier(SubjectPublicKeyInfo.getInstance(issuer.getPublicKey().getEncoded()));
  }
}
