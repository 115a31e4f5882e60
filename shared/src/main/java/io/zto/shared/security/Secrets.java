package io.zto.shared.security;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;

/**
 * Random secrets (tokens, passwords, challenges) and their constant-time comparison.
 * Thread-safe; {@link SecureRandom} is shared because it is itself thread-safe.
 */
public final class Secrets {

  /** Secrets shorter than this are refused: the contract asks for at least 128 bits. */
  public static final int MIN_BITS = 128;
  /** The default strength of {@link #randomToken()}. */
  public static final int DEFAULT_BITS = 256;

  private static final SecureRandom RANDOM = new SecureRandom();
  private static final Base64.Encoder BASE64URL = Base64.getUrlEncoder().withoutPadding();

  private Secrets() {
  }

  /** A random base64url token (no padding) with {@value #DEFAULT_BITS} bits of entropy. */
  public static String randomToken() {
    return randomToken(DEFAULT_BITS);
  }

  /**
   * A random base64url token (no padding).
   *
   * @param bits entropy in bits, a multiple of 8 and at least {@value #MIN_BITS}
   */
  public static String randomToken(int bits) {
    if (bits < MIN_BITS || bits % 8 != 0) {
      throw new IllegalArgumentException("a secret needs a multiple of 8 bits and at least " + MIN_BITS + ", got " + bits);
    }
    return BASE64URL.encodeToString(randomBytes(bits / 8));
  }

  /** {@code length} bytes from the shared {@link SecureRandom}. */
  public static byte[] randomBytes(int length) {
    byte[] bytes = new byte[length];
    RANDOM.nextBytes(bytes);
    return bytes;
  }

  /** The shared {@link SecureRandom}, for code that needs one (serial numbers, salts). */
  public static SecureRandom random() {
    return RANDOM;
  }

  /**
   * Compares two secrets in time that depends only on their lengths, never on where they differ.
   * {@code null} equals nothing, not even {@code null}.
   */
  public static boolean constantTimeEquals(String a, String b) {
    if (a == null || b == null) {
      return false;
    }
    return constantTimeEquals(a.getBytes(StandardCharsets.UTF_8), b.getBytes(StandardCharsets.UTF_8));
  }

  /** Byte variant of {@link #constantTimeEquals(String, String)}. */
  public static boolean constantTimeEquals(byte[] a, byte[] b) {
    if (a == null || b == null) {
      return false;
    }
    // MessageDigest.isEqual is constant-time since JDK 6u17 for equal lengths
    return MessageDigest.isEqual(a, b);
  }
}
