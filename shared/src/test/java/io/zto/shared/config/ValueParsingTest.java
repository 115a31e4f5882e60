package io.zto.shared.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class ValueParsingTest {

  @ParameterizedTest
  @CsvSource({"10s,PT10S", "30m,PT30M", "1h,PT1H", "90d,PT2160H", "500ms,PT0.5S", "1h30m,PT1H30M",
    "PT30M,PT30M", "pt30m,PT30M", "P2D,PT48H", "' 5m ',PT5M", "0s,PT0S"})
  void durationsInShortAndIsoForm(String text, String iso) {
    // GIVEN a duration text WHEN parsing THEN it is the expected duration
    assertThat(Durations.parse(text)).isEqualTo(Duration.parse(iso));
  }

  @ParameterizedTest
  @ValueSource(strings = {"30", "", "m", "30x", "30M", "-5m", "PT-5M", "P1M", "1.5h", "99999999999999999999d"})
  void badDurationsNameTheTextAndTheAcceptedForms(String text) {
    // GIVEN a bad duration WHEN parsing THEN the message quotes it and shows examples
    assertThatThrownBy(() -> Durations.parse(text)).isInstanceOf(IllegalArgumentException.class)
      .hasMessage("'" + text + "' is not a duration (e.g. 10s, 30m, 1h, 90d or PT30M)");
  }

  @ParameterizedTest
  @ValueSource(strings = {"90d", "36h", "90m", "45s", "1500ms", "0s"})
  void durationFormatRoundTrips(String text) {
    // GIVEN a duration in its shortest form WHEN formatting its value THEN the same text comes back
    assertThat(Durations.format(Durations.parse(text))).isEqualTo(text);
  }

  @Test
  void durationFormatFallsBackToIsoForSubMillisecondValues() {
    // GIVEN nanoseconds WHEN formatting THEN ISO-8601 keeps it exact
    Duration d = Duration.ofNanos(1500);
    assertThat(Durations.parse(Durations.format(d))).isEqualTo(d);
  }

  @ParameterizedTest
  @CsvSource({"512,512", "512B,512", "64KiB,65536", "256kib,262144", "1MiB,1048576", "2GiB,2147483648",
    "1KB,1000", "10MB,10000000", "1gb,1000000000", "' 8 KiB ',8192"})
  void byteSizesWithBinaryAndDecimalUnits(String text, long bytes) {
    // GIVEN a size text WHEN parsing THEN it is the expected number of bytes
    assertThat(ByteSizes.parse(text)).isEqualTo(bytes);
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "KiB", "1.5MiB", "-1", "10 parsecs", "1TiB", "99999999999GiB"})
  void badByteSizesNameTheTextAndTheAcceptedForms(String text) {
    // GIVEN a bad size WHEN parsing THEN the message quotes it and shows examples
    assertThatThrownBy(() -> ByteSizes.parse(text)).hasMessage("'" + text + "' is not a byte size (e.g. 512, 64KiB, 1MiB or 1GB)");
  }

  @ParameterizedTest
  @ValueSource(longs = {0, 1, 1000, 1024, 262144, 1_000_000, 1_000_001, 3L << 30})
  void byteSizeFormatRoundTrips(long bytes) {
    // GIVEN a size WHEN formatting and parsing again THEN it is unchanged
    assertThat(ByteSizes.parse(ByteSizes.format(bytes))).isEqualTo(bytes);
  }

  @Test
  void byteSizeFormatPrefersBinaryUnits() {
    // GIVEN common sizes WHEN formatting THEN they read as an operator would write them
    assertThat(ByteSizes.format(262144)).isEqualTo("256KiB");
    assertThat(ByteSizes.format(1_000_000)).isEqualTo("1MB");
    assertThat(ByteSizes.format(1_000_001)).isEqualTo("1000001B");
  }

  @Test
  void yamlNumbersAreAcceptedWhereTheTypeAllows() {
    // GIVEN native numbers as SnakeYAML produces them
    // WHEN parsing THEN integers and sizes accept them, durations insist on a unit
    assertThat(ConfigType.PORT.parse(8080)).isEqualTo(8080);
    assertThat(ConfigType.BYTE_SIZE.parse(1024)).isEqualTo(1024L);
    assertThatThrownBy(() -> ConfigType.DURATION.parse(30)).hasMessageContaining("'30' is not a duration");
  }

  @ParameterizedTest
  @CsvSource({"true,true", "FALSE,false", "yes,true", "off,false", "1,true", "0,false"})
  void booleanSpellings(String text, boolean expected) {
    // GIVEN a boolean text WHEN parsing THEN it is understood
    assertThat(ConfigType.BOOLEAN.parse(text)).isEqualTo(expected);
  }

  @Test
  void structuredValueWhereAScalarBelongsIsExplained() {
    // GIVEN a list for a string key WHEN parsing THEN the message says what was found
    assertThatThrownBy(() -> ConfigType.STRING.parse(List.of("a"))).hasMessage("expected a single value, got a list");
    assertThatThrownBy(() -> ConfigType.PORT.parse(List.of(1))).hasMessage("a list is not a port (1-65535, or 0 for any free port)");
  }

  @Test
  void listElementsMustBeScalars() {
    // GIVEN a list holding a map WHEN parsing THEN the element is named
    assertThatThrownBy(() -> ConfigType.STRING_LIST.parse(List.of("a", java.util.Map.of("b", 1))))
      .hasMessage("list element 2 is an object, expected a string");
  }
}
