package io.zto.broker;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class TopicFilterTest {

  @Test
  void validFiltersHaveWholeLevelWildcardsAndHashLast() {
    assertThat(TopicFilter.isValidFilter("a/+/b/#")).isTrue();
    assertThat(TopicFilter.isValidFilter("#")).isTrue();
    assertThat(TopicFilter.isValidFilter("a/#/b")).isFalse();
    assertThat(TopicFilter.isValidFilter("a+/b")).isFalse();
    assertThat(TopicFilter.isValidFilter("")).isFalse();
  }

  @Test
  void topicNamesHaveNoWildcards() {
    assertThat(TopicFilter.isValidTopicName("a/b")).isTrue();
    assertThat(TopicFilter.isValidTopicName("a/+")).isFalse();
    assertThat(TopicFilter.isValidTopicName("")).isFalse();
  }

  @Test
  void sharedSubscriptionsAreParsedIntoGroupAndFilter() {
    TopicFilter shared = TopicFilter.parse("$share/workers/devices/+/telemetry");
    assertThat(shared.group()).isEqualTo("workers");
    assertThat(shared.filter()).isEqualTo("devices/+/telemetry");
    assertThat(shared.raw()).isEqualTo("$share/workers/devices/+/telemetry");
    assertThat(TopicFilter.parse("$share/a")).isNull();
    assertThat(TopicFilter.parse("$share//x")).isNull();
    assertThat(TopicFilter.parse("$share/g+/x")).isNull();
  }

  @Test
  void matchingFollowsTheLevels() {
    assertThat(TopicFilter.matches("a/+", "a/b")).isTrue();
    assertThat(TopicFilter.matches("a/+", "a/b/c")).isFalse();
    assertThat(TopicFilter.matches("a/#", "a")).isTrue();
    assertThat(TopicFilter.matches("#", "$SYS/x")).isFalse();
  }

  @Test
  void coversDecidesWhetherAFilterStaysInsideAnother() {
    assertThat(TopicFilter.covers("devices/+/telemetry", "devices/d1/telemetry")).isTrue();
    assertThat(TopicFilter.covers("devices/+/telemetry", "devices/+/telemetry")).isTrue();
    assertThat(TopicFilter.covers("devices/+/telemetry", "devices/#")).isFalse();
    assertThat(TopicFilter.covers("devices/#", "devices/+/x/#")).isTrue();
    assertThat(TopicFilter.covers("devices/d1/#", "devices/+/x")).isFalse();
  }
}
