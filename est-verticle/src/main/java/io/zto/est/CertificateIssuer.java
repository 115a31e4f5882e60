package io.zto.est;

import io.vertx.core.Future;
import io.zto.shared.config.EstConfig;
import io.zto.shared.config.HttpConfig;
import io.zto.shared.domain.IssuedCertificate;
import io.zto.shared.pki.CertificateAuthority;
import io.zto.shared.pki.Der;
import io.zto.shared.pki.Fingerprints;
import io.zto.shared.pki.PlatformPki;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.Optional;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;

/**
 * Signs operational certificates on the crypto pool and commits their row before anyone sees them, so
 * a certificate a device holds is always one the platform knows (and can revoke).
 */
final class CertificateIssuer {

  /** Path of the issuing CA certificate (DER) on the operator listener, the AIA caIssuers URL. */
  static final String CA_ISSUERS_PATH = "/ca/" + PlatformPki.ISSUING_CA + ".crt";

  private final EstServices services;
  private final CertificateAuthority ca;

  CertificateIssuer(EstServices services) {
    this.services = services;
    HttpConfig http = services.platform.config().http();
    this.ca = services.platform.pki().certificateAuthority(http.crlUrl(PlatformPki.ISSUING_CA),
        http.url(CA_ISSUERS_PATH));
  }

  /** Issues for the key and stores the row; the certificate once committed. */
  Future<X509Certificate> issue(SubjectPublicKeyInfo publicKey, String deviceId, EstConfig.Profile profile) {
    return services.work(() -> ca.issue(publicKey, deviceId, profile.validity()))
        .compose(certificate -> services.certificates.insert(record(certificate, publicKey, deviceId, profile))
            .map(certificate));
  }

  /**
   * Issues in place of the certificate {@code presented} ({@code simplereenroll}): the new row is stored and
   * the presented certificate revoked as superseded in one transaction, so a device never holds two valid
   * certificates from a re-enrollment and a crash leaves neither half. Empty, with the signed certificate
   * thrown away, if the presented certificate was revoked or superseded meanwhile (a concurrent request
   * with it won).
   */
  Future<Optional<X509Certificate>> supersede(SubjectPublicKeyInfo publicKey, String deviceId,
                                              EstConfig.Profile profile, String presented) {
    return services.work(() -> ca.issue(publicKey, deviceId, profile.validity()))
        .compose(certificate -> services.certificates.supersede(record(certificate, publicKey, deviceId, profile),
                presented, Instant.now())
            .map(revoked -> revoked.map(ignored -> certificate)));
  }

  private static IssuedCertificate record(X509Certificate certificate, SubjectPublicKeyInfo publicKey, String deviceId,
                                          EstConfig.Profile profile) {
    return IssuedCertificate.issued(certificate.getSerialNumber().toString(16), deviceId, PlatformPki.ISSUING_CA,
        certificate.getSubjectX500Principal().getName(), profile.name(), Fingerprints.publicKeySha256(publicKey),
        Fingerprints.sha256(certificate), certificate.getNotBefore().toInstant(), certificate.getNotAfter().toInstant(),
        Der.encode(certificate));
  }

  /** A stored certificate by serial (a retry's answer). */
  Future<X509Certificate> stored(String serial) {
    return services.certificates.get(serial).map(found -> Der.certificate(found
        .orElseThrow(() -> new IllegalStateException("certificate " + serial + " is recorded but missing")).der()));
  }
}
