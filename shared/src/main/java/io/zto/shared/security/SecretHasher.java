package io.zto.shared.security;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;

import org.bouncycastle.crypto.digests.SHA256Digest;
import org.bouncycastle.crypto.generators.Argon2BytesGenerator;
import org.bouncycastle.crypto.generators.PKCS5S2ParametersGenerator;
import org.bouncycastle.crypto.params.Argon2Parameters;
import org.bouncycastle.crypto.params.KeyParameter;

/**
 * Salted slow hashes of secrets (MQTT passwords, EST challenges) in PHC string format:
 * <pre>
 * $argon2id$v=19$m=8192,t=2,p=1$&lt;salt&gt;$&lt;hash&gt;
 * $pbkdf2-sha256$i=100000$&lt;salt&gt;$&lt;hash&gt;
 * </pre>
 * Salt and hash are unpadded standard base64, as the PHC string format specifies.
 *
 * <p><b>Blocking</b>: hashing and verifying cost tens of milliseconds of CPU each. Callers run
 * them on a worker thread ({@code vertx.executeBlocking(...)}), never on an event loop.
 *
 * <p>{@link #verify(String, String)} reads the algorithm and parameters from the stored string, so
 * hashes made with older defaults keep verifying after the defaults change; {@link #needsRehash}
 * tells when to upgrade one. Instances are immutable and thread-safe.
 *
 * <p>Why these defaults (argon2id, 8 MiB, 2 passes, 1 lane; about 13 ms per hash or verify on
 * one core of the 2-core reference machine): the secrets hashed here are random with at least
 * 128 bits, so no amount of hashing speed makes guessing them feasible; the slow hash is defence
 * in depth against a stolen database, for example if an operator ever sets a weak secret. An
 * onboarding hashes two secrets and verifies two, so this costs about 50 ms of CPU per onboarding
 * (some 40 onboardings per second on 2 cores, a thousand in under half a minute) and 8 MiB per
 * concurrent hash on the worker pool. That is deliberately below OWASP's minimum for passwords
 * chosen by people (19 MiB, 2 passes, about 35 ms here), which would triple the cost for no gain
 * with random secrets; raise the constants if the platform ever hashes human passwords.
 */
public final class SecretHasher {

  /** Argon2id memory in KiB. */
  public static final int DEFAULT_MEMORY_KIB = 8192;
  /** Argon2id passes. */
  public static final int DEFAULT_ITERATIONS = 2;
  /** Argon2id lanes; 1 because concurrency comes from many requests, not one hash. */
  public static final int DEFAULT_PARALLELISM = 1;
  /**
   * PBKDF2-HMAC-SHA256 iterations: about 60 ms here. OWASP asks for 600,000 for passwords chosen by
   * people; these secrets are random (see above).
   */
  public static final int DEFAULT_PBKDF2_ITERATIONS = 100_000;
  /** Salt length in bytes. */
  public static final int DEFAULT_SALT_BYTES = 16;
  /** Hash length in bytes. */
  public static final int DEFAULT_HASH_BYTES = 32;

  // Upper bounds on parameters read from a stored string, so a corrupted or hostile entry
  // cannot make one verification allocate gigabytes or spin for minutes.
  private static final int MAX_MEMORY_KIB = 1 << 18;
  private static final int MAX_ITERATIONS = 64;
  private static final int MAX_PARALLELISM = 16;
  private static final int MAX_PBKDF2_ITERATIONS = 10_000_000;
  private static final int MAX_HASH_BYTES = 128;

  private static final String ARGON2ID = "argon2id";
  private static final String PBKDF2_SHA256 = "pbkdf2-sha256";
  private static final Base64.Encoder B64 = Base64.getEncoder().withoutPadding();
  private static final Base64.Decoder B64_DECODER = Base64.getDecoder();

  private final String algorithm;
  private final int memoryKib;
  private final int iterations;
  private final int parallelism;

  private SecretHasher(String algorithm, int memoryKib, int iterations, int parallelism) {
    this.algorithm = algorithm;
    this.memoryKib = memoryKib;
    this.iterations = iterations;
    this.parallelism = parallelism;
  }

  /** Argon2id with the {@code DEFAULT_*} parameters. */
  public static SecretHasher argon2id() {
    return argon2id(DEFAULT_MEMORY_KIB, DEFAULT_ITERATIONS, DEFAULT_PARALLELISM);
  }

  /** Argon2id with explicit parameters (memory in KiB, passes, lanes). */
  public static SecretHasher argon2id(int memoryKib, int iterations, int parallelism) {
    requireRange("memoryKib", memoryKib, 8 * parallelism, MAX_MEMORY_KIB);
    requireRange("iterations", iterations, 1, MAX_ITERATIONS);
    requireRange("parallelism", parallelism, 1, MAX_PARALLELISM);
    return new SecretHasher(ARGON2ID, memoryKib, iterations, parallelism);
  }

  /** PBKDF2-HMAC-SHA256 with {@link #DEFAULT_PBKDF2_ITERATIONS}, for deployments that must use a FIPS-listed function. */
  public static SecretHasher pbkdf2Sha256() {
    return pbkdf2Sha256(DEFAULT_PBKDF2_ITERATIONS);
  }

  /** PBKDF2-HMAC-SHA256 with explicit iterations. */
  public static SecretHasher pbkdf2Sha256(int iterations) {
    requireRange("iterations", iterations, 10_000, MAX_PBKDF2_ITERATIONS);
    return new SecretHasher(PBKDF2_SHA256, 0, iterations, 1);
  }

  /** Argon2id memory in KiB for {@link #forRandomSecrets}. */
  public static final int RANDOM_SECRET_MEMORY_KIB = 256;
  /** Argon2id passes for {@link #forRandomSecrets}. */
  public static final int RANDOM_SECRET_ITERATIONS = 2;

  /**
   * For secrets the platform itself draws at random with at least 128 bits (device MQTT passwords, EST
   * challenges): still a salted, memory-hard slow hash (Argon2id, 256 KiB, 2 passes, about 0.3 ms per hash or
   * verify on the reference machine, 1-4 ms on a loaded one), a thirty-second of {@link #argon2id()}'s cost. Guessing a 128-bit
   * random secret is out of reach at any hashing speed, so the full cost bought little and took about
   * 40 ms of CPU per onboarding (most of a 2-core platform's onboarding rate, see docs/performance.md);
   * keeping a slow hash still protects a secret an operator may one day set by hand. Hashes of other
   * parameters keep verifying, since the parameters are in the stored string; secrets chosen by people
   * (service accounts) keep {@link #argon2id()}.
   */
  public static SecretHasher forRandomSecrets() {
    return argon2id(RANDOM_SECRET_MEMORY_KIB, RANDOM_SECRET_ITERATIONS, DEFAULT_PARALLELISM);
  }

  /** Hashes {@code secret} with a fresh random salt. Blocking (CPU). */
  public String hash(String secret) {
    byte[] salt = Secrets.randomBytes(DEFAULT_SALT_BYTES);
    byte[] password = secret.getBytes(StandardCharsets.UTF_8);
    if (ARGON2ID.equals(algorithm)) {
      byte[] hash = argon2id(password, salt, memoryKib, iterations, parallelism, DEFAULT_HASH_BYTES);
      return "$argon2id$v=19$m=" + memoryKib + ",t=" + iterations + ",p=" + parallelism
          + "$" + B64.encodeToString(salt) + "$" + B64.encodeToString(hash);
    }
    byte[] hash = pbkdf2(password, salt, iterations, DEFAULT_HASH_BYTES);
    return "$pbkdf2-sha256$i=" + iterations + "$" + B64.encodeToString(salt) + "$" + B64.encodeToString(hash);
  }

  /**
   * Whether {@code secret} matches {@code phc}, whatever algorithm and parameters made it.
   * A malformed, unsupported or out-of-bounds {@code phc} yields {@code false}. Blocking (CPU).
   */
  public boolean verify(String secret, String phc) {
    if (secret == null || phc == null) {
      return false;
    }
    Phc parsed = Phc.parse(phc);
    if (parsed == null) {
      return false;
    }
    byte[] actual = parsed.compute(secret.getBytes(StandardCharsets.UTF_8));
    return actual != null && Secrets.constantTimeEquals(actual, parsed.hash);
  }

  /** Whether {@code phc} was made with another algorithm or other parameters than this hasher's. */
  public boolean needsRehash(String phc) {
    Phc parsed = Phc.parse(phc);
    if (parsed == null || !parsed.algorithm.equals(algorithm)) {
      return true;
    }
    return parsed.iterations != iterations
        || (ARGON2ID.equals(algorithm) && (parsed.memoryKib != memoryKib || parsed.parallelism != parallelism));
  }

  @Override
  public String toString() {
    return ARGON2ID.equals(algorithm)
        ? "argon2id(m=" + memoryKib + ",t=" + iterations + ",p=" + parallelism + ")"
        : "pbkdf2-sha256(i=" + iterations + ")";
  }

  private static byte[] argon2id(byte[] password, byte[] salt, int memoryKib, int iterations, int parallelism, int length) {
    Argon2Parameters parameters = new Argon2Parameters.Builder(Argon2Parameters.ARGON2_id)
        .withVersion(Argon2Parameters.ARGON2_VERSION_13)
        .withMemoryAsKB(memoryKib)
        .withIterations(iterations)
        .withParallelism(parallelism)
        .withSalt(salt)
        .build();
    Argon2BytesGenerator generator = new Argon2BytesGenerator();
    generator.init(parameters);
    byte[] out = new byte[length];
    generator.generateBytes(password, out);
    return out;
  }

  private static byte[] pbkdf2(byte[] password, byte[] salt, int iterations, int length) {
    PKCS5S2ParametersGenerator generator = new PKCS5S2ParametersGenerator(new SHA256Digest());
    generator.init(password, salt, iterations);
    return ((KeyParameter) generator.generateDerivedParameters(length * 8)).getKey();
  }

  private static void requireRange(String name, int value, int min, int max) {
    if (value < min || value > max) {
      throw new IllegalArgumentException(name + " must be between " + min + " and " + max + ", got " + value);
    }
  }

  /** A parsed PHC string; {@code null} from {@link #parse} for anything not understood. */
  private record Phc(String algorithm, int memoryKib, int iterations, int parallelism, byte[] salt, byte[] hash) {

    static Phc parse(String phc) {
      try {
        String[] parts = phc.split("\\$", -1);
        if (parts.length < 5 || !parts[0].isEmpty()) {
          return null;
        }
        if (ARGON2ID.equals(parts[1]) && parts.length == 6 && "v=19".equals(parts[2])) {
          Map<String, Integer> p = parameters(parts[3]);
          Phc parsed = new Phc(ARGON2ID, p.getOrDefault("m", -1), p.getOrDefault("t", -1), p.getOrDefault("p", -1),
              B64_DECODER.decode(parts[4]), B64_DECODER.decode(parts[5]));
          return parsed.withinBounds() ? parsed : null;
        }
        if (PBKDF2_SHA256.equals(parts[1]) && parts.length == 5) {
          Map<String, Integer> p = parameters(parts[2]);
          Phc parsed = new Phc(PBKDF2_SHA256, 0, p.getOrDefault("i", -1), 1,
              B64_DECODER.decode(parts[3]), B64_DECODER.decode(parts[4]));
          return parsed.withinBounds() ? parsed : null;
        }
        return null;
      } catch (IllegalArgumentException malformed) {
        return null;
      }
    }

    private static Map<String, Integer> parameters(String text) {
      Map<String, Integer> result = new HashMap<>();
      for (String pair : text.split(",")) {
        int eq = pair.indexOf('=');
        if (eq <= 0 || result.put(pair.substring(0, eq), Integer.parseInt(pair.substring(eq + 1))) != null) {
          throw new IllegalArgumentException("bad PHC parameters");
        }
      }
      return result;
    }

    private boolean withinBounds() {
      if (salt.length < 8 || hash.length < 16 || hash.length > MAX_HASH_BYTES) {
        return false;
      }
      if (ARGON2ID.equals(algorithm)) {
        return parallelism >= 1 && parallelism <= MAX_PARALLELISM
            && iterations >= 1 && iterations <= MAX_ITERATIONS
            && memoryKib >= 8 * parallelism && memoryKib <= MAX_MEMORY_KIB;
      }
      return iterations >= 1 && iterations <= MAX_PBKDF2_ITERATIONS;
    }

    byte[] compute(byte[] password) {
      return ARGON2ID.equals(algorithm)
          ? argon2id(password, salt, memoryKib, iterations, parallelism, hash.length)
          : pbkdf2(password, salt, iterations, hash.length);
    }
  }
}
