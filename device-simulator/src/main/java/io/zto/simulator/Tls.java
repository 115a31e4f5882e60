package io.zto.simulator;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.JdkSSLEngineOptions;
import io.vertx.core.net.OpenSSLEngineOptions;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.PemTrustOptions;
import io.vertx.core.net.SSLEngineOptions;
import io.zto.shared.pki.Pem;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.List;

/** TLS material of a device, as Vert.x client options want it (in memory, never re-read from disk). */
record Tls(List<X509Certificate> chain, PrivateKey key, String trustAnchorsPem) {

  /**
   * The TLS engine of every device client in this process: the JDK's unless the fleet simulator chose
   * BoringSSL ({@code openssl}) so that its own handshakes cost less CPU next to the server's.
   */
  private static volatile String clientEngine = "jdk";

  /** Sets the devices' TLS engine: {@code jdk}, {@code openssl} or {@code auto} (BoringSSL where it loads). */
  static void useClientEngine(String engine) {
    if (!List.of("jdk", "openssl", "auto").contains(engine)) {
      throw new IllegalArgumentException("TLS engine must be jdk, openssl or auto, not '" + engine + "'");
    }
    clientEngine = engine;
  }

  /** The engine options for a new client, per {@link #useClientEngine}. */
  static SSLEngineOptions engine() {
    return switch (clientEngine) {
      case "openssl" -> new OpenSSLEngineOptions();
      case "auto" -> OpenSSLEngineOptions.isAvailable() ? new OpenSSLEngineOptions() : new JdkSSLEngineOptions();
      default -> new JdkSSLEngineOptions();
    };
  }

  PemKeyCertOptions keyCert() {
    return new PemKeyCertOptions().addKeyValue(Buffer.buffer(Pem.encode(key)))
        .addCertValue(Buffer.buffer(Pem.encode(chain)));
  }

  PemTrustOptions trust() {
    return new PemTrustOptions().addCertValue(Buffer.buffer(trustAnchorsPem));
  }

  X509Certificate certificate() {
    return chain.get(0);
  }
}
