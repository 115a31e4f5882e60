package io.zto.shared.pki;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import java.util.stream.Stream;

import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;
import org.bouncycastle.pkcs.PKCS10CertificationRequestBuilder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import io.zto.shared.testing.Openssl;
import io.zto.shared.testing.TestPki;

class CsrChecksTest {

  @TempDir
  Path temp;

  static Stream<Arguments> acceptedKeys() {
    return Stream.of(
        Arguments.of("EC P-256", KeyPairs.ecP256()),
        Arguments.of("EC P-384", KeyPairs.ecP384()),
        Arguments.of("RSA 2048", KeyPairs.rsa(2048)),
        Arguments.of("Ed25519", KeyPairs.ed25519()));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("acceptedKeys")
  void acceptedKeyTypesPassWithProofOfPossession(String keyType, KeyPair keyPair) {
    // GIVEN a CSR signed by its own key
    PKCS10CertificationRequest csr = TestPki.csr(keyPair, "dev-0001", null);

    // WHEN it is checked THEN it passes and the key type is named
    CheckedCsr checked = CsrChecks.check(csr);
    assertThat(checked.keyType()).isEqualTo(keyType);
    assertThat(checked.commonName()).contains("dev-0001");
    assertThat(checked.challengePassword()).isEmpty();
    // AND a certificate can be issued for it
    assertThat(TestPki.authority(TestPki.shared()).issue(checked, "dev-0001", java.time.Duration.ofDays(1))).isNotNull();
  }

  @Test
  void tamperedCsrIsRefused() {
    // GIVEN a CSR whose subject was changed after signing
    byte[] der = encoded(TestPki.csr(KeyPairs.ecP256(), "dev-0001", "secret-1"));
    int at = indexOf(der, "dev-0001".getBytes());
    der[at + 7] = '2';
    PKCS10CertificationRequest tampered = Der.csr(der);

    // WHEN it is checked THEN it is refused for lack of proof of possession
    assertThatThrownBy(() -> CsrChecks.check(tampered))
        .isInstanceOf(CsrRejectedException.class)
        .hasMessageContaining("does not verify").hasMessageContaining("proof of possession");
  }

  @Test
  void csrSignedWithAnotherKeyIsRefused() {
    // GIVEN a CSR carrying key A but signed with key B
    KeyPair a = KeyPairs.ecP256();
    KeyPair b = KeyPairs.ecP256();
    var builder = new PKCS10CertificationRequestBuilder(new X500Name("CN=dev-1"),
        SubjectPublicKeyInfo.getInstance(a.getPublic().getEncoded()));
    PKCS10CertificationRequest csr = builder.build(SigningKey.of(b.getPrivate()).newSigner());

    // THEN it is refused
    assertThatThrownBy(() -> CsrChecks.check(csr)).isInstanceOf(CsrRejectedException.class).hasMessageContaining("proof of possession");
  }

  @Test
  void rsa1024IsRefusedAsTooWeak() {
    assertThatThrownBy(() -> CsrChecks.check(TestPki.csr(KeyPairs.rsa(1024), "dev-1", null)))
        .isInstanceOf(CsrRejectedException.class)
        .hasMessage("RSA 1024 is too weak: RSA keys need at least 2048 bits");
  }

  @Test
  void p521IsRefusedWithTheAcceptedList() throws Exception {
    KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
    generator.initialize(new ECGenParameterSpec("secp521r1"));
    assertThatThrownBy(() -> CsrChecks.check(TestPki.csr(generator.generateKeyPair(), "dev-1", null)))
        .isInstanceOf(CsrRejectedException.class)
        .hasMessageStartingWith("EC P-521 is not accepted: use EC P-256 or P-384");
  }

  @Test
  void challengePasswordAndOtpChallengeAreRead() {
    // GIVEN CSRs with a base64url challengePassword (needs UTF8String) and with an RFC 7894 otpChallenge
    String challenge = "aB3_x-Yz09aB3_x-Yz09aB";
    KeyPair key = KeyPairs.ecP256();
    CheckedCsr withPassword = CsrChecks.check(TestPki.csr(key, "dev-1", challenge));
    CheckedCsr withOtp = CsrChecks.check(new CsrBuilder(key).commonName("dev-1").otpChallenge("otp-123").build());

    // THEN both are read
    assertThat(withPassword.challengePassword()).contains(challenge);
    assertThat(withPassword.challenge()).contains(challenge);
    assertThat(withOtp.challengePassword()).isEmpty();
    assertThat(withOtp.otpChallenge()).contains("otp-123");
    assertThat(withOtp.challenge()).contains("otp-123");
    assertThat(withOtp.publicKeySha256()).isEqualTo(Fingerprints.publicKeySha256(key.getPublic()));
  }

  @Test
  void opensslMadeCsrWithChallengePasswordIsAccepted() throws Exception {
    assumeTrue(Openssl.available(), "openssl not on PATH");
    // GIVEN a CSR made by openssl with a challengePassword attribute
    Files.writeString(temp.resolve("req.cnf"), String.join("\n",
        "[req]", "distinguished_name = dn", "attributes = attrs", "prompt = no",
        "[dn]", "CN = dev-openssl", "[attrs]", "challengePassword = OpenSSL-challenge-42", ""));
    var result = Openssl.run(temp, "req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-384",
        "-nodes", "-keyout", "key.pem", "-out", "csr.pem", "-config", "req.cnf");
    assertThat(result.exitCode()).as(result.output()).isZero();

    // WHEN it is read and checked
    CheckedCsr checked = CsrChecks.check(Pem.readCsr(Files.readString(temp.resolve("csr.pem"))));

    // THEN subject, key type and challenge come through
    assertThat(checked.commonName()).contains("dev-openssl");
    assertThat(checked.keyType()).isEqualTo("EC P-384");
    assertThat(checked.challengePassword()).contains("OpenSSL-challenge-42");
    assertThat(Pem.readPrivateKey(Files.readString(temp.resolve("key.pem"))).getAlgorithm()).isEqualTo("EC");
  }

  private static byte[] encoded(PKCS10CertificationRequest csr) {
    try {
      return csr.getEncoded();
    } catch (java.io.IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private static int indexOf(byte[] haystack, byte[] needle) {
    outer:
    for (int i = 0; i <= haystack.length - needle.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (haystack[i + j] != needle[j]) {
          continue outer;
        }
      }
      return i;
    }
    throw new IllegalArgumentException("not found");
  }
}
