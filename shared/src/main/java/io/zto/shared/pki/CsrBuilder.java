package io.zto.shared.pki;

import java.security.KeyPair;
import java.util.Objects;

import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.DERPrintableString;
import org.bouncycastle.asn1.DERUTF8String;
import org.bouncycastle.asn1.x500.RDN;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;
import org.bouncycastle.pkcs.PKCS10CertificationRequestBuilder;

/**
 * Builds PKCS#10 requests as a device does (device simulator, tests), signed with Bouncy Castle's
 * lightweight signers. One builder per request.
 */
public final class CsrBuilder {

  private final KeyPair keyPair;
  private X500Name subject = new X500Name(new RDN[0]);
  private String challengePassword;
  private String otpChallenge;

  /** A request for {@code keyPair} (EC, RSA or Ed25519), signed with its private key. */
  public CsrBuilder(KeyPair keyPair) {
    this.keyPair = Objects.requireNonNull(keyPair);
  }

  /** Subject {@code CN=<commonName>}. */
  public CsrBuilder commonName(String commonName) {
    return subject(new X500NameBuilder(BCStyle.INSTANCE).addRDN(BCStyle.CN, commonName).build());
  }

  /** Any subject. */
  public CsrBuilder subject(X500Name subject) {
    this.subject = subject;
    return this;
  }

  /** Adds the PKCS#9 challengePassword attribute. */
  public CsrBuilder challengePassword(String challenge) {
    this.challengePassword = challenge;
    return this;
  }

  /** Adds RFC 7894's otpChallenge attribute. */
  public CsrBuilder otpChallenge(String challenge) {
    this.otpChallenge = challenge;
    return this;
  }

  /** Signs the request. */
  public PKCS10CertificationRequest build() {
    var builder = new PKCS10CertificationRequestBuilder(subject,
        SubjectPublicKeyInfo.getInstance(keyPair.getPublic().getEncoded()));
    if (challengePassword != null) {
      builder.addAttribute(CsrChecks.CHALLENGE_PASSWORD, directoryString(challengePassword));
    }
    if (otpChallenge != null) {
      builder.addAttribute(CsrChecks.OTP_CHALLENGE, directoryString(otpChallenge));
    }
    return builder.build(SigningKey.of(keyPair.getPrivate()).newSigner());
  }

  // PrintableString where it fits (the most compatible form); UTF8String otherwise, e.g. for
  // base64url challenges whose '_' PrintableString cannot carry
  private static ASN1Encodable directoryString(String value) {
    return DERPrintableString.isPrintableString(value) ? new DERPrintableString(value) : new DERUTF8String(value);
  }
}
