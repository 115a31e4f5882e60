package io.zto.shared.pki;

import io.zto.shared.domain.RevocationReason;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayInputStream;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CRLReason;
import java.security.cert.CertificateFactory;
import java.security.cert.X509CRL;
import java.security.cert.X509CRLEntry;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;

import org.bouncycastle.asn1.ASN1Integer;
import org.bouncycastle.asn1.ASN1OctetString;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.zto.shared.testing.Openssl;
import io.zto.shared.testing.TestPki;

class CrlBuilderTest {

  private final PlatformPki pki = TestPki.shared();

  @TempDir
  Path temp;

  @Test
  void crlParsesVerifiesAndListsEntriesWithReasons() throws Exception {
    // GIVEN two revoked certificates, one for key compromise, one without a stated reason
    BigInteger compromised = Serials.random();
    BigInteger retired = Serials.random();
    Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
    byte[] der = pki.crlBuilder().build(BigInteger.valueOf(42), now, now.plus(Duration.ofHours(1)), List.of(
        new RevokedCertificate(compromised, now.minusSeconds(60), RevocationReason.KEY_COMPROMISE),
        new RevokedCertificate(retired, now.minusSeconds(30), RevocationReason.UNSPECIFIED)));

    // WHEN the JDK parses it
    X509CRL crl = (X509CRL) CertificateFactory.getInstance("X.509").generateCRL(new ByteArrayInputStream(der));

    // THEN it is a v2 CRL of the issuing CA that verifies with the CA key
    crl.verify(pki.issuingCertificate().getPublicKey());
    assertThat(crl.getVersion()).isEqualTo(2);
    assertThat(crl.getIssuerX500Principal()).isEqualTo(pki.issuingCertificate().getSubjectX500Principal());
    assertThat(crl.getThisUpdate().toInstant()).isEqualTo(now);
    assertThat(crl.getNextUpdate().toInstant()).isEqualTo(now.plus(Duration.ofHours(1)));
    // AND it lists both serials, with the reason only where one was given
    X509CRLEntry first = crl.getRevokedCertificate(compromised);
    assertThat(first.getRevocationReason()).isEqualTo(CRLReason.KEY_COMPROMISE);
    assertThat(first.getRevocationDate().toInstant()).isEqualTo(now.minusSeconds(60));
    assertThat(crl.getRevokedCertificate(retired).getRevocationReason()).isNull();
    assertThat(crl.getRevokedCertificates()).hasSize(2);
    // AND it has CRL number 42 and an AKI
    byte[] crlNumber = ASN1OctetString.getInstance(crl.getExtensionValue("2.5.29.20")).getOctets();
    assertThat(ASN1Integer.getInstance(crlNumber).getValue()).isEqualTo(42);
    assertThat(crl.getExtensionValue("2.5.29.35")).isNotNull();
  }

  @Test
  void emptyCrlIsValid() throws Exception {
    Instant now = Instant.now();
    byte[] der = pki.crlBuilder().build(BigInteger.ONE, now, now.plus(Duration.ofDays(1)), List.of());
    X509CRL crl = (X509CRL) CertificateFactory.getInstance("X.509").generateCRL(new ByteArrayInputStream(der));
    crl.verify(pki.issuingCertificate().getPublicKey());
    assertThat(crl.getRevokedCertificates()).isNull();
  }

  @Test
  void opensslReadsAndVerifiesTheCrl() throws Exception {
    assumeTrue(Openssl.available(), "openssl not on PATH");
    // GIVEN a DER CRL with one key-compromise entry
    BigInteger serial = new BigInteger("0123456789abcdef0123456789abcdef", 16);
    Instant now = Instant.now();
    Files.write(temp.resolve("issuing.crl"), pki.crlBuilder().build(BigInteger.valueOf(7), now, now.plus(Duration.ofDays(1)),
        List.of(new RevokedCertificate(serial, now, RevocationReason.KEY_COMPROMISE))));

    // WHEN openssl prints it and checks its signature against the issuing CA
    var result = Openssl.run(temp, "crl", "-inform", "DER", "-in", "issuing.crl", "-noout", "-text",
        "-CAfile", pki.layout().issuingCaPem().toString());

    // THEN it shows the number, the serial and the reason, and the signature is OK
    assertThat(result.exitCode()).as(result.output()).isZero();
    assertThat(result.output())
        .contains("verify OK")
        .contains("X509v3 CRL Number: \n                7")
        .containsIgnoringCase("Serial Number: 0123456789ABCDEF0123456789ABCDEF")
        .contains("Key Compromise");
  }
}
