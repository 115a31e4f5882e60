package io.zto.shared.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import io.zto.shared.domain.AuditEvent;
import io.zto.shared.testing.Await;
import io.zto.shared.testing.BackendTest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;

class RefusalAggregatorTest {

  private static final Instant T0 = Instant.parse("2026-12-01T10:00:00Z");
  private static final Duration WINDOW = Duration.ofMinutes(1);

  /** A clock the test moves. */
  private static final class TestClock extends Clock {
    Instant now = T0;

    @Override
    public ZoneOffset getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(java.time.ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return now;
    }
  }

  private static AuditEvent refusal(String source, String reason) {
    return AuditEvent.refused(source, "api.authenticate", "/api/v1/devices", reason);
  }

  private static List<AuditEvent> rows(AuditRepository audit) {
    return Await.result(audit.list(AuditRepository.Query.all(500))).items();
  }

  private static long count(AuditEvent row) {
    return row.details().getLong("count");
  }

  @BackendTest
  void aFloodOfRefusalsFromOneSourceIsOneRowPerWindowWithItsCount(Database db) {
    AuditRepository audit = new AuditRepository(db);
    TestClock clock = new TestClock();
    RefusalAggregator refusals = new RefusalAggregator(audit, WINDOW, clock);
    // GIVEN 1,000 refusals from one address and 3 from another, within one window
    for (int i = 0; i < 1_000; i++) {
      Await.result(refusals.refused(refusal("192.0.2.1", "missing bearer token")));
    }
    for (int i = 0; i < 3; i++) {
      Await.result(refusals.refused(refusal("192.0.2.2", "missing bearer token")));
    }
    // WHEN the counts are flushed
    clock.now = T0.plusSeconds(30);
    Await.result(refusals.flush());
    // THEN one row per source, each with how many refusals it stands for
    List<AuditEvent> rows = rows(audit);
    assertThat(rows).hasSize(2).allMatch(row -> row.outcome() == AuditEvent.Outcome.REFUSED);
    assertThat(rows).extracting(AuditEvent::actor).containsExactlyInAnyOrder("192.0.2.1", "192.0.2.2");
    AuditEvent flood = rows.stream().filter(row -> row.actor().equals("192.0.2.1")).findFirst().orElseThrow();
    assertThat(count(flood)).isEqualTo(1_000);
    assertThat(flood.reason()).isEqualTo("missing bearer token");
    assertThat(flood.details().getString("lastAt")).isEqualTo(T0.toString());
  }

  @BackendTest
  void anotherReasonOrANewWindowIsANewRowAndTheOldCountIsKept(Database db) {
    AuditRepository audit = new AuditRepository(db);
    TestClock clock = new TestClock();
    RefusalAggregator refusals = new RefusalAggregator(audit, WINDOW, clock);
    // GIVEN 5 refusals of one source and one of another reason
    for (int i = 0; i < 5; i++) {
      Await.result(refusals.refused(refusal("192.0.2.1", "missing bearer token")));
    }
    Await.result(refusals.refused(refusal("192.0.2.1", "wrong bearer token")));
    // WHEN the window has passed (nothing flushed in between) and the source is refused again
    clock.now = T0.plus(WINDOW).plusSeconds(1);
    Await.result(refusals.refused(refusal("192.0.2.1", "missing bearer token")));
    Await.result(refusals.flush());
    // THEN the old window's row got its count of 5, and the new window has its own row of 1
    List<AuditEvent> rows = rows(audit);
    assertThat(rows).hasSize(3);
    assertThat(rows).filteredOn(row -> row.reason().equals("missing bearer token"))
        .extracting(RefusalAggregatorTest::count).containsExactly(1L, 5L);
    assertThat(rows).filteredOn(row -> row.reason().equals("wrong bearer token"))
        .extracting(RefusalAggregatorTest::count).containsExactly(1L);
  }

  @BackendTest
  void sourcesBeyondTheBoundShareOneRow(Database db) {
    AuditRepository audit = new AuditRepository(db);
    TestClock clock = new TestClock();
    RefusalAggregator refusals = new RefusalAggregator(audit, WINDOW, clock, 3);
    // GIVEN refusals from 10 addresses in one window, with room for 3
    for (int i = 1; i <= 10; i++) {
      Await.result(refusals.refused(refusal("192.0.2." + i, "missing bearer token")
          .withDetails(new JsonObject().put("listener", "api"))));
    }
    Await.result(refusals.flush());
    // THEN 3 rows of their own and one for the other 7, details kept
    List<AuditEvent> rows = rows(audit);
    assertThat(rows).hasSize(4).allMatch(row -> "api".equals(row.details().getString("listener")));
    AuditEvent many = rows.stream().filter(row -> row.actor().equals(RefusalAggregator.MANY_SOURCES)).findFirst()
        .orElseThrow();
    assertThat(count(many)).isEqualTo(7);
  }
}
