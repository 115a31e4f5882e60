package io.zto.shared.pki;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.cert.CertPathValidator;
import java.security.cert.CertificateFactory;
import java.security.cert.PKIXCertPathValidatorResult;
import java.security.cert.PKIXParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.zto.shared.testing.Openssl;
import io.zto.shared.testing.TestPki;

class CertificateAuthorityTest {

  private final PlatformPki pki = TestPki.shared();
  private final CertificateAuthority ca = TestPki.authority(pki);

  @TempDir
  Path temp;

  @Test
  void issuedCertificateValidatesAgainstTheRootWithJdkPkix() throws Exception {
    // GIVEN a checked CSR for a new P-256 key
    CheckedCsr csr = CsrChecks.check(TestPki.csr("whatever-the-device-asked"));

    // WHEN a certificate is issued for device dev-0001
    X509Certificate certificate = ca.issue(csr, "dev-0001", Duration.ofDays(30));

    // THEN the JDK's PKIX validator accepts certificate -> issuing -> root
    var path = CertificateFactory.getInstance("X.509").generateCertPath(List.of(certificate, pki.issuingCertificate()));
    var parameters = new PKIXParameters(Set.of(new TrustAnchor(pki.rootCertificate(), null)));
    parameters.setRevocationEnabled(false);
    var result = (PKIXCertPathValidatorResult) CertPathValidator.getInstance("PKIX").validate(path, parameters);
    assertThat(result.getTrustAnchor().getTrustedCert()).isEqualTo(pki.rootCertificate());
    // AND the subject is CN=<device id> only, whatever the CSR asked for
    assertThat(certificate.getSubjectX500Principal().getName()).isEqualTo("CN=dev-0001");
    assertThat(DeviceIds.fromCertificate(certificate).value()).isEqualTo("dev-0001");
    assertThat(certificate.getPublicKey().getEncoded()).isEqualTo(csr.publicKey().getEncoded());
  }

  @Test
  void issuedCertificateHasTheOperationalProfile() throws Exception {
    // WHEN a certificate is issued
    Instant before = Instant.now();
    X509Certificate certificate = ca.issue(KeyPairs.ecP256().getPublic(), "dev-0002", Duration.ofSeconds(3600));

    // THEN it is a client-auth end entity with digitalSignature only
    assertThat(certificate.getExtendedKeyUsage()).containsExactly("1.3.6.1.5.5.7.3.2");
    assertThat(certificate.getBasicConstraints()).isEqualTo(-1);
    assertThat(certificate.getKeyUsage()).startsWith(true, false, false, false, false, false, false);
    assertThat(certificate.getCriticalExtensionOIDs()).contains("2.5.29.15", "2.5.29.19");
    // AND it has SKI and AKI = the issuing CA's SKI
    assertThat(certificate.getExtensionValue("2.5.29.14")).isNotNull();
    String issuingSki = keyId(pki.issuingCertificate().getExtensionValue("2.5.29.14"));
    assertThat(keyId(certificate.getExtensionValue("2.5.29.35"))).endsWith(issuingSki.substring(issuingSki.length() - 40));
    // AND the validity is the requested one, backdated by 5 minutes
    assertThat(certificate.getNotBefore().toInstant()).isBefore(before.minus(Duration.ofMinutes(4)));
    assertThat(Duration.between(before, certificate.getNotAfter().toInstant()).toMinutes()).isBetween(59L, 60L);
    // AND the CRL DP and AIA URLs are there
    String text = new String(certificate.getEncoded(), java.nio.charset.StandardCharsets.ISO_8859_1);
    assertThat(text).contains(TestPki.CRL_URL).contains(TestPki.CA_ISSUERS_URL);
  }

  @Test
  void serialsArePositiveWithAtLeast64BitsAndDistinct() {
    // WHEN 2,000 certificates are issued
    Set<BigInteger> serials = new HashSet<>();
    KeyPair key = KeyPairs.ecP256();
    for (int i = 0; i < 2000; i++) {
      BigInteger serial = ca.issue(key.getPublic(), "dev-" + i, Duration.ofDays(1)).getSerialNumber();
      // THEN each serial is positive, has >= 64 significant bits and fits in 20 octets
      assertThat(serial.signum()).isPositive();
      assertThat(serial.bitLength()).isBetween(64, 159);
      serials.add(serial);
    }
    // AND they are all different
    assertThat(serials).hasSize(2000);
  }

  @Test
  void validityNeverExceedsTheIssuingCa() {
    // WHEN a certificate of 100 years is asked for
    X509Certificate certificate = ca.issue(KeyPairs.ecP256().getPublic(), "dev-long", Duration.ofDays(36500));

    // THEN it ends with the issuing CA
    assertThat(certificate.getNotAfter()).isEqualTo(pki.issuingCertificate().getNotAfter());
  }

  @Test
  void invalidDeviceIdOrKeyIsRefused() {
    assertThatThrownBy(() -> ca.issue(KeyPairs.ecP256().getPublic(), "dev 1", Duration.ofDays(1)))
        .isInstanceOf(InvalidDeviceIdException.class).hasMessageContaining("'dev 1'").hasMessageContaining("U+0020");
    assertThatThrownBy(() -> ca.issue(KeyPairs.rsa(1024).getPublic(), "dev-1", Duration.ofDays(1)))
        .isInstanceOf(CsrRejectedException.class).hasMessageContaining("RSA 1024");
  }

  @Test
  void opensslVerifiesTheChainAndShowsTheUrls() throws Exception {
    assumeTrue(Openssl.available(), "openssl not on PATH");
    // GIVEN an issued certificate and the CA files of the data dir
    X509Certificate certificate = ca.issue(KeyPairs.ecP384().getPublic(), "dev-openssl", Duration.ofDays(7));
    Files.writeString(temp.resolve("cert.pem"), Pem.encode(certificate));

    // WHEN openssl verifies it with the root as the only trust anchor
    var verify = Openssl.run(temp, "verify", "-CAfile", pki.layout().rootCaPem().toString(),
        "-untrusted", pki.layout().issuingCaPem().toString(), "-purpose", "sslclient", "cert.pem");

    // THEN it is OK
    assertThat(verify.output()).contains("cert.pem: OK");
    assertThat(verify.exitCode()).isZero();
    // AND openssl shows the URLs and the EKU
    var text = Openssl.run(temp, "x509", "-in", "cert.pem", "-noout", "-text");
    assertThat(text.output())
        .contains("URI:" + TestPki.CRL_URL)
        .contains("CA Issuers - URI:" + TestPki.CA_ISSUERS_URL)
        .contains("TLS Web Client Authentication")
        .contains("Subject: CN = dev-openssl")
        .contains("CA:FALSE");
  }

  @Test
  void noBouncyCastleJceProviderIsRegistered() {
    // GIVEN certificates issued, CSRs checked and CRLs signed
    ca.issue(CsrChecks.check(TestPki.csr("dev-x")), "dev-x", Duration.ofDays(1));
    pki.crlBuilder().build(BigInteger.ONE, Instant.now(), Instant.now().plusSeconds(60), List.of());

    // THEN Bouncy Castle was used through its lightweight API only
    assertThat(java.security.Security.getProvider("BC")).isNull();
  }

  private static String keyId(byte[] extension) {
    return java.util.HexFormat.of().formatHex(extension);
  }
}
