package io.zto.shared.pki;

import java.io.OutputStream;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;

import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.ContentVerifier;

/** Whether a private key belongs to a certificate, by signing a probe and verifying it. */
final class KeyMatch {

  private static final byte[] PROBE = "zto key match probe".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

  private KeyMatch() {
  }

  static boolean matches(PrivateKey key, X509Certificate certificate) {
    try {
      SigningKey signingKey = SigningKey.of(key);
      ContentSigner signer = signingKey.newSigner();
      try (OutputStream out = signer.getOutputStream()) {
        out.write(PROBE);
      }
      byte[] signature = signer.getSignature();
      ContentVerifier verifier = Verifiers.forKey(SubjectPublicKeyInfo.getInstance(certificate.getPublicKey().getEncoded()))
          .get(signingKey.signatureAlgorithm());
      try (OutputStream out = verifier.getOutputStream()) {
        out.write(PROBE);
      }
      return verifier.verify(signature);
    } catch (Exception e) {
      return false;
    }
  }
}
