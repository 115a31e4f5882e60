package io.zto.shared.pki;

import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.List;

/**
 * A TLS server's key and certificate chain (leaf first, then the issuing CA; the root is left out
 * as TLS 1.3 §4.4.2 allows, since clients already have it).
 */
public record ServerTlsIdentity(PrivateKey key, List<X509Certificate> chain) {

  public ServerTlsIdentity {
    chain = List.copyOf(chain);
    if (chain.isEmpty()) {
      throw new IllegalArgumentException("a server TLS chain needs at least the server certificate");
    }
  }

  /** The server certificate. */
  public X509Certificate certificate() {
    return chain.get(0);
  }

  /** The key as PKCS#8 PEM. */
  public String keyPem() {
    return Pem.encode(key);
  }

  /** The chain as PEM, leaf first. */
  public String chainPem() {
    return Pem.encode(chain);
  }

  @Override
  public String toString() {
    return "ServerTlsIdentity[" + certificate().getSubjectX500Principal() + ", until " + certificate().getNotAfter() + "]";
  }
}
