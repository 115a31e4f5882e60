package io.zto.broker;

import io.zto.shared.pki.ChainVerifier;
import io.zto.shared.pki.Der;
import io.zto.shared.pki.DeviceIds;
import io.zto.shared.pki.Fingerprints;
import io.zto.shared.pki.InvalidDeviceIdException;
import io.zto.shared.pki.Pem;
import io.zto.shared.pki.UntrustedCertificateException;
import java.security.cert.Certificate;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;

/**
 * The CPU part of a certificate login, run on a worker: chain to the anchors, device id equal to the
 * client id. What it learned is returned as a partial {@link Identity}.
 */
final class CertificateCheck {

  private CertificateCheck() {}

  /**
   * The client's chain, leaf first, as DER; empty when it presented none. {@link #verify} parses copies:
   * BoringSSL's session keeps its peer certificates as DER and parses them on first use, and would then
   * keep the parsed form (about 4 KiB) for as long as the connection is open.
   */
  static List<byte[]> peerChain(SSLSession session) {
    List<byte[]> chain = new ArrayList<>();
    if (session == null) {
      return chain;
    }
    try {
      for (Certificate c : session.getPeerCertificates()) {
        if (c instanceof X509Certificate) {
          chain.add(c.getEncoded());
        }
      }
    } catch (SSLPeerUnverifiedException e) {
      // no client certificate: the caller decides whether that is allowed
    } catch (CertificateEncodingException e) {
      // unreadable certificate: handled like none, the listener refuses
      chain.clear();
    }
    return chain;
  }

  /** Blocking: parses {@code encoded} (from {@link #peerChain}) and verifies it, as below. */
  static Identity verifyEncoded(Identity.Listener listener, List<byte[]> encoded, Collection<X509Certificate> anchors,
                                String clientId) {
    List<X509Certificate> chain = new ArrayList<>(encoded.size());
    try {
      encoded.forEach(der -> chain.add(Der.certificate(der)));
    } catch (IllegalArgumentException e) {
      throw new Refusal(Refusal.Kind.NOT_AUTHORIZED, "unreadable client certificate: " + e.getMessage());
    }
    return verify(listener, chain, anchors, clientId);
  }

  /** Blocking (signature checks): verifies {@code chain} and the device id, or throws a {@link Refusal}. */
  static Identity verify(Identity.Listener listener, List<X509Certificate> chain, Collection<X509Certificate> anchors,
                         String clientId) {
    X509Certificate anchor;
    try {
      anchor = ChainVerifier.verify(chain, anchors, Instant.now());
    } catch (UntrustedCertificateException e) {
      throw new Refusal(Refusal.Kind.NOT_AUTHORIZED, e.getMessage());
    }
    X509Certificate leaf = chain.get(0);
    String deviceId;
    try {
      deviceId = DeviceIds.fromCertificate(leaf).value();
    } catch (InvalidDeviceIdException e) {
      throw new Refusal(Refusal.Kind.BAD_CLIENT_ID, e.reason());
    }
    if (!deviceId.equals(clientId)) {
      throw new Refusal(Refusal.Kind.BAD_CLIENT_ID, "client id '" + clientId + "' is not the certificate's device id '"
          + deviceId + "'");
    }
    X509Certificate issuer = issuerOf(leaf, chain, anchor);
    return new Identity(listener, deviceId, leaf.getSerialNumber().toString(16), Fingerprints.sha256(leaf),
        Fingerprints.sha256(issuer), Pem.encode(leaf), null);
  }

  private static X509Certificate issuerOf(X509Certificate leaf, List<X509Certificate> chain, X509Certificate anchor) {
    for (X509Certificate candidate : chain.subList(1, chain.size())) {
      if (candidate.getSubjectX500Principal().equals(leaf.getIssuerX500Principal())) {
        return candidate;
      }
    }
    return anchor;
  }
}
