package io.zto.shared.trust;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.zto.shared.Platform;
import io.zto.shared.trust.impl.TrustKernelImpl;
import java.security.cert.X509Certificate;
import java.util.List;

/**
 * The one place that decides who a certificate-holding peer is (contract section 9, "one trust
 * decision"). Every listener (provisioning MQTT, operational MQTT, EST) and the provisioning service ask
 * it, and each maps the {@link Verdict} to its own refusal (an MQTT reason code, an HTTP status).
 *
 * <p>For a presented chain it: bounds the input (chain length, certificate size) before any signature
 * check; builds the path from the leaf to an anchor of the purpose, each certificate verified by the key
 * of the issuer that signed it (never picked by name alone); applies the chain policy (end-entity leaf,
 * keyUsage and EKU when present, CA issuers, path length, critical extensions, validity, signature
 * algorithms and key sizes); and checks every certificate of the verified path for revocation against
 * the issuer that verified it (CRL sources for device PKIs, the issued-certificate records for the
 * platform's own certificates).
 *
 * <p>Thread-safe; one instance per verticle instance is fine (anchors are cached per instance and
 * refreshed when {@code zto.trust-anchors.changed} is published).
 */
public interface TrustKernel {

  /** A kernel over the node's database (anchors, CRL entries, issued certificates) and its platform CA. */
  static TrustKernel create(Vertx vertx, Platform platform) {
    return TrustKernelImpl.create(vertx, platform);
  }

  /**
   * The verdict on {@code chain} (DER, leaf first, as the TLS peer presented it) for {@code purpose}.
   * The future fails only for an infrastructure fault (database unreachable); an untrusted, malformed
   * or revoked chain succeeds with a refused verdict saying why.
   */
  Future<Verdict> verify(TrustPurpose purpose, List<byte[]> chain);

  /** As {@link #verify}, with certificates already parsed (a JWS {@code x5c} header, a PEM bundle). */
  Future<Verdict> verifyCertificates(TrustPurpose purpose, List<X509Certificate> chain);

  /** Stops listening for anchor changes. */
  Future<Void> close();
}
