package io.zto.shared.pki;

import java.math.BigInteger;

import io.zto.shared.security.Secrets;

/** Certificate and CRL serial numbers. */
public final class Serials {

  /** Random bits in a serial (RFC 5280 allows up to 20 octets; CA/B asks for at least 64 bits). */
  public static final int RANDOM_BITS = 128;

  private Serials() {
  }

  /**
   * A positive random serial with {@value #RANDOM_BITS} bits from {@link java.security.SecureRandom}.
   * Serials shorter than 64 bits (probability 2^-64) are redrawn so every serial visibly has at
   * least 64 significant bits.
   */
  public static BigInteger random() {
    while (true) {
      BigInteger serial = new BigInteger(1, Secrets.randomBytes(RANDOM_BITS / 8));
      if (serial.bitLength() >= 64) {
        return serial;
      }
    }
  }

  /** Lowercase hex, as openssl and the operator API show serials. */
  public static String hex(BigInteger serial) {
    return serial.toString(16);
  }
}
