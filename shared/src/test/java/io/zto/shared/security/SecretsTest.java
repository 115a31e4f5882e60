package io.zto.shared.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Base64;
import java.util.HashSet;
import java.util.Set;

import org.junit.jupiter.api.Test;

class SecretsTest {

  @Test
  void tokensAreBase64UrlWithTheRequestedEntropyAndDistinct() {
    Set<String> tokens = new HashSet<>();
    for (int i = 0; i < 1000; i++) {
      String token = Secrets.randomToken(128);
      assertThat(token).matches("[A-Za-z0-9_-]{22}");
      assertThat(Base64.getUrlDecoder().decode(token)).hasSize(16);
      tokens.add(token);
    }
    assertThat(tokens).hasSize(1000);
    assertThat(Secrets.randomToken()).hasSize(43);
  }

  @Test
  void weakSecretsAreRefused() {
    assertThatThrownBy(() -> Secrets.randomToken(64)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("at least 128");
  }

  @Test
  void constantTimeEqualsComparesContent() {
    assertThat(Secrets.constantTimeEquals("abc", "abc")).isTrue();
    assertThat(Secrets.constantTimeEquals("abc", "abd")).isFalse();
    assertThat(Secrets.constantTimeEquals("abc", "abcd")).isFalse();
    assertThat(Secrets.constantTimeEquals((String) null, null)).isFalse();
    assertThat(Secrets.constantTimeEquals("abc", null)).isFalse();
  }
}
