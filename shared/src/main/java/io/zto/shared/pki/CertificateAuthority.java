package io.zto.shared.pki;

import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;

/**
 * Issues operational device certificates (contract §2) from the issuing CA; this is what the EST
 * server calls. Thread-safe; the CA key is converted for Bouncy Castle once, at construction.
 *
 * <p>Profile of an issued certificate:
 * <ul>
 *   <li>subject {@code CN=<deviceId>} and nothing else: the device id is the only identity the
 *       platform vouches for, whatever else the CSR asked for;</li>
 *   <li>a random positive 128-bit serial ({@link Serials#random()});</li>
 *   <li>notBefore 5 minutes in the past (devices with slightly slow clocks), notAfter after the
 *       requested validity but never after the issuing CA's own notAfter;</li>
 *   <li>keyUsage {@code digitalSignature} only, for every key type: a TLS 1.2/1.3 client proves
 *       its identity with a signature. keyAgreement (EC) and keyEncipherment (RSA) would only
 *       serve static-ECDH and RSA-key-transport cipher suites, which the platform does not offer,
 *       so leaving them out keeps the certificate single-purpose;</li>
 *   <li>EKU clientAuth; basicConstraints CA:false; SKI/AKI; CRL distribution point and AIA
 *       caIssuers URLs pointing at the platform.</li>
 * </ul>
 * Blocking (CPU, about 0.1 ms per certificate with Bouncy Castle): call from a worker thread.
 */
public final class CertificateAuthority {

  /** How far notBefore is backdated to tolerate device clock skew. */
  public static final Duration BACKDATE = Duration.ofMinutes(5);

  private final X509Certificate caCertificate;
  private final SigningKey caKey;
  private final String crlUrl;
  private final String caIssuersUrl;
  private final Clock clock;

  /**
   * @param caCertificate the issuing CA certificate
   * @param caKey its private key
   * @param crlUrl the CRL distribution point, e.g. {@code http://host:8080/crl/issuing.crl}
   * @param caIssuersUrl the AIA caIssuers URL, e.g. {@code http://host:8080/ca/issuing.crt}
   */
  public CertificateAuthority(X509Certificate caCertificate, PrivateKey caKey, String crlUrl, String caIssuersUrl) {
    this(caCertificate, caKey, crlUrl, caIssuersUrl, Clock.systemUTC());
  }

  /** As above with a clock, for tests. */
  public CertificateAuthority(X509Certificate caCertificate, PrivateKey caKey, String crlUrl, String caIssuersUrl, Clock clock) {
    this.caCertificate = Objects.requireNonNull(caCertificate, "caCertificate");
    this.caKey = SigningKey.of(Objects.requireNonNull(caKey, "caKey"));
    this.crlUrl = Objects.requireNonNull(crlUrl, "crlUrl");
    this.caIssuersUrl = Objects.requireNonNull(caIssuersUrl, "caIssuersUrl");
    this.clock = clock;
    if (caCertificate.getBasicConstraints() < 0) {
      throw new IllegalArgumentException("The issuing certificate " + caCertificate.getSubjectX500Principal() + " is not a CA certificate");
    }
  }

  /** The issuing CA certificate. */
  public X509Certificate caCertificate() {
    return caCertificate;
  }

  /** The CRL distribution point put into certificates. */
  public String crlUrl() {
    return crlUrl;
  }

  /** The AIA caIssuers URL put into certificates. */
  public String caIssuersUrl() {
    return caIssuersUrl;
  }

  /** Issues for a request already checked with {@link CsrChecks#check}. */
  public X509Certificate issue(CheckedCsr csr, String deviceId, Duration validity) {
    return issue(csr.publicKey(), deviceId, validity);
  }

  /**
   * Checks the request ({@link CsrChecks#check}: key type, proof of possession) and issues.
   *
   * @throws CsrRejectedException if the request is not acceptable
   */
  public X509Certificate issue(PKCS10CertificationRequest csr, String deviceId, Duration validity) {
    return issue(CsrChecks.check(csr), deviceId, validity);
  }

  /** Issues for a JDK public key (server-side key generation). */
  public X509Certificate issue(PublicKey publicKey, String deviceId, Duration validity) {
    return issue(SubjectPublicKeyInfo.getInstance(publicKey.getEncoded()), deviceId, validity);
  }

  /**
   * Issues an operational certificate for {@code publicKey}.
   *
   * @param validity how long from now; at least one second
   * @throws InvalidDeviceIdException if {@code deviceId} is not a valid device id
   * @throws CsrRejectedException if the key type is not accepted ({@link KeyPolicy})
   */
  public X509Certificate issue(SubjectPublicKeyInfo publicKey, String deviceId, Duration validity) {
    DeviceIds.requireValid(deviceId, "device id");
    KeyPolicy.refusal(publicKey).ifPresent(reason -> {
      throw new CsrRejectedException(reason);
    });
    if (validity.compareTo(Duration.ofSeconds(1)) < 0) {
      throw new IllegalArgumentException("validity must be at least one second, got " + validity);
    }
    Instant now = clock.instant();
    Instant notAfter = min(now.plus(validity), caCertificate.getNotAfter().toInstant());
    return new CertificateBuilder()
        .subject(new X500NameBuilder(BCStyle.INSTANCE).addRDN(BCStyle.CN, deviceId).build())
        .publicKey(publicKey)
        .issuer(caCertificate, caKey)
        .validity(now.minus(BACKDATE), notAfter)
        .keyUsage(KeyUsage.digitalSignature)
        .extendedKeyUsage(KeyPurposeId.id_kp_clientAuth)
        .crlDistributionPoint(crlUrl)
        .caIssuers(caIssuersUrl)
        .build();
  }

  /** The chain to hand out with an issued certificate: the issuing CA (EST returns it with cacerts). */
  public List<X509Certificate> chain() {
    return List.of(caCertificate);
  }

  private static Instant min(Instant a, Instant b) {
    return a.isBefore(b) ? a : b;
  }
}
