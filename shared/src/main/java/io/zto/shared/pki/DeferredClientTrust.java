package io.zto.shared.pki;

import io.vertx.core.net.TrustOptions;
import java.net.Socket;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * TLS trust for listeners whose trust anchors and revocations change while they run (LDevID customer
 * CAs added by operators, certificates revoked): the handshake accepts any client certificate chain,
 * and the listener decides after the handshake with {@link ChainVerifier} and the list of blocked
 * certificates, off the event loop, from the peer certificates of the TLS session.
 *
 * <p>This is safe because the handshake still proves the client holds the private key of the leaf it
 * presented (TLS CertificateVerify); only the "who vouches for it" question moves out of the JDK's
 * PKIX, which cannot see runtime changes (vertx-mqtt 5.0.7 has no {@code updateSSLOptions}) and is
 * several times slower than Bouncy Castle's verifiers on Java 17.
 *
 * <p>A listener using it MUST check every session's peer certificates before trusting the peer.
 *
 * <p>It is an {@link X509ExtendedTrustManager} because the JDK wraps a plain {@code X509TrustManager} in
 * one that checks the algorithm constraints of the whole chain on every handshake (about a tenth of the
 * CPU of a mutual-TLS connect in the broker bench's profile), work the checks after the handshake repeat.
 */
public final class DeferredClientTrust extends X509ExtendedTrustManager {

  private static final X509Certificate[] NONE = new X509Certificate[0];

  private DeferredClientTrust() {}

  /** Trust options for {@link TlsServerOptions#apply}. */
  public static TrustOptions options() {
    return TrustOptions.wrap(new DeferredClientTrust());
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType) {
    // decided after the handshake, see the class comment
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) {
    // decided after the handshake, see the class comment
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {
    // decided after the handshake, see the class comment
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
    throw new CertificateException("zto listeners do not check servers");
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket)
      throws CertificateException {
    checkServerTrusted(chain, authType);
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
      throws CertificateException {
    checkServerTrusted(chain, authType);
  }

  @Override
  public X509Certificate[] getAcceptedIssuers() {
    return NONE;
  }
}
