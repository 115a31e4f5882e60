package io.zto.deploy;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.EventBusOptions;
import io.vertx.core.http.ClientAuth;
import io.vertx.core.net.JdkSSLEngineOptions;
import io.vertx.core.net.OpenSSLEngineOptions;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.PemTrustOptions;
import io.zto.shared.cluster.NodeCertificates;
import io.zto.shared.pki.Pem;
import io.zto.shared.pki.TlsServerOptions;

/**
 * Mutual TLS on the clustered event bus: each node presents its node certificate
 * ({@link NodeCertificates}) as server and as client, and accepts only peers whose certificate chains to
 * the cluster node CA. A process without the cluster's CA material can neither send to a node's event bus
 * nor receive what a node sends, nor read it on the wire.
 *
 * <p>Only PEM key and trust options: Vert.x 5.0.7 copies the event-bus options through JSON when it makes
 * the event bus's server and clients, and a {@code TrustOptions.wrap(trustManager)} does not survive that
 * copy: the event bus then silently falls back to the JDK's default trust store.
 */
final class EventBusSecurity {

  private EventBusSecurity() {}

  static void apply(EventBusOptions options, NodeCertificates.NodeIdentity identity, String engine) {
    options.setSsl(true)
        .setClientAuth(ClientAuth.REQUIRED)
        .setKeyCertOptions(new PemKeyCertOptions().setKeyValue(Buffer.buffer(Pem.encode(identity.key())))
            .setCertValue(Buffer.buffer(Pem.encode(identity.chain()))))
        .setTrustOptions(new PemTrustOptions().addCertValue(Buffer.buffer(Pem.encode(identity.clusterCa()))))
        .setEnabledSecureTransportProtocols(TlsServerOptions.PROTOCOLS);
    boolean openssl = "openssl".equals(engine) || "auto".equals(engine) && OpenSSLEngineOptions.isAvailable();
    options.setSslEngineOptions(openssl ? new OpenSSLEngineOptions() : new JdkSSLEngineOptions());
  }
}
