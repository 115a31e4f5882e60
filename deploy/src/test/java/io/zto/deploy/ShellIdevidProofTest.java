package io.zto.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSVerifier;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import io.zto.shared.pki.FactoryCa;
import io.zto.shared.pki.KeyPairs;
import io.zto.shared.pki.Pem;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.KeyPair;
import java.security.MessageDigest;
import java.security.PublicKey;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.bouncycastle.asn1.x500.X500Name;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shell device's {@code idevidProof} ({@code deploy/src/test/scripts/idevid-proof.sh}: POSIX sh, openssl
 * and jq) read and verified with nimbus-jose-jwt, as the platform verifies the proofs of the device agent:
 * the openssl DER ECDSA signature must have become the raw R||S JWS wants.
 */
class ShellIdevidProofTest {

  private static final Path SCRIPT = Path.of("src", "test", "scripts", "idevid-proof.sh");
  private static final FactoryCa MANUFACTURER = FactoryCa.create("Shell Proof IDevID CA", "Test");
  private static final FactoryCa CUSTOMER = FactoryCa.create("Shell Proof LDevID CA", "Test");

  @TempDir
  Path tmp;

  @Test
  void anEcP256ProofFromOpensslVerifiesWithNimbusAsEs256() throws Exception {
    Device device = device(KeyPairs.ecP256(), "p256");
    // several signatures: now and then r or s is shorter than 32 bytes and must be left-padded
    for (int i = 0; i < 8; i++) {
      SignedJWT proof = SignedJWT.parse(run(device, "req-" + i, 1_796_000_000L + i));
      assertThat(proof.getHeader().getAlgorithm()).isEqualTo(JWSAlgorithm.ES256);
      assertThat(proof.getSignature().decode()).hasSize(64);
      assertVerifiesAndNames(proof, device, "req-" + i, 1_796_000_000L + i);
    }
  }

  @Test
  void anEcP384ProofVerifiesAsEs384AndCarriesTheWholeChain() throws Exception {
    Device device = device(KeyPairs.ecP384(), "p384");
    // the chain file holds the IDevID and then its CA: both go to x5c, in order
    Files.writeString(device.chain, Pem.encode(List.of(device.idevid, MANUFACTURER.certificate())));
    SignedJWT proof = SignedJWT.parse(run(device, "req-384", 1_796_000_001L));
    assertThat(proof.getHeader().getAlgorithm()).isEqualTo(JWSAlgorithm.ES384);
    assertThat(proof.getSignature().decode()).hasSize(96);
    assertThat(proof.getHeader().getX509CertChain()).hasSize(2);
    assertThat(proof.getHeader().getX509CertChain().get(1).decode()).isEqualTo(MANUFACTURER.certificate().getEncoded());
    assertVerifiesAndNames(proof, device, "req-384", 1_796_000_001L);
  }

  @Test
  void anRsaProofVerifiesAsPs256() throws Exception {
    Device device = device(KeyPairs.rsa(2048), "rsa");
    SignedJWT proof = SignedJWT.parse(run(device, "req-rsa", 1_796_000_002L));
    assertThat(proof.getHeader().getAlgorithm()).isEqualTo(JWSAlgorithm.PS256);
    assertVerifiesAndNames(proof, device, "req-rsa", 1_796_000_002L);
  }

  @Test
  void aProofSignedWithAKeyThatIsNotTheX5cLeafsDoesNotVerify() throws Exception {
    // GIVEN a device that pastes another device's IDevID into its chain file (the copied-IDevID attack)
    Device thief = device(KeyPairs.ecP256(), "thief");
    Device victim = device(KeyPairs.ecP256(), "victim");
    Files.copy(victim.chain, thief.chain, StandardCopyOption.REPLACE_EXISTING);
    // WHEN it signs a proof with its own key THEN the proof does not verify with the key of its x5c leaf
    SignedJWT proof = SignedJWT.parse(run(thief, "req-x", 1_796_000_003L));
    assertThat(leafOf(proof)).isEqualTo(victim.idevid);
    assertThat(proof.verify(verifier(victim.idevid.getPublicKey()))).isFalse();
  }

  private void assertVerifiesAndNames(SignedJWT proof, Device device, String requestId, long iat) throws Exception {
    X509Certificate leaf = leafOf(proof);
    assertThat(leaf).isEqualTo(device.idevid);
    assertThat(proof.verify(verifier(leaf.getPublicKey()))).as("signature verifies with the x5c leaf").isTrue();
    JWTClaimsSet claims = proof.getJWTClaimsSet();
    assertThat(claims.getClaims().keySet()).containsExactlyInAnyOrder("requestId", "deviceId", "ldevidFingerprint", "iat");
    assertThat(claims.getStringClaim("requestId")).isEqualTo(requestId);
    assertThat(claims.getStringClaim("deviceId")).isEqualTo(device.id);
    assertThat(claims.getStringClaim("ldevidFingerprint")).isEqualTo(HexFormat.of().formatHex(
        MessageDigest.getInstance("SHA-256").digest(device.ldevid.getEncoded())));
    assertThat(claims.getIssueTime().getTime() / 1000).isEqualTo(iat);
  }

  private record Device(String id, X509Certificate idevid, X509Certificate ldevid, Path key, Path chain, Path ldevidPem) {}

  private Device device(KeyPair keys, String name) throws IOException {
    String id = "gw-" + name;
    X509Certificate idevid = MANUFACTURER.issue(new X500Name("CN=Gateway IDevID,SERIALNUMBER=SN-" + name),
        FactoryCa.DEFAULT_HW_TYPE, ("HW-" + name).getBytes(StandardCharsets.US_ASCII), keys).certificate();
    X509Certificate ldevid = CUSTOMER.ldevid(id).certificate();
    Path dir = Files.createDirectories(tmp.resolve(name));
    Path key = Files.writeString(dir.resolve("idevid-key.pem"), Pem.encode(keys.getPrivate()));
    Path chain = Files.writeString(dir.resolve("idevid.pem"), Pem.encode(idevid));
    Path ldevidPem = Files.writeString(dir.resolve("ldevid.pem"), Pem.encode(ldevid));
    return new Device(id, idevid, ldevid, key, chain, ldevidPem);
  }

  private static String run(Device device, String requestId, long iat) throws Exception {
    Process process = new ProcessBuilder("sh", SCRIPT.toString(), device.key.toString(), device.chain.toString(),
        device.ldevidPem.toString(), device.id, requestId, Long.toString(iat)).redirectErrorStream(true).start();
    process.getOutputStream().close();
    if (!process.waitFor(60, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      throw new AssertionError(SCRIPT + " did not finish within 60 s");
    }
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
    assertThat(process.exitValue()).as(output).isZero();
    return output;
  }

  private static X509Certificate leafOf(SignedJWT proof) throws Exception {
    return (X509Certificate) CertificateFactory.getInstance("X.509")
        .generateCertificate(new ByteArrayInputStream(proof.getHeader().getX509CertChain().get(0).decode()));
  }

  private static JWSVerifier verifier(PublicKey key) throws Exception {
    return key instanceof RSAPublicKey rsa ? new RSASSAVerifier(rsa) : new ECDSAVerifier((ECPublicKey) key);
  }
}
