package io.zto.simulator;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.PemTrustOptions;
import io.zto.shared.pki.Pem;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.List;

/** TLS material of a device, as Vert.x client options want it (in memory, never re-read from disk). */
record Tls(List<X509Certificate> chain, PrivateKey key, String trustAnchorsPem) {

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
