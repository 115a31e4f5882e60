package io.zto.shared.trust;

import java.security.cert.Certificate;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;

/** The client chain of a TLS session, as the {@link TrustKernel} takes it. */
public final class PeerChain {

  private PeerChain() {}

  /**
   * The client's chain, leaf first, as DER; empty when it presented none. The kernel parses copies:
   * BoringSSL's session keeps its peer certificates as DER and parses them on first use, and would then
   * keep the parsed form (about 4 KiB) for as long as the connection is open.
   */
  public static List<byte[]> of(SSLSession session) {
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
}
