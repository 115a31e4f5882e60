package io.zto.simulator;

import io.zto.shared.files.SecureFiles;
import io.zto.shared.pki.Pem;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.List;

/**
 * A device's IDevID as it proves it: the private key and the certificate chain (IDevID first, then the
 * intermediates from the same PEM file), held in memory once read.
 */
record Idevid(PrivateKey key, List<X509Certificate> chain) {

  Idevid {
    chain = List.copyOf(chain);
  }

  /** The IDevID of a factory config, or null if it names none. */
  static Idevid of(FactoryConfig factory) {
    if (factory.idevidCertificate() == null) {
      return null;
    }
    return new Idevid(Pem.readPrivateKey(SecureFiles.readString(factory.idevidKey())),
        Pem.readCertificates(SecureFiles.readString(factory.idevidCertificate())));
  }

  /** The {@code idevidProof} of one provisioning request (see {@link IdevidProof}); signs, so not on an event loop. */
  String proof(String requestId, String deviceId, X509Certificate ldevidCertificate, Instant now) {
    return IdevidProof.create(key, chain, requestId, deviceId, ldevidCertificate, now);
  }
}
