package io.zto.shared.pki;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.util.Base64;

/**
 * JWS compact serialization with ES256 (RFC 7515, RFC 7518 §3.4), for the platform's signed
 * remote-management commands: the platform signs with the command-signing key, devices verify with
 * the certificate their config carries. The signature is the raw R||S pair JWS wants, not DER.
 */
public final class Jws {

  /** The only algorithm zto signs and accepts. */
  public static final String ES256 = "ES256";
  private static final String JCA_ALGORITHM = "SHA256withECDSAinP1363Format";
  private static final Base64.Encoder ENCODER = Base64.getUrlEncoder().withoutPadding();
  private static final Base64.Decoder DECODER = Base64.getUrlDecoder();

  private Jws() {}

  /** Signs {@code claims} with an ES256 header carrying {@code kid}. */
  public static String sign(JsonObject claims, String kid, PrivateKey key) {
    JsonObject header = new JsonObject().put("alg", ES256).put("typ", "JWT").put("kid", kid);
    String signingInput = encode(header) + "." + encode(claims);
    try {
      Signature signature = Signature.getInstance(JCA_ALGORITHM);
      signature.initSign(key);
      signature.update(signingInput.getBytes(StandardCharsets.US_ASCII));
      return signingInput + "." + ENCODER.encodeToString(signature.sign());
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("cannot sign with ES256: " + e.getMessage(), e);
    }
  }

  /**
   * The claims of a JWS whose ES256 signature verifies with {@code key}.
   *
   * @throws IllegalArgumentException saying why it does not
   */
  public static JsonObject verify(String compact, PublicKey key) {
    String[] parts = compact == null ? new String[0] : compact.split("\\.", -1);
    if (parts.length != 3) {
      throw new IllegalArgumentException("not a JWS compact serialization (three dot-separated parts)");
    }
    JsonObject header = decode(parts[0], "header");
    if (!ES256.equals(header.getString("alg"))) {
      throw new IllegalArgumentException("JWS algorithm must be ES256, not " + header.getString("alg"));
    }
    if (!signatureValid(parts, key)) {
      throw new IllegalArgumentException("JWS signature does not verify");
    }
    return decode(parts[1], "claims");
  }

  private static boolean signatureValid(String[] parts, PublicKey key) {
    try {
      Signature signature = Signature.getInstance(JCA_ALGORITHM);
      signature.initVerify(key);
      signature.update((parts[0] + "." + parts[1]).getBytes(StandardCharsets.US_ASCII));
      return signature.verify(DECODER.decode(parts[2]));
    } catch (GeneralSecurityException | IllegalArgumentException e) {
      // a malformed signature or a key of another type: not a valid signature either
      return false;
    }
  }

  /** The {@code kid} of a certificate's key: base64url SHA-256 of the certificate's DER (as x5t#S256). */
  public static String thumbprint(X509Certificate certificate) {
    try {
      return ENCODER.encodeToString(MessageDigest.getInstance("SHA-256").digest(certificate.getEncoded()));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String encode(JsonObject json) {
    return ENCODER.encodeToString(json.encode().getBytes(StandardCharsets.UTF_8));
  }

  private static JsonObject decode(String part, String what) {
    try {
      return new JsonObject(new String(DECODER.decode(part), StandardCharsets.UTF_8));
    } catch (IllegalArgumentException | DecodeException e) {
      throw new IllegalArgumentException("JWS " + what + " is not base64url JSON", e);
    }
  }
}
