package io.zto.shared.pki;

import java.util.Optional;

import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;

/**
 * A PKCS#10 request whose signature (proof of possession) and key type were checked by
 * {@link CsrChecks}, with the attributes EST needs.
 *
 * @param csr the request
 * @param subject its subject
 * @param publicKey its public key
 * @param keyType e.g. "EC P-256", see {@link KeyPolicy#describe}
 * @param challengePassword the PKCS#9 challengePassword (1.2.840.113549.1.9.7), if present
 * @param otpChallenge RFC 7894's otpChallenge (1.2.840.113549.1.9.16.2.56), if present
 */
public record CheckedCsr(
    PKCS10CertificationRequest csr,
    X500Name subject,
    SubjectPublicKeyInfo publicKey,
    String keyType,
    Optional<String> challengePassword,
    Optional<String> otpChallenge) {

  /** The subject's CN if there is exactly one. */
  public Optional<String> commonName() {
    return Names.single(subject, BCStyle.CN);
  }

  /** The challenge: challengePassword, else otpChallenge. */
  public Optional<String> challenge() {
    return challengePassword.or(() -> otpChallenge);
  }

  /** Lowercase hex SHA-256 of the public key (SubjectPublicKeyInfo), e.g. to recognise a retried request. */
  public String publicKeySha256() {
    return Fingerprints.publicKeySha256(publicKey);
  }
}
