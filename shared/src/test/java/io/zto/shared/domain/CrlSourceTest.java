package io.zto.shared.domain;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** When a CRL source is fetched next, and when it is stale. */
class CrlSourceTest {

  private static final Instant T0 = Instant.parse("2026-11-28T08:00:00Z");

  private static CrlSource source(Instant lastAttempt, int failures, Instant thisUpdate, Instant nextUpdate) {
    return new CrlSource("src-1", "http://pki/ca.crl", "pem", "fp", 3600, CrlSource.StalePolicy.KEEP_LAST, null,
        null, thisUpdate == null ? null : "1", null, thisUpdate, nextUpdate, lastAttempt, null, null, failures, T0);
  }

  @Test
  void aNewSourceIsDueAtOnce() {
    assertThat(source(null, 0, null, null).nextAttemptAt()).isEqualTo(T0);
  }

  @Test
  void afterASuccessTheRefreshIntervalShortenedByAtMostATenthApplies() {
    // GIVEN a CRL valid for a day, fetched at T0, refreshed every hour
    Instant due = source(T0, 0, T0, T0.plus(Duration.ofDays(1))).nextAttemptAt();
    // THEN it is due within the hour, at most 6 minutes early (jitter)
    assertThat(due).isBetween(T0.plus(Duration.ofMinutes(54)), T0.plus(Duration.ofHours(1)));
  }

  @Test
  void aNextUpdateSoonerThanTheRefreshIntervalIsFetchedAMinuteAhead() {
    Instant due = source(T0, 0, T0, T0.plus(Duration.ofMinutes(10))).nextAttemptAt();
    assertThat(due).isEqualTo(T0.plus(Duration.ofMinutes(9)));
    // AND a nextUpdate already past does not make it hammer the server
    assertThat(source(T0, 0, T0.minusSeconds(60), T0.minusSeconds(1)).nextAttemptAt())
        .isEqualTo(T0.plus(CrlSource.MIN_INTERVAL));
  }

  @Test
  void failuresBackOffExponentiallyUpToTheCap() {
    Duration previous = Duration.ZERO;
    for (int failures = 1; failures <= 12; failures++) {
      Duration wait = Duration.between(T0, source(T0, failures, null, null).nextAttemptAt());
      Duration nominal = CrlSource.FIRST_BACKOFF.multipliedBy(1L << Math.min(failures - 1, 20));
      Duration expected = nominal.compareTo(CrlSource.MAX_BACKOFF) > 0 ? CrlSource.MAX_BACKOFF : nominal;
      // THEN each wait is the doubled backoff, shortened by at most a fifth, never beyond the cap
      assertThat(wait).isLessThanOrEqualTo(expected).isGreaterThanOrEqualTo(expected.multipliedBy(4).dividedBy(5));
      if (failures > 1 && expected.compareTo(CrlSource.MAX_BACKOFF) < 0) {
        assertThat(wait).isGreaterThan(previous);
      }
      previous = wait;
    }
  }

  @Test
  void staleOncePastNextUpdateOrWhenTheFirstFetchFailed() {
    Instant nextUpdate = T0.plusSeconds(60);
    assertThat(source(T0, 0, T0, nextUpdate).staleSince(T0.plusSeconds(30))).isEmpty();
    assertThat(source(T0, 0, T0, nextUpdate).staleSince(T0.plusSeconds(90))).contains(nextUpdate);
    assertThat(source(null, 0, null, null).staleSince(T0.plusSeconds(90))).isEmpty();
    assertThat(source(T0, 1, null, null).staleSince(T0.plusSeconds(90))).contains(T0);
    assertThat(source(T0, 0, T0, null).staleSince(T0.plusSeconds(1_000_000))).isEmpty();
  }
}
