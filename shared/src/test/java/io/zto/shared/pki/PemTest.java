package io.zto.shared.pki;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.Base64;
import java.util.List;
import java.util.stream.Stream;

import org.bouncycastle.pkcs.PKCS10CertificationRequest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import io.zto.shared.testing.TestPki;

class PemTest {

  private final PlatformPki pki = TestPki.shared();

  @Test
  void certificateAndChainRoundTrip() {
    // GIVEN the CA chain as PEM
    String pem = Pem.encode(pki.caChain());

    // THEN it reads back in order, and one certificate reads back alone
    assertThat(pem).startsWith("-----BEGIN CERTIFICATE-----\n").endsWith("-----END CERTIFICATE-----\n");
    assertThat(Pem.readCertificates(pem)).containsExactly(pki.issuingCertificate(), pki.rootCertificate());
    assertThat(Pem.readCertificate(Pem.encode(pki.rootCertificate()))).isEqualTo(pki.rootCertificate());
    assertThat(pem.lines().filter(l -> !l.startsWith("-----")).mapToInt(String::length).max().orElseThrow()).isEqualTo(64);
  }

  static Stream<Arguments> keys() {
    return Stream.of(Arguments.of(KeyPairs.ecP256()), Arguments.of(KeyPairs.ecP384()),
        Arguments.of(KeyPairs.rsa(2048)), Arguments.of(KeyPairs.ed25519()));
  }

  @ParameterizedTest
  @MethodSource("keys")
  void privateKeysRoundTripAsPkcs8(KeyPair keyPair) {
    String pem = Pem.encode(keyPair.getPrivate());
    assertThat(pem).startsWith("-----BEGIN PRIVATE KEY-----");
    PrivateKey read = Pem.readPrivateKey(pem);
    assertThat(read.getAlgorithm()).isEqualTo(keyPair.getPrivate().getAlgorithm());
    assertThat(read.getEncoded()).isEqualTo(keyPair.getPrivate().getEncoded());
  }

  @Test
  void csrRoundTripsAndOpensslStyleTextAroundBlocksIsIgnored() {
    PKCS10CertificationRequest csr = TestPki.csr("dev-1");
    String pem = "Bag Attributes\n    friendlyName: x\n" + Pem.encode(csr) + "trailing text\n";
    assertThat(Pem.readCsr(pem)).isEqualTo(csr);
    assertThat(Pem.readCsr(Pem.encode(csr).replace("CERTIFICATE REQUEST", "NEW CERTIFICATE REQUEST"))).isEqualTo(csr);
  }

  @Test
  void crlfAndIndentationAreTolerated() {
    String pem = Pem.encode(pki.rootCertificate()).replace("\n", "\r\n  ");
    assertThat(Pem.readCertificate(pem)).isEqualTo(pki.rootCertificate());
  }

  @Test
  void malformedInputGivesMessagesAPersonUnderstands() {
    String cert = Pem.encode(pki.rootCertificate());
    assertThatThrownBy(() -> Pem.readCertificate(""))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("No PEM data: the input is empty");
    assertThatThrownBy(() -> Pem.readCertificate("hello"))
        .hasMessage("No PEM data found: expected a line like '-----BEGIN CERTIFICATE-----'");
    assertThatThrownBy(() -> Pem.readCertificate(cert.substring(0, cert.indexOf("-----END"))))
        .hasMessage("PEM block #1 (CERTIFICATE) has no '-----END CERTIFICATE-----' line: the text is cut off or mixed up");
    assertThatThrownBy(() -> Pem.readCertificate(cert.replaceFirst("\n(.)", "\n!")))
        .hasMessageStartingWith("PEM block #1 (CERTIFICATE) is not valid base64");
    assertThatThrownBy(() -> Pem.readCertificates(cert + Pem.encode(KeyPairs.ecP256().getPrivate())))
        .hasMessage("PEM block #2 is 'PRIVATE KEY', expected 'CERTIFICATE'");
    assertThatThrownBy(() -> Pem.readCertificate(Pem.encode(pki.caChain())))
        .hasMessage("Expected one certificate, found 2");
    assertThatThrownBy(() -> Pem.readCertificate(Pem.encode("CERTIFICATE", new byte[] {0x30, 0x03, 0x02, 0x01, 0x01})))
        .hasMessageStartingWith("PEM block #1: Not a valid X.509 certificate (5 bytes)");
    assertThatThrownBy(() -> Pem.readPrivateKey(Pem.encode("ENCRYPTED PRIVATE KEY", new byte[] {1})))
        .hasMessageContaining("encrypted; decrypt it first");
    assertThatThrownBy(() -> Pem.readPrivateKey(cert))
        .hasMessageStartingWith("Expected a private key").hasMessageContaining("found 'CERTIFICATE'");
    assertThatThrownBy(() -> Pem.readCsr(cert))
        .hasMessage("Expected 'CERTIFICATE REQUEST', found 'CERTIFICATE'");
    assertThatThrownBy(() -> Pem.readPrivateKey(Pem.encode("PRIVATE KEY", new byte[] {0x30, 0x00})))
        .hasMessageStartingWith("Not a valid PKCS#8 private key");
  }

  @Test
  void derHelpersRoundTrip() {
    X509Certificate root = pki.rootCertificate();
    assertThat(Der.certificate(Der.encode(root))).isEqualTo(root);
    byte[] der = Base64.getMimeDecoder().decode(Pem.encode(root).replaceAll("-----[A-Z ]+-----", ""));
    assertThat(Der.certificate(der)).isEqualTo(root);
    assertThat(Der.privateKey(pki.issuingKey().getEncoded()).getEncoded()).isEqualTo(pki.issuingKey().getEncoded());
    assertThatThrownBy(() -> Der.certificate(new byte[0])).hasMessage("Not an X.509 certificate: the input is empty");
    assertThat(List.of(Pem.decode(Pem.encode(root)).get(0).type())).containsExactly("CERTIFICATE");
  }
}
