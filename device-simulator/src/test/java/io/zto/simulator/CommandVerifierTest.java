package io.zto.simulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSObject;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.Payload;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.jwk.Curve;
import io.vertx.core.json.JsonObject;
import io.zto.shared.pki.KeyPairs;
import io.zto.shared.pki.PlatformPki;
import io.zto.shared.testing.TestPki;
import java.nio.charset.StandardCharsets;
import java.security.PrivateKey;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import org.junit.jupiter.api.Test;

/**
 * What a device accepts as a signed command (contract section 6): only ES256 with the key of its config's
 * {@code commandVerification.certificate}, for itself, for the command id of the topic, not expired. The
 * commands here are signed with nimbus as the platform signs them, and forged the ways an attacker would.
 */
class CommandVerifierTest {

  private static final Instant NOW = Instant.parse("2026-12-06T07:00:00Z");
  private static final PlatformPki PKI = TestPki.shared();

  private final CommandVerifier verifier =
      new CommandVerifier(PKI.commandSigningCertificate(), "gw-1", Clock.fixed(NOW, ZoneOffset.UTC));

  @Test
  void aCommandSignedWithTheCommandKeyForThisDeviceIsAccepted() throws Exception {
    // GIVEN a command as the platform signs it
    String jws = es256(claims("gw-1", "c-1", NOW.plusSeconds(60)), PKI.commandSigningKey());
    // WHEN the device checks it THEN it gets the claims
    JsonObject claims = verifier.verify(jws, "c-1");
    assertThat(claims.getString("name")).isEqualTo("reboot");
    assertThat(claims.getJsonObject("args").getInteger("delay")).isEqualTo(5);
  }

  @Test
  void anUnsignedCommandWithAlgNoneIsRefused() {
    // GIVEN a command with header alg none and no signature (RFC 7519 section 6)
    String unsigned = b64url("{\"alg\":\"none\",\"typ\":\"JWT\"}") + "."
        + b64url(claims("gw-1", "c-1", NOW.plusSeconds(60)).encode()) + ".";
    // THEN it is refused
    assertThatThrownBy(() -> verifier.verify(unsigned, "c-1")).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("not a signed JWS");
  }

  @Test
  void aCommandMacedWithTheCertificatesPublicKeyAsSecretIsRefused() throws Exception {
    // GIVEN the algorithm-confusion forgery: HS256 keyed with the public key everyone has
    byte[] publicKey = PKI.commandSigningCertificate().getPublicKey().getEncoded();
    String forged = sign(new JWSHeader(JWSAlgorithm.HS256), claims("gw-1", "c-1", NOW.plusSeconds(60)),
        new MACSigner(publicKey));
    // THEN the algorithm is refused before any key is used
    assertThatThrownBy(() -> verifier.verify(forged, "c-1")).hasMessageContaining("must be signed with ES256, not HS256");
  }

  @Test
  void aCommandSignedWithAnotherAlgorithmIsRefused() throws Exception {
    String es384 = sign(new JWSHeader(JWSAlgorithm.ES384), claims("gw-1", "c-1", NOW.plusSeconds(60)),
        new ECDSASigner(KeyPairs.ecP384().getPrivate(), Curve.P_384));
    assertThatThrownBy(() -> verifier.verify(es384, "c-1")).hasMessageContaining("must be signed with ES256, not ES384");
  }

  @Test
  void aCommandSignedWithAnotherKeyIsRefused() throws Exception {
    // GIVEN ES256 with a key that is not the command-signing key
    String otherKey = es256(claims("gw-1", "c-1", NOW.plusSeconds(60)), KeyPairs.ecP256().getPrivate());
    assertThatThrownBy(() -> verifier.verify(otherKey, "c-1")).hasMessageContaining("does not verify");
  }

  @Test
  void aCommandWhoseClaimsWereChangedIsRefused() throws Exception {
    String jws = es256(claims("gw-1", "c-1", NOW.plusSeconds(60)), PKI.commandSigningKey());
    String[] parts = jws.split("\\.");
    String tampered = parts[0] + "." + b64url(claims("gw-1", "c-1", NOW.plusSeconds(60)).put("name", "wipe").encode())
        + "." + parts[2];
    assertThatThrownBy(() -> verifier.verify(tampered, "c-1")).hasMessageContaining("does not verify");
  }

  @Test
  void anExpiredCommandIsRefused() throws Exception {
    String expired = es256(claims("gw-1", "c-1", NOW.minusSeconds(1)), PKI.commandSigningKey());
    assertThatThrownBy(() -> verifier.verify(expired, "c-1")).hasMessageContaining("expired");
    String noExpiry = es256(claims("gw-1", "c-1", NOW).put("exp", "never"), PKI.commandSigningKey());
    assertThatThrownBy(() -> verifier.verify(noExpiry, "c-1")).hasMessageContaining("no numeric exp");
  }

  @Test
  void aCommandForAnotherDeviceIsRefused() throws Exception {
    String forOther = es256(claims("gw-2", "c-1", NOW.plusSeconds(60)), PKI.commandSigningKey());
    assertThatThrownBy(() -> verifier.verify(forOther, "c-1")).hasMessageContaining("for device gw-2");
  }

  @Test
  void aCommandReplayedUnderAnotherCommandIdIsRefused() throws Exception {
    String jws = es256(claims("gw-1", "c-1", NOW.plusSeconds(60)), PKI.commandSigningKey());
    assertThatThrownBy(() -> verifier.verify(jws, "c-2")).hasMessageContaining("command id in the topic and in the JWS differ");
  }

  @Test
  void somethingThatIsNotAJwsIsRefused() {
    assertThatThrownBy(() -> verifier.verify("a.b", "c-1")).hasMessageContaining("not a signed JWS");
    assertThatThrownBy(() -> verifier.verify(null, "c-1")).hasMessageContaining("not a signed JWS");
  }

  @Test
  void aCommandCertificateThatCannotVerifyEs256IsAConfigError() {
    assertThatThrownBy(() -> new CommandVerifier(IdevidProofTest.idevidWith(KeyPairs.ecP384()).certificate(), "gw-1",
        Clock.systemUTC())).hasMessageContaining("EC P-256");
  }

  private static JsonObject claims(String deviceId, String commandId, Instant exp) {
    return new JsonObject().put("deviceId", deviceId).put("commandId", commandId).put("name", "reboot")
        .put("args", new JsonObject().put("delay", 5)).put("iat", NOW.getEpochSecond()).put("exp", exp.getEpochSecond());
  }

  private static String es256(JsonObject claims, PrivateKey key) throws Exception {
    return sign(new JWSHeader.Builder(JWSAlgorithm.ES256).type(JOSEObjectType.JWT).keyID("k").build(), claims,
        new ECDSASigner(key, Curve.P_256));
  }

  private static String sign(JWSHeader header, JsonObject claims, JWSSigner signer) throws Exception {
    JWSObject jws = new JWSObject(header, new Payload(claims.encode()));
    jws.sign(signer);
    return jws.serialize();
  }

  private static String b64url(String json) {
    return Base64.getUrlEncoder().withoutPadding().encodeToString(json.getBytes(StandardCharsets.UTF_8));
  }
}
