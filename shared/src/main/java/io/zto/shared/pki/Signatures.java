package io.zto.shared.pki;

import java.nio.ByteBuffer;
import java.security.cert.X509Certificate;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.operator.ContentVerifierProvider;

/**
 * Certificate signature checks with Bouncy Castle's lightweight verifiers (several times faster than
 * the JDK's on Java 17, see docs/performance.md), one verifier kept per issuer key.
 *
 * <p><b>Blocking</b>: CPU work; call off the event loop.
 */
public final class Signatures {

  /** Issuer keys kept with their verifiers; beyond this many (never with a sane set of CAs) the map starts over. */
  private static final int MAX_CACHED_ISSUERS = 1024;

  /**
   * Verifiers by issuer public key: the few CA keys sign every device certificate, and a reused Bouncy
   * Castle key keeps its point precomputation, which halves the cost of each signature check.
   */
  private static final Map<ByteBuffer, ContentVerifierProvider> VERIFIERS = new ConcurrentHashMap<>();

  private Signatures() {}

  /** Whether {@code issuer}'s key verifies the signature of {@code cert} (false for anything malformed). */
  public static boolean signedBy(X509Certificate cert, X509Certificate issuer) {
    try {
      return new X509CertificateHolder(cert.getEncoded()).isSignatureValid(verifierOf(issuer));
    } catch (Exception e) {
      // malformed signature, unreadable certificate or unsupported algorithm: not signed by this issuer
      return false;
    }
  }

  private static ContentVerifierProvider verifierOf(X509Certificate issuer) {
    byte[] key = issuer.getPublicKey().getEncoded();
    if (VERIFIERS.size() >= MAX_CACHED_ISSUERS) {
      VERIFIERS.clear();
    }
    return VERIFIERS.computeIfAbsent(ByteBuffer.wrap(key),
        ignored -> Verifiers.forKey(SubjectPublicKeyInfo.getInstance(key)));
  }
}
