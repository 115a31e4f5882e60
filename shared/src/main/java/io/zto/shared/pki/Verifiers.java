package io.zto.shared.pki;

import java.io.IOException;

import org.bouncycastle.asn1.edec.EdECObjectIdentifiers;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.asn1.x9.X9ObjectIdentifiers;
import org.bouncycastle.crypto.params.AsymmetricKeyParameter;
import org.bouncycastle.crypto.util.PublicKeyFactory;
import org.bouncycastle.operator.ContentVerifierProvider;
import org.bouncycastle.operator.DefaultDigestAlgorithmIdentifierFinder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.bc.BcECContentVerifierProviderBuilder;
import org.bouncycastle.operator.bc.BcEdDSAContentVerifierProviderBuilder;
import org.bouncycastle.operator.bc.BcRSAContentVerifierProviderBuilder;

/** Bouncy Castle lightweight signature verifiers for a public key (EC, RSA, Ed25519). */
public final class Verifiers {

  private Verifiers() {
  }

  /**
   * A verifier provider for signatures made by the key in {@code publicKey}.
   *
   * @throws IllegalArgumentException if the key type is not EC, RSA or Ed25519 or the key is malformed
   */
  public static ContentVerifierProvider forKey(SubjectPublicKeyInfo publicKey) {
    var algorithm = publicKey.getAlgorithm().getAlgorithm();
    try {
      AsymmetricKeyParameter key = PublicKeyFactory.createKey(publicKey);
      if (X9ObjectIdentifiers.id_ecPublicKey.equals(algorithm)) {
        return new BcECContentVerifierProviderBuilder(new DefaultDigestAlgorithmIdentifierFinder()).build(key);
      }
      if (PKCSObjectIdentifiers.rsaEncryption.equals(algorithm)) {
        return new BcRSAContentVerifierProviderBuilder(new DefaultDigestAlgorithmIdentifierFinder()).build(key);
      }
      if (EdECObjectIdentifiers.id_Ed25519.equals(algorithm)) {
        return new BcEdDSAContentVerifierProviderBuilder().build(key);
      }
    } catch (IOException | OperatorCreationException | RuntimeException e) {
      throw new IllegalArgumentException("Malformed " + KeyPolicy.describe(publicKey) + " public key: " + e.getMessage(), e);
    }
    throw new IllegalArgumentException("Unsupported public key algorithm " + algorithm.getId());
  }
}
