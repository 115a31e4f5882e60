package io.zto.shared.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class SecretBoxTest {

  private static final byte[] PLAIN = "the CA keystore".getBytes(StandardCharsets.UTF_8);

  @Test
  void aBoxOpensWithTheSameSecretAndContextOnly() {
    // GIVEN a box sealed with a secret for one purpose
    byte[] box = new SecretBox("correct horse battery staple", "purpose-a").seal(PLAIN);
    // THEN it does not show the plain bytes, opens with the same secret and purpose, and with nothing else
    assertThat(new String(box, StandardCharsets.ISO_8859_1)).doesNotContain("keystore");
    assertThat(new SecretBox("correct horse battery staple", "purpose-a").open(box)).isEqualTo(PLAIN);
    assertThatThrownBy(() -> new SecretBox("correct horse battery stapler", "purpose-a").open(box))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("another secret");
    assertThatThrownBy(() -> new SecretBox("correct horse battery staple", "purpose-b").open(box))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void anAlteredBoxIsRefused() {
    byte[] box = new SecretBox("correct horse battery staple", "p").seal(PLAIN);
    box[box.length - 1] ^= 1;
    assertThatThrownBy(() -> new SecretBox("correct horse battery staple", "p").open(box))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void aShortSecretIsRefused() {
    assertThatThrownBy(() -> new SecretBox("short", "p")).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("at least 16");
  }
}
