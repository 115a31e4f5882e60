package io.zto.shared.security;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Arrays;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.PBEKeySpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Seals bytes with a secret a person or an orchestrator provides (not a random key): AES-256-GCM with a key
 * stretched by PBKDF2-HMAC-SHA256 over a random salt, so a stolen database dump cannot be opened without the
 * secret and guessing it is slow. Layout of a sealed box: version (1 byte), salt (16), nonce (12), ciphertext
 * with its 16-byte tag. <b>Blocking</b> (key stretching takes ~0.1 s): call from a worker thread.
 */
public final class SecretBox {

  /** Shortest secret accepted. */
  public static final int MIN_SECRET_LENGTH = 16;

  private static final byte VERSION = 1;
  private static final int ITERATIONS = 210_000;
  private static final int SALT = 16;
  private static final int NONCE = 12;
  private static final int TAG_BITS = 128;

  private final char[] secret;
  private final byte[] context;

  /**
   * @param secret the shared secret
   * @param context what the box is for, bound into the tag, so a box of one purpose never opens as another
   * @throws IllegalArgumentException if the secret is shorter than {@link #MIN_SECRET_LENGTH}
   */
  public SecretBox(String secret, String context) {
    if (secret == null || secret.length() < MIN_SECRET_LENGTH) {
      throw new IllegalArgumentException("the secret must have at least " + MIN_SECRET_LENGTH + " characters");
    }
    this.secret = secret.toCharArray();
    this.context = context.getBytes(StandardCharsets.UTF_8);
  }

  /** Seals {@code plain} with a fresh salt and nonce. */
  public byte[] seal(byte[] plain) {
    byte[] salt = Secrets.randomBytes(SALT);
    byte[] nonce = Secrets.randomBytes(NONCE);
    try {
      byte[] sealed = cipher(Cipher.ENCRYPT_MODE, salt, nonce).doFinal(plain);
      return ByteBuffer.allocate(1 + SALT + NONCE + sealed.length).put(VERSION).put(salt).put(nonce).put(sealed).array();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("cannot seal: " + e.getMessage(), e);
    }
  }

  /**
   * @return the plain bytes
   * @throws IllegalArgumentException if the box is malformed, or was sealed with another secret or context
   */
  public byte[] open(byte[] box) {
    if (box == null || box.length < 1 + SALT + NONCE + TAG_BITS / 8 || box[0] != VERSION) {
      throw new IllegalArgumentException("not a sealed box of this version");
    }
    byte[] salt = Arrays.copyOfRange(box, 1, 1 + SALT);
    byte[] nonce = Arrays.copyOfRange(box, 1 + SALT, 1 + SALT + NONCE);
    try {
      return cipher(Cipher.DECRYPT_MODE, salt, nonce).doFinal(box, 1 + SALT + NONCE, box.length - 1 - SALT - NONCE);
    } catch (AEADBadTagException e) {
      throw new IllegalArgumentException("the box was sealed with another secret (or was altered)");
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("cannot open: " + e.getMessage(), e);
    }
  }

  private Cipher cipher(int mode, byte[] salt, byte[] nonce) throws GeneralSecurityException {
    byte[] key = SecretKeyFactory.getInstance("PBKDF2WithHmacSHA256")
        .generateSecret(new PBEKeySpec(secret, salt, ITERATIONS, 256)).getEncoded();
    Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
    cipher.init(mode, new SecretKeySpec(key, "AES"), new GCMParameterSpec(TAG_BITS, nonce));
    cipher.updateAAD(context);
    return cipher;
  }
}
