package io.zto.simulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSVerifier;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jwt.SignedJWT;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.zto.shared.pki.FactoryCa;
import io.zto.shared.pki.KeyPairs;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.MessageDigest;
import java.security.PublicKey;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.time.Instant;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import org.bouncycastle.asn1.x500.X500Name;
import org.junit.jupiter.api.Test;

/**
 * The device's {@code idevidProof}, checked the way the platform will check it but independently of the
 * code that makes it: parsed and verified with nimbus-jose-jwt, certificates read back from {@code x5c}
 * with the JDK, the LDevID fingerprint computed here.
 */
class IdevidProofTest {

  private static final Instant NOW = Instant.parse("2026-12-06T07:00:00Z");
  private static final FactoryCa MANUFACTURER = FactoryCa.create("Test Manufacturer IDevID CA", "Test");
  private static final FactoryCa CUSTOMER = FactoryCa.create("Test Customer LDevID CA", "Test");

  private final FactoryCa.Issued ldevid = CUSTOMER.ldevid("gw-7");

  @Test
  void anEcP256IdevidSignsEs256WithItsChainInX5cAndClaimsBoundToTheRequestAndTheLdevid() throws Exception {
    // GIVEN a P-256 IDevID and the chain the device holds (IDevID, then its CA)
    FactoryCa.Issued idevid = MANUFACTURER.idevid("SN-7", "HW-7");
    List<X509Certificate> chain = List.of(idevid.certificate(), MANUFACTURER.certificate());
    // WHEN the device makes the proof of request r-1
    String proof = IdevidProof.create(idevid.keyPair().getPrivate(), chain, "r-1", "gw-7", ldevid.certificate(), NOW);
    // THEN the header is exactly alg ES256 and x5c: standard base64 DER of the chain, in order
    JsonObject header = part(proof, 0);
    assertThat(header.fieldNames()).containsExactlyInAnyOrder("alg", "x5c");
    assertThat(header.getString("alg")).isEqualTo("ES256");
    JsonArray x5c = header.getJsonArray("x5c");
    assertThat(x5c).hasSize(2);
    assertThat(Base64.getDecoder().decode(x5c.getString(0))).isEqualTo(idevid.certificate().getEncoded());
    assertThat(Base64.getDecoder().decode(x5c.getString(1))).isEqualTo(MANUFACTURER.certificate().getEncoded());
    // AND the claims name the request, the device, the LDevID (lowercase hex SHA-256 of its DER) and the time
    JsonObject claims = part(proof, 1);
    assertThat(claims.fieldNames()).containsExactlyInAnyOrder("requestId", "deviceId", "ldevidFingerprint", "iat");
    assertThat(claims.getString("requestId")).isEqualTo("r-1");
    assertThat(claims.getString("deviceId")).isEqualTo("gw-7");
    assertThat(claims.getString("ldevidFingerprint")).isEqualTo(sha256Hex(ldevid.certificate().getEncoded()))
        .matches("[0-9a-f]{64}");
    assertThat(claims.getLong("iat")).isEqualTo(NOW.getEpochSecond());
    // AND nimbus verifies it with the x5c leaf's key, and not with another P-256 key
    SignedJWT jwt = SignedJWT.parse(proof);
    assertThat(jwt.getHeader().getAlgorithm()).isEqualTo(JWSAlgorithm.ES256);
    assertThat(jwt.verify(new ECDSAVerifier((ECPublicKey) leafOf(jwt).getPublicKey()))).isTrue();
    assertThat(jwt.verify(new ECDSAVerifier((ECPublicKey) KeyPairs.ecP256().getPublic()))).isFalse();
  }

  @Test
  void anEcP384IdevidSignsEs384() throws Exception {
    FactoryCa.Issued idevid = idevidWith(KeyPairs.ecP384());
    String proof = IdevidProof.create(idevid.keyPair().getPrivate(), List.of(idevid.certificate()), "r-2", "gw-7",
        ldevid.certificate(), NOW);
    SignedJWT jwt = SignedJWT.parse(proof);
    assertThat(jwt.getHeader().getAlgorithm()).isEqualTo(JWSAlgorithm.ES384);
    assertThat(verifies(jwt, leafOf(jwt).getPublicKey())).isTrue();
    assertThat(jwt.getSignature().decode()).hasSize(96); // R||S of 48 bytes each, not DER
  }

  @Test
  void anRsaIdevidSignsPs256() throws Exception {
    FactoryCa.Issued idevid = idevidWith(KeyPairs.rsa(2048));
    String proof = IdevidProof.create(idevid.keyPair().getPrivate(), List.of(idevid.certificate()), "r-3", "gw-7",
        ldevid.certificate(), NOW);
    SignedJWT jwt = SignedJWT.parse(proof);
    assertThat(jwt.getHeader().getAlgorithm()).isEqualTo(JWSAlgorithm.PS256);
    assertThat(verifies(jwt, leafOf(jwt).getPublicKey())).isTrue();
    assertThat(jwt.getJWTClaimsSet().getStringClaim("requestId")).isEqualTo("r-3");
  }

  @Test
  void anIdevidKeyOfAnotherKindIsAClearError() {
    FactoryCa.Issued idevid = idevidWith(KeyPairs.ed25519());
    assertThatThrownBy(() -> IdevidProof.create(idevid.keyPair().getPrivate(), List.of(idevid.certificate()), "r-4",
        "gw-7", ldevid.certificate(), NOW))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("EC P-256, EC P-384 or RSA");
  }

  @Test
  void aKeyThatIsNotTheIdevidCertificatesIsRefusedBeforeAnythingIsSent() {
    FactoryCa.Issued idevid = MANUFACTURER.idevid("SN-8", "HW-8");
    assertThatThrownBy(() -> IdevidProof.create(KeyPairs.ecP256().getPrivate(), List.of(idevid.certificate()), "r-5",
        "gw-7", ldevid.certificate(), NOW))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("does not belong to the IDevID certificate");
  }

  @Test
  void noIdevidCertificateIsAClearError() {
    FactoryCa.Issued idevid = MANUFACTURER.idevid("SN-9", "HW-9");
    assertThatThrownBy(() -> IdevidProof.create(idevid.keyPair().getPrivate(), List.of(), "r-6", "gw-7",
        ldevid.certificate(), NOW)).hasMessageContaining("needs the IDevID certificate");
  }

  static FactoryCa.Issued idevidWith(KeyPair keys) {
    return MANUFACTURER.issue(new X500Name("CN=Gateway IDevID,SERIALNUMBER=SN-" + keys.getPublic().getAlgorithm()),
        FactoryCa.DEFAULT_HW_TYPE, "HW-1".getBytes(StandardCharsets.US_ASCII), keys);
  }

  /** Decoded JSON of part {@code index} of a compact JWS. */
  static JsonObject part(String compact, int index) {
    String[] parts = compact.split("\\.", -1);
    assertThat(parts).hasSize(3);
    return new JsonObject(new String(Base64.getUrlDecoder().decode(parts[index]), StandardCharsets.UTF_8));
  }

  /** The x5c leaf, read by the JDK from the header (not from what the test handed in). */
  static X509Certificate leafOf(SignedJWT jwt) throws Exception {
    return (X509Certificate) CertificateFactory.getInstance("X.509")
        .generateCertificate(new ByteArrayInputStream(jwt.getHeader().getX509CertChain().get(0).decode()));
  }

  static boolean verifies(SignedJWT jwt, PublicKey key) throws Exception {
    JWSVerifier verifier = key instanceof RSAPublicKey rsa ? new RSASSAVerifier(rsa) : new ECDSAVerifier((ECPublicKey) key);
    return jwt.verify(verifier);
  }

  static String sha256Hex(byte[] der) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(der));
  }
}
