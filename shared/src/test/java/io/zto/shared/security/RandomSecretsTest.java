package io.zto.shared.security;

import static org.assertj.core.api.Assertions.assertThat;

import io.zto.shared.pki.KeyPairs;
import java.security.PrivateKey;
import org.junit.jupiter.api.Test;

class RandomSecretsTest {

  private final PrivateKey issuingKey = KeyPairs.ecP256().getPrivate();

  @Test
  void aDigestVerifiesItsSecretOnlyAndNeedsNoWorker() {
    RandomSecrets secrets = RandomSecrets.derivedFrom(issuingKey);
    String secret = Secrets.randomToken(128);
    String stored = secrets.digest(secret);
    assertThat(stored).startsWith("$hmac-sha256$k=").doesNotContain(secret);
    assertThat(RandomSecrets.cheap(stored)).isTrue();
    assertThat(secrets.verify(secret, stored)).isTrue();
    assertThat(secrets.verify(secret + "x", stored)).isFalse();
    assertThat(secrets.verify(null, stored)).isFalse();
  }

  @Test
  void everyNodeWithTheSameIssuingKeyDerivesTheSameKeyAndAnotherInstallationDoesNot() {
    String secret = Secrets.randomToken(128);
    String stored = RandomSecrets.derivedFrom(issuingKey).digest(secret);
    // GIVEN another node holding the same key (a copy, as a cluster shares it)
    PrivateKey copy = KeyPairs.ecP256().getPrivate();
    assertThat(RandomSecrets.derivedFrom(copy).verify(secret, stored)).as("another installation").isFalse();
    assertThat(RandomSecrets.derivedFrom(issuingKey).verify(secret, stored)).isTrue();
  }

  @Test
  void slowHashesOfOlderVersionsKeepVerifying() {
    String secret = Secrets.randomToken(128);
    String old = SecretHasher.forRandomSecrets().hash(secret);
    RandomSecrets secrets = RandomSecrets.derivedFrom(issuingKey);
    assertThat(RandomSecrets.cheap(old)).isFalse();
    assertThat(secrets.verify(secret, old)).isTrue();
    assertThat(secrets.verify("wrong", old)).isFalse();
  }

  @Test
  void aTamperedDigestDoesNotVerify() {
    RandomSecrets secrets = RandomSecrets.derivedFrom(issuingKey);
    String stored = secrets.digest("s3cret-value-123456");
    String tampered = stored.substring(0, stored.length() - 2) + (stored.endsWith("A") ? "BB" : "AA");
    assertThat(secrets.verify("s3cret-value-123456", tampered)).isFalse();
  }
}
