package io.zto.shared.pki;

import java.util.Optional;

import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.ASN1String;
import org.bouncycastle.asn1.pkcs.Attribute;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.operator.ContentVerifierProvider;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;
import org.bouncycastle.pkcs.PKCSException;

/**
 * Checks a PKCS#10 request before anything is issued for it: the key type is acceptable
 * ({@link KeyPolicy}) and the request's signature verifies with its own key, which proves that
 * the requester holds the private key. Uses Bouncy Castle's lightweight verifiers (no JCE
 * provider). Blocking (CPU: about 0.2 ms for P-256, several ms for large RSA keys): call it
 * from a worker thread, together with issuing.
 */
public final class CsrChecks {

  /** PKCS#9 challengePassword. */
  public static final ASN1ObjectIdentifier CHALLENGE_PASSWORD = PKCSObjectIdentifiers.pkcs_9_at_challengePassword;
  /** RFC 7894 id-aa-otpChallenge. */
  public static final ASN1ObjectIdentifier OTP_CHALLENGE = new ASN1ObjectIdentifier("1.2.840.113549.1.9.16.2.56");

  private CsrChecks() {
  }

  /**
   * Checks key type and proof of possession and reads the challenge attributes.
   *
   * @throws CsrRejectedException with the reason if the request is not acceptable
   */
  public static CheckedCsr check(PKCS10CertificationRequest csr) {
    SubjectPublicKeyInfo publicKey = csr.getSubjectPublicKeyInfo();
    if (publicKey == null) {
      throw new CsrRejectedException("The CSR has no public key");
    }
    KeyPolicy.refusal(publicKey).ifPresent(reason -> {
      throw new CsrRejectedException(reason);
    });
    verifySignature(csr, publicKey);
    return new CheckedCsr(csr, csr.getSubject(), publicKey, KeyPolicy.describe(publicKey),
        stringAttribute(csr, CHALLENGE_PASSWORD, "challengePassword"),
        stringAttribute(csr, OTP_CHALLENGE, "otpChallenge"));
  }

  private static void verifySignature(PKCS10CertificationRequest csr, SubjectPublicKeyInfo publicKey) {
    boolean valid;
    try {
      ContentVerifierProvider verifier = Verifiers.forKey(publicKey);
      valid = csr.isSignatureValid(verifier);
    } catch (PKCSException | RuntimeException e) {
      // e.g. a signature algorithm that does not fit the key (RSA signature on an EC key)
      throw new CsrRejectedException("The CSR signature cannot be checked (" + e.getMessage()
          + "): it must be signed with the private key of the public key it carries", e);
    }
    if (!valid) {
      throw new CsrRejectedException("The CSR signature does not verify with the CSR's public key"
          + " (no proof of possession): it was altered or signed with another key");
    }
  }

  private static Optional<String> stringAttribute(PKCS10CertificationRequest csr, ASN1ObjectIdentifier type, String name) {
    Attribute[] attributes = csr.getAttributes(type);
    if (attributes.length == 0) {
      return Optional.empty();
    }
    if (attributes.length > 1 || attributes[0].getAttrValues().size() != 1) {
      throw new CsrRejectedException("The CSR has more than one " + name + " value");
    }
    ASN1Encodable value = attributes[0].getAttrValues().getObjectAt(0);
    if (!(value instanceof ASN1String text)) {
      throw new CsrRejectedException("The CSR's " + name + " is not a string (DirectoryString)");
    }
    return Optional.of(text.getString());
  }
}
