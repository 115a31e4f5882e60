package io.zto.shared.security;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.bouncycastle.crypto.digests.SHA256Digest;
import org.bouncycastle.crypto.generators.HKDFBytesGenerator;
import org.bouncycastle.crypto.params.HKDFParameters;

/**
 * How the platform stores the random secrets it generates (MQTT passwords, EST challenges: at least 128
 * bits from a CSPRNG): HMAC-SHA-256 under a server key, as {@code $hmac-sha256$k=<key id>$<mac>}.
 *
 * <p>Nobody can guess 2^128 values whatever a hash costs, so these need no slow hash; the key protects
 * them if only the database leaks. The key is derived (HKDF-SHA256) from the issuing CA's private key,
 * which every node of a cluster already shares, so there is nothing new to store, share or back up; and a
 * new issuing key already means a new fleet of certificates. Person-chosen passwords (service accounts)
 * stay with {@link SecretHasher}'s Argon2id.
 *
 * <p>{@link #verify} also accepts the salted slow hashes older versions stored ({@link SecretHasher}), so
 * devices provisioned before keep working; those checks are slow ({@link #cheap} tells which are not).
 * Thread-safe.
 */
public final class RandomSecrets {

  private static final String PREFIX = "$hmac-sha256$k=";
  private static final String DERIVATION = "zto random-secret HMAC v1";
  private static final Base64.Encoder B64 = Base64.getEncoder().withoutPadding();
  private static final Map<ByteBuffer, RandomSecrets> DERIVED = new ConcurrentHashMap<>();

  private final SecretKeySpec key;
  private final String keyId;

  private RandomSecrets(byte[] key) {
    this.key = new SecretKeySpec(key, "HmacSHA256");
    this.keyId = HexFormat.of().formatHex(sha256(key), 0, 4);
  }

  /** The digests of the installation whose issuing CA key this is. */
  public static RandomSecrets derivedFrom(PrivateKey issuingKey) {
    return DERIVED.computeIfAbsent(ByteBuffer.wrap(issuingKey.getEncoded()), encoded -> {
      HKDFBytesGenerator hkdf = new HKDFBytesGenerator(new SHA256Digest());
      hkdf.init(new HKDFParameters(issuingKey.getEncoded(), null, DERIVATION.getBytes(StandardCharsets.UTF_8)));
      byte[] derived = new byte[32];
      hkdf.generateBytes(derived, 0, derived.length);
      return new RandomSecrets(derived);
    });
  }

  /** The stored form of {@code secret}. Cheap: run it anywhere. */
  public String digest(String secret) {
    return PREFIX + keyId + "$" + B64.encodeToString(mac(secret));
  }

  /** Whether checking against {@code stored} is cheap (a keyed digest), or a slow hash of an older version. */
  public static boolean cheap(String stored) {
    return stored != null && stored.startsWith(PREFIX);
  }

  /**
   * Whether {@code secret} is the one stored. Constant time for keyed digests; a slow hash (an older
   * version's) is <b>blocking</b> ({@link #cheap} is false): check those on a worker.
   */
  public boolean verify(String secret, String stored) {
    if (secret == null || stored == null) {
      return false;
    }
    if (!cheap(stored)) {
      return SecretHasher.argon2id().verify(secret, stored);
    }
    String expected = digest(secret);
    return MessageDigest.isEqual(expected.getBytes(StandardCharsets.US_ASCII), stored.getBytes(StandardCharsets.US_ASCII));
  }

  private byte[] mac(String secret) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(key);
      return mac.doFinal(secret.getBytes(StandardCharsets.UTF_8));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HMAC-SHA256 is not available: " + e.getMessage(), e);
    }
  }

  private static byte[] sha256(byte[] data) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(data);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }
}
