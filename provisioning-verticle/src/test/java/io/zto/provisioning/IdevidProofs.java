package io.zto.provisioning;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSObject;
import com.nimbusds.jose.Payload;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.util.Base64;
import com.nimbusds.jose.util.Base64URL;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.security.PrivateKey;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPrivateKey;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * idevidProofs as a device makes them (contract v2), signed with Nimbus JOSE+JWT, and the malformed ones
 * an attacker would try.
 */
final class IdevidProofs {

  private IdevidProofs() {}

  /** The claims of a proof for one request. */
  static JsonObject claims(String requestId, String deviceId, String ldevidFingerprint, Instant iat) {
    return new JsonObject().put("requestId", requestId).put("deviceId", deviceId)
        .put("ldevidFingerprint", ldevidFingerprint).put("iat", iat.getEpochSecond());
  }

  /** A proof signed with {@code key} as {@code alg}, its header's x5c being {@code x5c}. */
  static String sign(JWSAlgorithm alg, PrivateKey key, List<X509Certificate> x5c, JsonObject claims) {
    JWSObject jws = new JWSObject(new JWSHeader.Builder(alg).x509CertChain(encoded(x5c)).build(),
        new Payload(claims.encode()));
    try {
      jws.sign(key instanceof ECPrivateKey ec ? new ECDSASigner(ec) : new RSASSASigner(key));
    } catch (JOSEException e) {
      throw new IllegalStateException(e);
    }
    return jws.serialize();
  }

  /** An unsecured JWS ({@code alg: none}, empty signature) carrying x5c and the claims. */
  static String unsigned(List<X509Certificate> x5c, JsonObject claims) {
    JsonArray chain = new JsonArray();
    encoded(x5c).forEach(b -> chain.add(b.toString()));
    JsonObject header = new JsonObject().put("alg", "none").put("x5c", chain);
    return Base64URL.encode(header.encode().getBytes(StandardCharsets.UTF_8)) + "."
        + Base64URL.encode(claims.encode().getBytes(StandardCharsets.UTF_8)) + ".";
  }

  private static List<Base64> encoded(List<X509Certificate> chain) {
    List<Base64> out = new ArrayList<>();
    for (X509Certificate c : chain) {
      try {
        out.add(Base64.encode(c.getEncoded()));
      } catch (CertificateEncodingException e) {
        throw new IllegalStateException(e);
      }
    }
    return out;
  }
}
