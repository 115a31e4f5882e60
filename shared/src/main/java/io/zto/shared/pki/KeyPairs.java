package io.zto.shared.pki;

import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;

import io.zto.shared.security.Secrets;

/**
 * Key pair generation with the JDK's own providers (no provider registration). Blocking (CPU):
 * RSA in particular takes tens to hundreds of milliseconds.
 */
public final class KeyPairs {

  private KeyPairs() {
  }

  /** EC on NIST P-256 (secp256r1). */
  public static KeyPair ecP256() {
    return ec("secp256r1");
  }

  /** EC on NIST P-384 (secp384r1). */
  public static KeyPair ecP384() {
    return ec("secp384r1");
  }

  /** RSA with {@code bits} modulus. */
  public static KeyPair rsa(int bits) {
    try {
      KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
      generator.initialize(bits, Secrets.random());
      return generator.generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("RSA key generation failed", e);
    }
  }

  /** Ed25519. */
  public static KeyPair ed25519() {
    try {
      return KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("Ed25519 key generation failed", e);
    }
  }

  private static KeyPair ec(String curve) {
    try {
      KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
      generator.initialize(new ECGenParameterSpec(curve), Secrets.random());
      return generator.generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("EC key generation on " + curve + " failed", e);
    }
  }
}
