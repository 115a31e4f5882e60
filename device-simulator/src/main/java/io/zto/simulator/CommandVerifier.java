package io.zto.simulator;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSObject;
import com.nimbusds.jose.JWSVerifier;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.jwk.Curve;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPublicKey;
import java.text.ParseException;
import java.time.Clock;

/**
 * Checks a signed remote-management command (contract section 6) before the device acts on it: a JWS
 * compact serialization with algorithm ES256 (pinned: {@code alg: none}, HMAC or any other algorithm is
 * refused whatever the header says), whose signature verifies with the key of the config's
 * {@code commandVerification.certificate} and no other, naming this device and the command id of its
 * topic, and not expired. Verifying a signature is CPU work: call it on a worker.
 */
final class CommandVerifier {

  private final String deviceId;
  private final Clock clock;
  private final JWSVerifier verifier;

  /**
   * @throws IllegalArgumentException if the certificate's key is not EC P-256, so cannot verify ES256
   */
  CommandVerifier(X509Certificate commandCertificate, String deviceId, Clock clock) {
    this.deviceId = deviceId;
    this.clock = clock;
    if (!(commandCertificate.getPublicKey() instanceof ECPublicKey key)
        || !Curve.P_256.equals(Curve.forECParameterSpec(key.getParams()))) {
      throw new IllegalArgumentException("commandVerification.certificate must hold an EC P-256 key (ES256), not "
          + commandCertificate.getPublicKey().getAlgorithm());
    }
    try {
      this.verifier = new ECDSAVerifier(key);
    } catch (JOSEException e) {
      throw new IllegalArgumentException("commandVerification.certificate: " + e.getMessage(), e);
    }
  }

  /**
   * The claims of a command that passes every check.
   *
   * @param commandId the last level of the topic the command arrived on
   * @throws IllegalArgumentException saying which check it fails (the device replies with it)
   */
  JsonObject verify(String compact, String commandId) {
    JWSObject jws = parse(compact);
    if (!JWSAlgorithm.ES256.equals(jws.getHeader().getAlgorithm())) {
      throw new IllegalArgumentException("command must be signed with ES256, not " + jws.getHeader().getAlgorithm());
    }
    if (!signatureValid(jws)) {
      throw new IllegalArgumentException("command signature does not verify with commandVerification.certificate");
    }
    JsonObject claims = claims(jws);
    check(claims, commandId);
    return claims;
  }

  private static JWSObject parse(String compact) {
    try {
      // an unsigned JWS (alg none) is not a JWSObject: nimbus refuses its header here
      return JWSObject.parse(compact == null ? "" : compact);
    } catch (ParseException e) {
      throw new IllegalArgumentException("command is not a signed JWS compact serialization: " + e.getMessage(), e);
    }
  }

  private boolean signatureValid(JWSObject jws) {
    try {
      return jws.verify(verifier);
    } catch (JOSEException | IllegalStateException e) {
      // a malformed signature or an unknown critical header: not a valid signature either
      return false;
    }
  }

  private static JsonObject claims(JWSObject jws) {
    try {
      return new JsonObject(jws.getPayload().toString());
    } catch (DecodeException | ClassCastException e) {
      throw new IllegalArgumentException("command claims are not a JSON object", e);
    }
  }

  private void check(JsonObject claims, String commandId) {
    if (!deviceId.equals(claims.getValue("deviceId"))) {
      throw new IllegalArgumentException("command is for device " + claims.getValue("deviceId"));
    }
    if (!commandId.equals(claims.getValue("commandId"))) {
      throw new IllegalArgumentException("command id in the topic and in the JWS differ");
    }
    if (!(claims.getValue("exp") instanceof Number exp)) {
      throw new IllegalArgumentException("command has no numeric exp");
    }
    if (exp.longValue() < clock.instant().getEpochSecond()) {
      throw new IllegalArgumentException("command expired");
    }
  }
}
