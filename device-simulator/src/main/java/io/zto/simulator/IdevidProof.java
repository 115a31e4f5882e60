package io.zto.simulator;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.JWSVerifier;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.util.Base64;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import io.zto.shared.pki.Fingerprints;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Objects;

/**
 * The device's proof that it holds its IDevID private key (contract section 9, {@code idevidProof}): a
 * JWS compact serialization signed with the IDevID key, header {@code {"alg", "x5c"}} with the IDevID
 * and its intermediates (standard base64 DER, RFC 7515 4.1.6), claims {@code requestId}, {@code deviceId},
 * {@code ldevidFingerprint} (lowercase hex SHA-256 of the LDevID certificate's DER) and {@code iat}
 * (seconds). Binding the proof to the request and to the LDevID of the TLS connection is what stops a
 * copied IDevID certificate, or a proof captured from another request or device, from counting.
 *
 * <p>The algorithm follows the IDevID key: EC P-256 signs ES256, EC P-384 ES384, RSA PS256; other keys
 * are refused. Signing is CPU work: call it on a worker, not on an event loop.
 */
public final class IdevidProof {

  private IdevidProof() {}

  /**
   * Makes the proof for one provisioning request.
   *
   * @param idevidKey the IDevID's private key
   * @param idevidChain the IDevID certificate first, then the intermediates the device holds (no root needed)
   * @param ldevidCertificate the LDevID certificate the device presents in TLS on the provisioning listener
   * @param now the signing time ({@code iat}); the platform accepts it within 5 minutes of its own clock
   * @return the JWS compact serialization
   * @throws IllegalArgumentException if the key is of a kind the contract does not sign with, or does not
   *     belong to the IDevID certificate
   */
  public static String create(PrivateKey idevidKey, List<X509Certificate> idevidChain, String requestId,
                              String deviceId, X509Certificate ldevidCertificate, Instant now) {
    Objects.requireNonNull(idevidKey, "idevidKey");
    Objects.requireNonNull(ldevidCertificate, "ldevidCertificate");
    if (idevidChain == null || idevidChain.isEmpty()) {
      throw new IllegalArgumentException("an IDevID proof needs the IDevID certificate");
    }
    PublicKey idevidPublicKey = idevidChain.get(0).getPublicKey();
    JWSAlgorithm algorithm = algorithmFor(idevidPublicKey);
    JWSHeader header = new JWSHeader.Builder(algorithm).x509CertChain(x5c(idevidChain)).build();
    JWTClaimsSet claims = new JWTClaimsSet.Builder()
        .claim("requestId", Objects.requireNonNull(requestId, "requestId"))
        .claim("deviceId", Objects.requireNonNull(deviceId, "deviceId"))
        .claim("ldevidFingerprint", Fingerprints.sha256(ldevidCertificate))
        .issueTime(Date.from(Objects.requireNonNull(now, "now")))
        .build();
    SignedJWT jwt = new SignedJWT(header, claims);
    try {
      jwt.sign(signer(idevidKey, idevidPublicKey));
      // a key of another certificate signs fine and is refused only by the platform, with less to go on
      if (!jwt.verify(verifier(idevidPublicKey))) {
        throw new IllegalArgumentException("the IDevID key does not belong to the IDevID certificate "
            + idevidChain.get(0).getSubjectX500Principal().getName());
      }
    } catch (JOSEException e) {
      throw new IllegalArgumentException("cannot sign the IDevID proof with " + algorithm + ": " + e.getMessage(), e);
    }
    return jwt.serialize();
  }

  /** The JWS algorithm the contract signs with for an IDevID public key. */
  public static JWSAlgorithm algorithmFor(PublicKey key) {
    if (key instanceof RSAPublicKey) {
      return JWSAlgorithm.PS256;
    }
    if (key instanceof ECPublicKey ec) {
      Curve curve = Curve.forECParameterSpec(ec.getParams());
      if (Curve.P_256.equals(curve)) {
        return JWSAlgorithm.ES256;
      }
      if (Curve.P_384.equals(curve)) {
        return JWSAlgorithm.ES384;
      }
      throw new IllegalArgumentException("IDevID key on curve " + (curve == null ? "unknown" : curve.getName())
          + ": an IDevID proof is signed with EC P-256, EC P-384 or RSA");
    }
    throw new IllegalArgumentException("IDevID key of type " + key.getAlgorithm()
        + ": an IDevID proof is signed with EC P-256, EC P-384 or RSA");
  }

  private static JWSSigner signer(PrivateKey key, PublicKey publicKey) throws JOSEException {
    if (publicKey instanceof ECPublicKey ec) {
      return new ECDSASigner(key, Curve.forECParameterSpec(ec.getParams()));
    }
    return new RSASSASigner(key);
  }

  private static JWSVerifier verifier(PublicKey key) throws JOSEException {
    return key instanceof ECPublicKey ec ? new ECDSAVerifier(ec) : new RSASSAVerifier((RSAPublicKey) key);
  }

  private static List<Base64> x5c(List<X509Certificate> chain) {
    List<Base64> encoded = new ArrayList<>(chain.size());
    for (X509Certificate certificate : chain) {
      try {
        encoded.add(Base64.encode(certificate.getEncoded()));
      } catch (CertificateEncodingException e) {
        throw new IllegalArgumentException("IDevID chain certificate cannot be encoded: " + e.getMessage(), e);
      }
    }
    return encoded;
  }
}
