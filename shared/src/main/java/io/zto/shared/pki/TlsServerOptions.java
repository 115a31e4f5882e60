package io.zto.shared.pki;

import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Objects;
import java.util.Set;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.ClientAuth;
import io.vertx.core.net.JdkSSLEngineOptions;
import io.vertx.core.net.NetServerOptions;
import io.vertx.core.net.OpenSSLEngineOptions;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.PemTrustOptions;
import io.vertx.core.net.ServerSSLOptions;
import io.vertx.core.net.TrustOptions;

/**
 * Applies a {@link ServerTlsIdentity} to Vert.x 5 server options ({@code HttpServerOptions},
 * {@code NetServerOptions}, {@code MqttServerOptions} all extend {@link NetServerOptions}).
 * Key and chain are passed as in-memory {@link Buffer}s, so nothing re-reads the disk and
 * the PEM files may change underneath without effect until the next start.
 * TLS 1.2 and 1.3 only.
 */
public final class TlsServerOptions {

  /** The protocols every listener enables. */
  public static final Set<String> PROTOCOLS = Set.of("TLSv1.2", "TLSv1.3");

  private TlsServerOptions() {
  }

  /**
   * Turns on TLS with {@code identity}, TLS 1.2/1.3 only, and the given client authentication.
   *
   * @param trustAnchors CA certificates that client certificates must chain to; may be empty
   *     only with {@link ClientAuth#NONE}
   * @return {@code options}, for chaining
   */
  public static <T extends NetServerOptions> T apply(T options, ServerTlsIdentity identity, ClientAuth clientAuth,
                                                     List<X509Certificate> trustAnchors) {
    return apply(options, identity, clientAuth, trustAnchors.isEmpty() ? null : trustOptions(trustAnchors));
  }

  /**
   * As above with any trust options, e.g. a {@code TrustOptions.wrap(trustManager)} whose anchors
   * and revocations change at run time; {@code null} for none.
   */
  public static <T extends NetServerOptions> T apply(T options, ServerTlsIdentity identity, ClientAuth clientAuth,
                                                     TrustOptions trust) {
    Objects.requireNonNull(clientAuth, "clientAuth");
    if (trust == null && clientAuth != ClientAuth.NONE) {
      throw new IllegalArgumentException("client authentication " + clientAuth + " needs trust anchors");
    }
    options.setSsl(true);
    options.setKeyCertOptions(keyCertOptions(identity));
    options.setEnabledSecureTransportProtocols(PROTOCOLS);
    options.setClientAuth(clientAuth);
    if (trust != null) {
      options.setTrustOptions(trust);
    }
    return options;
  }

  /**
   * Selects the TLS engine: {@code openssl} is BoringSSL through netty-tcnative (fewer CPU milliseconds
   * per handshake than the JDK engine on Java 17, see docs/performance.md), {@code jdk} the JDK's
   * SSLEngine, {@code auto} the first where its native library loads (it is bundled for linux-x86_64).
   *
   * @return {@code options}, for chaining
   */
  public static <T extends NetServerOptions> T engine(T options, String engine) {
    switch (engine) {
      case "openssl" -> options.setSslEngineOptions(new OpenSSLEngineOptions());
      case "jdk" -> options.setSslEngineOptions(new JdkSSLEngineOptions());
      case "auto" -> options.setSslEngineOptions(OpenSSLEngineOptions.isAvailable()
          ? new OpenSSLEngineOptions() : new JdkSSLEngineOptions());
      default -> throw new IllegalArgumentException("TLS engine must be auto, openssl or jdk, not '" + engine + "'");
    }
    return options;
  }

  /**
   * The same settings as {@link ServerSSLOptions}, for {@code HttpServer.updateSSLOptions} when
   * the server certificate or the trust anchors change at run time.
   */
  public static ServerSSLOptions sslOptions(ServerTlsIdentity identity, ClientAuth clientAuth, List<X509Certificate> trustAnchors) {
    ServerSSLOptions ssl = new ServerSSLOptions()
        .setKeyCertOptions(keyCertOptions(identity))
        .setEnabledSecureTransportProtocols(PROTOCOLS)
        .setClientAuth(clientAuth);
    if (!trustAnchors.isEmpty()) {
      ssl.setTrustOptions(trustOptions(trustAnchors));
    } else if (clientAuth != ClientAuth.NONE) {
      throw new IllegalArgumentException("client authentication " + clientAuth + " needs trust anchors");
    }
    return ssl;
  }

  /** Key and chain as in-memory PEM. */
  public static PemKeyCertOptions keyCertOptions(ServerTlsIdentity identity) {
    return new PemKeyCertOptions()
        .setKeyValue(Buffer.buffer(identity.keyPem()))
        .setCertValue(Buffer.buffer(identity.chainPem()));
  }

  /** Trust anchors as in-memory PEM. */
  public static PemTrustOptions trustOptions(List<X509Certificate> trustAnchors) {
    PemTrustOptions trust = new PemTrustOptions();
    trustAnchors.forEach(anchor -> trust.addCertValue(Buffer.buffer(Pem.encode(anchor))));
    return trust;
  }
}
