package io.zto.shared.testing;

import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.List;

import io.zto.shared.pki.Pem;

/**
 * A test device's identity: its certificate, key and chain (certificate first, then its CA).
 *
 * @param certificate the device certificate
 * @param keyPair its key pair
 * @param chain certificate + issuing CA
 */
public record DeviceIdentity(X509Certificate certificate, KeyPair keyPair, List<X509Certificate> chain) {

  public PrivateKey key() {
    return keyPair.getPrivate();
  }

  public String certificatePem() {
    return Pem.encode(certificate);
  }

  public String keyPem() {
    return Pem.encode(keyPair.getPrivate());
  }

  public String chainPem() {
    return Pem.encode(chain);
  }
}
