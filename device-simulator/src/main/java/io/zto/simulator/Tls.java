package io.zto.simulator;

import io.vertx.core.net.JdkSSLEngineOptions;
import io.vertx.core.net.KeyCertOptions;
import io.vertx.core.net.OpenSSLEngineOptions;
import io.vertx.core.net.SSLEngineOptions;
import io.vertx.core.net.TrustOptions;
import io.zto.shared.pki.Pem;
import java.net.Socket;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedKeyManager;

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

  /** Server trust by anchors PEM: a fleet shares a handful of anchor sets, parsed once. */
  private static final Map<String, ServerTrust> TRUST = new ConcurrentHashMap<>();
  private static final int MAX_TRUST_SETS = 64;

  /**
   * The device's key and chain as they are, without a key store: PEM key options make Vert.x build a
   * PKCS#12 store per client whose PBKDF2 protection (twice 10,000 HMAC rounds) cost more client CPU
   * than the handshake itself.
   */
  KeyCertOptions keyCert() {
    return KeyCertOptions.wrap(new FixedKeyManager(chain.toArray(X509Certificate[]::new), key));
  }

  /** The platform's server certificate checked against the anchors of the device's config ({@link ServerTrust}). */
  TrustOptions trust() {
    if (TRUST.size() > MAX_TRUST_SETS) {
      TRUST.clear();
    }
    return TrustOptions.wrap(TRUST.computeIfAbsent(trustAnchorsPem, pem -> new ServerTrust(Pem.readCertificates(pem))));
  }

  X509Certificate certificate() {
    return chain.get(0);
  }

  /** One client identity, offered whatever the server asks for (the server decides whether it trusts it). */
  private static final class FixedKeyManager extends X509ExtendedKeyManager {
    private static final String ALIAS = "device";
    private final X509Certificate[] chain;
    private final PrivateKey key;

    FixedKeyManager(X509Certificate[] chain, PrivateKey key) {
      this.chain = chain;
      this.key = key;
    }

    @Override
    public String chooseClientAlias(String[] keyTypes, Principal[] issuers, Socket socket) {
      return ALIAS;
    }

    @Override
    public String chooseEngineClientAlias(String[] keyTypes, Principal[] issuers, SSLEngine engine) {
      return ALIAS;
    }

    @Override
    public String[] getClientAliases(String keyType, Principal[] issuers) {
      return new String[] {ALIAS};
    }

    @Override
    public X509Certificate[] getCertificateChain(String alias) {
      return ALIAS.equals(alias) ? chain.clone() : null;
    }

    @Override
    public PrivateKey getPrivateKey(String alias) {
      return ALIAS.equals(alias) ? key : null;
    }

    @Override
    public String[] getServerAliases(String keyType, Principal[] issuers) {
      return null;
    }

    @Override
    public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
      return null;
    }
  }
}
