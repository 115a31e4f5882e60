package io.zto.shared.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class CommandLineTest {

  @Test
  void optionsInBothSpellingsBecomeOverrides() {
    // GIVEN separate and --opt=value forms, --set repeated
    CommandLine cl = CommandLine.parse("--config", "zto.yaml", "--data-dir=/d", "--public-host", "gw.example",
      "--roles=broker,est", "--set", "http.port=9090", "--set=mqtt.plain.enabled=true");
    // WHEN reading THEN every option is captured, shorthands as their keys
    assertThat(cl.configFile()).contains(Path.of("zto.yaml"));
    assertThat(cl.overrides()).containsExactly(
      java.util.Map.entry("dataDir", "/d"), java.util.Map.entry("publicHost", "gw.example"),
      java.util.Map.entry("roles", "broker,est"), java.util.Map.entry("http.port", "9090"),
      java.util.Map.entry("mqtt.plain.enabled", "true"));
    assertThat(cl.help()).isFalse();
    assertThat(cl.command()).isEqualTo("run");
  }

  @Test
  void laterOptionsWin() {
    // GIVEN the same key twice WHEN parsing THEN the last one counts
    assertThat(CommandLine.parse("--set", "http.port=1", "--set", "http.port=2").overrides()).containsEntry("http.port", "2");
  }

  @Test
  void firstPositionalArgumentIsTheCommand() {
    // GIVEN a subcommand with arguments WHEN parsing THEN command and arguments are separated from options
    CommandLine cl = CommandLine.parse("simulate", "--set", "http.port=1", "100", "--", "--not-an-option");
    assertThat(cl.command()).isEqualTo("simulate");
    assertThat(cl.arguments()).containsExactly("100", "--not-an-option");
  }

  @Test
  void helpIsRecognisedInBothSpellings() {
    // GIVEN -h or --help WHEN parsing THEN help is set, nothing exits
    assertThat(CommandLine.parse("-h").help()).isTrue();
    assertThat(CommandLine.parse("--help").help()).isTrue();
  }

  @Test
  void unknownOptionsAreReportedTogetherWithSuggestions() {
    // GIVEN a typo, a key used as option, and a missing value
    // WHEN parsing THEN every problem is reported with a hint
    assertThatThrownBy(() -> CommandLine.parse("--confg", "x", "--http.port=9090", "--set"))
      .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.problems()).containsExactly(
        "unknown option '--confg' (did you mean '--config'?); see --help",
        "unknown option '--http.port' (did you mean '--set http.port=9090'?)",
        "option --set needs a value"));
  }

  @Test
  void setWithoutEqualsIsAnError() {
    // GIVEN --set without KEY=VALUE WHEN parsing THEN it is explained
    assertThatThrownBy(() -> CommandLine.parse("--set", "http.port"))
      .hasMessage("--set needs KEY=VALUE, got 'http.port'");
  }

  @Test
  void usageListsEveryOptionAndEveryKeyWithTypeDefaultAndEnvironmentVariable() {
    // GIVEN the registry WHEN rendering --help
    String usage = CommandLine.usage("zto");
    // THEN options and every key appear, with their type, default and variables
    assertThat(usage).contains("--config FILE", "--data-dir DIR", "--public-host NAME", "--roles LIST",
      "--set KEY=VALUE", "-h, --help");
    for (ConfigKey key : ConfigKeys.all()) {
      assertThat(usage).contains("  " + key.path() + " (" + key.type().label(), key.description());
      if (!key.defaultText().isEmpty()) {
        assertThat(usage).contains("default " + key.defaultText());
      }
      if (key.type().settableFromText()) {
        key.envNames().forEach(env -> assertThat(usage).contains(env));
      }
    }
    assertThat(usage).contains("ZTO_MQTT_PLAIN_ALLOWANONYMOUS or ZTO_MQTT_PLAIN_ALLOW_ANONYMOUS");
  }
}
