package io.zto.shared.security;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class SecretHasherTest {

  private final SecretHasher hasher = SecretHasher.argon2id();

  @Test
  void verifiesTheRightSecretOnly() {
    // GIVEN a hash of a random secret
    String secret = Secrets.randomToken(128);
    String phc = hasher.hash(secret);

    // THEN it is a PHC string with the default parameters
    assertThat(phc).matches("\\$argon2id\\$v=19\\$m=" + SecretHasher.DEFAULT_MEMORY_KIB + ",t=" + SecretHasher.DEFAULT_ITERATIONS
        + ",p=" + SecretHasher.DEFAULT_PARALLELISM + "\\$[A-Za-z0-9+/]{22}\\$[A-Za-z0-9+/]{43}");
    // AND only the right secret verifies
    assertThat(hasher.verify(secret, phc)).isTrue();
    assertThat(hasher.verify(secret + "x", phc)).isFalse();
    assertThat(hasher.verify("", phc)).isFalse();
    assertThat(hasher.needsRehash(phc)).isFalse();
  }

  @Test
  void randomSecretsGetASaltedHashThatAnyHasherVerifies() {
    // GIVEN a platform-drawn 128-bit secret hashed for random secrets
    String secret = Secrets.randomToken(128);
    String phc = SecretHasher.forRandomSecrets().hash(secret);
    // THEN it is a salted Argon2id PHC string with the light parameters, not the secret
    assertThat(phc).matches("\\$argon2id\\$v=19\\$m=256,t=2,p=1\\$[A-Za-z0-9+/]{22}\\$[A-Za-z0-9+/]{43}")
        .doesNotContain(secret);
    // AND the verifiers of the listeners (Argon2id hashers) accept the right secret only, from the stored parameters
    assertThat(hasher.verify(secret, phc)).isTrue();
    assertThat(hasher.verify(secret + "x", phc)).isFalse();
    // AND the same secret hashed twice gives two different strings (fresh salt)
    assertThat(SecretHasher.forRandomSecrets().hash(secret)).isNotEqualTo(phc);
  }

  @Test
  void twoHashesOfOneSecretDiffer() {
    String first = hasher.hash("same secret");
    String second = hasher.hash("same secret");
    assertThat(first).isNotEqualTo(second);
    assertThat(hasher.verify("same secret", first)).isTrue();
    assertThat(hasher.verify("same secret", second)).isTrue();
  }

  @Test
  void tamperedOrMalformedPhcDoesNotVerify() {
    String phc = hasher.hash("secret");
    String[] parts = phc.split("\\$");
    String otherHash = parts[5].charAt(0) == 'A' ? "B" + parts[5].substring(1) : "A" + parts[5].substring(1);
    assertThat(hasher.verify("secret", phc.replace(parts[5], otherHash))).isFalse();
    assertThat(hasher.verify("secret", phc.replace("t=" + SecretHasher.DEFAULT_ITERATIONS, "t=1"))).isFalse();
    assertThat(hasher.verify("secret", phc.replace("argon2id", "argon2i"))).isFalse();
    assertThat(hasher.verify("secret", phc.replace("m=" + SecretHasher.DEFAULT_MEMORY_KIB, "m=99999999"))).isFalse();
    assertThat(hasher.verify("secret", "$argon2id$v=19$m=x$y$z")).isFalse();
    assertThat(hasher.verify("secret", "")).isFalse();
    assertThat(hasher.verify("secret", null)).isFalse();
  }

  @Test
  void hashesMadeWithOtherParametersOrPbkdf2StillVerify() {
    // GIVEN hashes made with cheaper argon2id parameters and with PBKDF2
    String older = SecretHasher.argon2id(1024, 1, 1).hash("s3cret");
    String pbkdf2 = SecretHasher.pbkdf2Sha256(20_000).hash("s3cret");

    // THEN the default hasher verifies both and says they need a rehash
    assertThat(pbkdf2).startsWith("$pbkdf2-sha256$i=20000$");
    assertThat(hasher.verify("s3cret", older)).isTrue();
    assertThat(hasher.verify("s3cret", pbkdf2)).isTrue();
    assertThat(hasher.verify("wrong", pbkdf2)).isFalse();
    assertThat(hasher.needsRehash(older)).isTrue();
    assertThat(hasher.needsRehash(pbkdf2)).isTrue();
  }

  /** Not an assertion: prints what one hash and one verify cost here, for the docs. */
  @Test
  void printTimings() {
    String secret = Secrets.randomToken(128);
    for (SecretHasher h : new SecretHasher[] {SecretHasher.argon2id(), SecretHasher.pbkdf2Sha256()}) {
      String phc = h.hash(secret);
      for (int i = 0; i < 10; i++) {
        phc = h.hash(secret); // warm up the JIT for both paths
        h.verify(secret, phc);
      }
      int rounds = 20;
      long start = System.nanoTime();
      for (int i = 0; i < rounds; i++) {
        phc = h.hash(secret);
      }
      long hashNanos = (System.nanoTime() - start) / rounds;
      start = System.nanoTime();
      for (int i = 0; i < rounds; i++) {
        h.verify(secret, phc);
      }
      long verifyNanos = (System.nanoTime() - start) / rounds;
      System.out.printf("TIMING %s: hash %.1f ms, verify %.1f ms%n", h, hashNanos / 1e6, verifyNanos / 1e6);
    }
  }
}
