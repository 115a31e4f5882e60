package io.zto.shared.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code est.profiles}: the EST labels an operator configures. */
class EstProfilesConfigTest {

  @TempDir
  Path dir;

  @Test
  void noProfilesByDefaultAndTheUnlabelledProfileUsesTheDefaultValidity() {
    // GIVEN nothing configured WHEN reading the EST settings
    EstConfig est = ZtoConfig.defaults().est();
    // THEN there are no labels, and requests without one get 90 days and automatic approval
    assertThat(est.profiles()).isEmpty();
    assertThat(est.profile("anything")).isEmpty();
    assertThat(est.defaultProfile()).isEqualTo(new EstConfig.Profile("default", Duration.ofDays(90), false));
  }

  @Test
  void profilesAreReadFromTheFileWithDefaults() throws IOException {
    // GIVEN two profiles, one without a validity
    Path file = Files.writeString(dir.resolve("zto.yaml"), """
      est:
        certificateValidity: 30d
        profiles:
          - {name: short, validity: 1h}
          - {name: factory, approval: manual}
      """);
    // WHEN loading
    EstConfig est = new ConfigLoader().file(file).load().toZtoConfig().est();
    // THEN each has its validity (the default one where absent) and approval mode
    assertThat(est.profile("short")).contains(new EstConfig.Profile("short", Duration.ofHours(1), false));
    assertThat(est.profile("factory")).contains(new EstConfig.Profile("factory", Duration.ofDays(30), true));
    // AND they survive the round trip through the effective config
    assertThat(ZtoConfig.fromJson(new ConfigLoader().file(file).load().toZtoConfig().toJson()).est().profiles())
        .isEqualTo(est.profiles());
  }

  @Test
  void badProfilesAreExplained() throws IOException {
    // GIVEN a profile named like an EST operation, a bad approval and a misspelt field
    Path file = Files.writeString(dir.resolve("zto.yaml"), """
      est.profiles:
        - {name: simpleenroll}
      """);
    Path approval = Files.writeString(dir.resolve("a.yaml"), "est.profiles:\n  - {name: x, approval: maybe}\n");
    Path field = Files.writeString(dir.resolve("f.yaml"), "est.profiles:\n  - {name: x, validty: 1h}\n");
    // WHEN loading THEN each problem is named
    assertThat(problems(new ConfigLoader().file(file))).singleElement().asString()
        .contains("EST profile 1: name 'simpleenroll' is an EST operation or appears twice");
    assertThat(problems(new ConfigLoader().file(approval))).singleElement().asString()
        .contains("'approval' must be auto or manual, not 'maybe'");
    assertThat(problems(new ConfigLoader().file(field))).singleElement().asString()
        .contains("unknown field 'validty' (did you mean 'validity'?)");
  }

  private static List<String> problems(ConfigLoader loader) {
    try {
      loader.load();
    } catch (ConfigException e) {
      return e.problems();
    }
    throw new AssertionError("expected a ConfigException");
  }
}
