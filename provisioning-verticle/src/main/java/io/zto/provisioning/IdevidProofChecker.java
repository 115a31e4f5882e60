package io.zto.provisioning;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSObject;
import com.nimbusds.jose.JWSVerifier;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jose.util.Base64;
import com.nimbusds.jose.util.Base64URL;
import com.nimbusds.jose.util.X509CertChainUtils;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import io.zto.shared.pki.DeviceIds;
import io.zto.shared.pki.HardwareModuleName;
import io.zto.shared.trust.TrustKernel;
import io.zto.shared.trust.TrustPurpose;
import io.zto.shared.trust.Verdict;
import java.security.PublicKey;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Verifies an {@code idevidProof} (contract v2, "IDevID evidence proves possession"): a JWS compact
 * serialization signed with the IDevID's private key, header {@code {"alg", "x5c": [IDevID,
 * intermediates...]}}, claims {@code {"requestId", "deviceId", "ldevidFingerprint", "iat"}}.
 *
 * <p>In this order, each failure a {@link RefusedException} saying what is wrong: the size (before any
 * parsing), the algorithm (an allow-list: never {@code none} nor an HMAC, whose key would be public),
 * the x5c chain's shape, the signature with the key of the x5c leaf, the claims against this request
 * (its requestId, its device id, the fingerprint of the LDevID of its TLS session: a proof made for
 * another request, device or LDevID is worthless) and the freshness of {@code iat}, then the chain through
 * the {@link TrustKernel} (purpose {@code IDEVID}: anchors, chain policy, revocation of every certificate).
 * Parsing and signature checks run on a worker thread. JOSE is Nimbus JOSE+JWT's, not hand-written.
 */
final class IdevidProofChecker {

  /** Largest proof accepted; an IDevID, two intermediates and a signature fit in a quarter of it. */
  static final int MAX_PROOF_CHARS = 16 * 1024;
  /** Most certificates an x5c header may carry (leaf and intermediates). */
  static final int MAX_X5C = 5;
  /** How far {@code iat} may be from the platform's clock, either way. */
  static final Duration MAX_SKEW = Duration.ofMinutes(5);
  static final Set<JWSAlgorithm> ALGORITHMS = Set.of(JWSAlgorithm.ES256, JWSAlgorithm.ES384, JWSAlgorithm.RS256,
      JWSAlgorithm.PS256);

  /** A verified proof: the IDevID and the serials enrollments may be matched by. */
  record Proven(X509Certificate idevid, String serial, String hwmoduleSerial) {}

  /** What the device claims a proof is for. */
  record Expected(String requestId, String deviceId, String ldevidFingerprint) {}

  private final Vertx vertx;
  private final TrustKernel kernel;
  private final Clock clock;

  IdevidProofChecker(Vertx vertx, TrustKernel kernel, Clock clock) {
    this.vertx = vertx;
    this.kernel = kernel;
    this.clock = clock;
  }

  /** The proven IDevID; fails with a {@link RefusedException} if the proof does not prove it for this request. */
  Future<Proven> check(String proof, Expected expected) {
    return vertx.executeBlocking(() -> signedChain(proof, expected), false)
        .compose(chain -> kernel.verifyCertificates(TrustPurpose.IDEVID, chain))
        .compose(IdevidProofChecker::proven);
  }

  private static Future<Proven> proven(Verdict verdict) {
    if (!verdict.trusted()) {
      return Future.failedFuture(new RefusedException("the IDevID of the idevidProof is "
          + (verdict.refusal() == Verdict.Refusal.REVOKED ? "refused: " : "not trusted: ") + verdict.reason()));
    }
    X509Certificate idevid = verdict.path().leaf().certificate();
    return Future.succeededFuture(new Proven(idevid, DeviceIds.subjectSerialNumber(idevid).orElse(null),
        DeviceIds.hardwareModuleName(idevid).map(HardwareModuleName::serialText).orElse(null)));
  }

  /** The x5c chain of a proof whose signature and claims hold; the chain itself is not trusted yet. */
  private List<X509Certificate> signedChain(String proof, Expected expected) {
    if (proof.length() > MAX_PROOF_CHARS) {
      throw refused("is " + proof.length() + " characters long; at most " + MAX_PROOF_CHARS + " are accepted");
    }
    String[] parts = proof.split("\\.", -1);
    if (parts.length != 3) {
      throw refused("is not a JWS compact serialization (three base64url parts separated by dots)");
    }
    JWSAlgorithm algorithm = allowedAlgorithm(parts[0]);
    JWSObject jws;
    try {
      jws = JWSObject.parse(proof);
    } catch (ParseException e) {
      throw refused("is not a valid JWS: " + e.getMessage());
    }
    List<X509Certificate> chain = x5c(jws.getHeader().getX509CertChain());
    if (!verifies(jws, algorithm, chain.get(0).getPublicKey())) {
      throw refused("signature does not verify with the key of its x5c certificate "
          + chain.get(0).getSubjectX500Principal().getName());
    }
    checkClaims(jws, expected);
    return chain;
  }

  /** The header's alg, read before anything else of the proof is trusted, if it is one of {@link #ALGORITHMS}. */
  private static JWSAlgorithm allowedAlgorithm(String encodedHeader) {
    Object alg;
    try {
      alg = new JsonObject(new Base64URL(encodedHeader).decodeToString()).getValue("alg");
    } catch (DecodeException | IllegalArgumentException e) {
      throw refused("header is not base64url-encoded JSON");
    }
    JWSAlgorithm algorithm = alg instanceof String name ? JWSAlgorithm.parse(name) : null;
    if (algorithm == null || !ALGORITHMS.contains(algorithm)) {
      throw refused("alg " + (alg == null ? "is missing" : "'" + alg + "' is not accepted")
          + "; sign it with the IDevID key as ES256, ES384, RS256 or PS256");
    }
    return algorithm;
  }

  private static List<X509Certificate> x5c(List<Base64> encoded) {
    if (encoded == null || encoded.isEmpty()) {
      throw refused("header has no x5c: it must carry the IDevID certificate (then its intermediates)");
    }
    if (encoded.size() > MAX_X5C) {
      throw refused("x5c holds " + encoded.size() + " certificates; at most " + MAX_X5C + " are accepted");
    }
    try {
      return X509CertChainUtils.parse(encoded);
    } catch (ParseException | RuntimeException e) {
      throw refused("x5c is not a list of base64 DER certificates: " + e.getMessage());
    }
  }

  private static boolean verifies(JWSObject jws, JWSAlgorithm algorithm, PublicKey key) {
    JWSVerifier verifier;
    try {
      if (key instanceof ECPublicKey ec && algorithm.getName().startsWith("ES")) {
        verifier = new ECDSAVerifier(ec);
      } else if (key instanceof RSAPublicKey rsa && !algorithm.getName().startsWith("ES")) {
        verifier = new RSASSAVerifier(rsa);
      } else {
        throw refused("alg " + algorithm + " does not fit the " + key.getAlgorithm() + " key of its x5c certificate");
      }
      return jws.verify(verifier);
    } catch (JOSEException e) {
      // e.g. ES384 claimed for a P-256 key: the verifier refuses the algorithm
      throw refused("signature cannot be verified with the key of its x5c certificate: " + e.getMessage());
    }
  }

  private void checkClaims(JWSObject jws, Expected expected) {
    JsonObject claims;
    try {
      claims = new JsonObject(jws.getPayload().toString());
    } catch (DecodeException | ClassCastException e) {
      throw refused("claims are not a JSON object");
    }
    same(claims, "requestId", expected.requestId(), "a proof is made for one request");
    same(claims, "deviceId", expected.deviceId(), "a proof is made for one device");
    Object fingerprint = claims.getValue("ldevidFingerprint");
    if (!(fingerprint instanceof String text) || !text.toLowerCase(Locale.ROOT).equals(expected.ldevidFingerprint())) {
      throw refused("ldevidFingerprint " + quoted(fingerprint) + " is not the fingerprint of the LDevID this"
          + " connection authenticated with (" + expected.ldevidFingerprint() + ")");
    }
    Object iat = claims.getValue("iat");
    if (!(iat instanceof Number seconds)) {
      throw refused("iat must be a number (seconds since the epoch)");
    }
    Instant issued = Instant.ofEpochSecond(seconds.longValue());
    Instant now = clock.instant();
    if (Duration.between(issued, now).abs().compareTo(MAX_SKEW) > 0) {
      throw refused("iat " + issued + " is more than " + MAX_SKEW.toMinutes() + " minutes from the platform's time "
          + now + "; make a fresh proof (and check the device's clock)");
    }
  }

  private static void same(JsonObject claims, String claim, String expected, String why) {
    Object actual = claims.getValue(claim);
    if (!expected.equals(actual)) {
      throw refused(claim + " " + quoted(actual) + " is not this request's '" + expected + "' (" + why + ")");
    }
  }

  private static String quoted(Object value) {
    return value == null ? "(missing)" : "'" + value + "'";
  }

  private static RefusedException refused(String what) {
    return new RefusedException("the idevidProof " + what);
  }
}
