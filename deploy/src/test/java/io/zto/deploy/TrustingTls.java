package io.zto.deploy;

import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;

/** A TLS client that trusts any server: for tests of what a server accepts from its clients, not the reverse. */
final class TrustingTls {

  private TrustingTls() {}

  /** A context presenting {@code keys} (null: no client certificate) and trusting every server. */
  static SSLContext context(KeyManager[] keys) throws Exception {
    TrustManager trustAll = new X509TrustManager() {
      @Override
      public void checkClientTrusted(X509Certificate[] chain, String authType) {}

      @Override
      public void checkServerTrusted(X509Certificate[] chain, String authType) {}

      @Override
      public X509Certificate[] getAcceptedIssuers() {
        return new X509Certificate[0];
      }
    };
    SSLContext context = SSLContext.getInstance("TLS");
    context.init(keys, new TrustManager[] {trustAll}, new SecureRandom());
    return context;
  }
}
