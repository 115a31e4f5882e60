package io.zto.shared.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import io.zto.shared.domain.AuditEvent;
import io.zto.shared.domain.Page;
import io.zto.shared.testing.Await;
import io.zto.shared.testing.BackendTest;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

class AuditRepositoryTest {

  @BackendTest
  void appendedEventsAreListedNewestFirstWithTheirDetails(Database db) {
    AuditRepository audit = new AuditRepository(db);
    // GIVEN a refusal and a success
    Await.result(audit.append(AuditEvent.refused("dev-1", "mqtt.connect", "dev-1", "wrong password")
        .withDetails(new JsonObject().put("listener", "operational"))));
    Await.result(audit.append(AuditEvent.succeeded("operator", "enrollment.create", "dev-2").withNode("node-a")));
    // WHEN listed
    Page<AuditEvent> page = Await.result(audit.list(AuditRepository.Query.all(10)));
    // THEN newest first, everything kept
    assertThat(page.items()).extracting(AuditEvent::action).containsExactly("enrollment.create", "mqtt.connect");
    AuditEvent refusal = page.items().get(1);
    assertThat(refusal.outcome()).isEqualTo(AuditEvent.Outcome.REFUSED);
    assertThat(refusal.reason()).isEqualTo("wrong password");
    assertThat(refusal.details().getString("listener")).isEqualTo("operational");
    assertThat(page.items().get(0).node()).isEqualTo("node-a");
    assertThat(page.nextCursor()).isNull();
  }

  @BackendTest
  void listingPagesThroughEveryEventOnceAndFilters(Database db) {
    AuditRepository audit = new AuditRepository(db);
    // GIVEN 7 events, 3 of them refusals of dev-x
    for (int i = 0; i < 7; i++) {
      AuditEvent e = i % 2 == 0 && i < 6
          ? AuditEvent.refused("dev-x", "est.enroll", "dev-x", "challenge expired")
          : AuditEvent.succeeded("operator", "device.get", "dev-" + i);
      Await.result(audit.append(e));
    }
    // WHEN paged 3 at a time
    Page<AuditEvent> first = Await.result(audit.list(AuditRepository.Query.all(3)));
    Page<AuditEvent> second = Await.result(audit.list(new AuditRepository.Query(null, null, null, null, first.nextCursor(), 3)));
    Page<AuditEvent> third = Await.result(audit.list(new AuditRepository.Query(null, null, null, null, second.nextCursor(), 3)));
    // THEN 3 + 3 + 1, no overlap, last page has no cursor
    assertThat(first.items()).hasSize(3);
    assertThat(second.items()).hasSize(3);
    assertThat(third.items()).hasSize(1);
    assertThat(third.nextCursor()).isNull();
    assertThat(first.items().get(2).id()).isGreaterThan(second.items().get(0).id());
    // AND a filter on subject and outcome finds exactly the refusals
    Page<AuditEvent> refusals = Await.result(audit.list(
        new AuditRepository.Query("dev-x", null, AuditEvent.Outcome.REFUSED, null, null, 50)));
    assertThat(refusals.items()).hasSize(3).allMatch(e -> e.reason().equals("challenge expired"));
  }

  @BackendTest
  void purgeDeletesOnlyRowsOlderThanTheRetention(Database db) {
    AuditRepository audit = new AuditRepository(db);
    Instant now = Instant.parse("2026-12-01T10:00:00Z");
    // GIVEN rows of 100 days, 89 days and 1 minute ago
    for (Duration age : List.of(Duration.ofDays(100), Duration.ofDays(89), Duration.ofMinutes(1))) {
      Await.result(audit.append(new AuditEvent(0, now.minus(age), "operator", "device.get", "d-" + age.toDays(),
          AuditEvent.Outcome.SUCCEEDED, null, null, null)));
    }
    // WHEN rows older than 90 days are purged
    int purged = Await.result(audit.purgeOlderThan(now.minus(Duration.ofDays(90))));
    // THEN only the 100-day-old one is gone
    assertThat(purged).isEqualTo(1);
    assertThat(Await.result(audit.list(AuditRepository.Query.all(10))).items()).extracting(AuditEvent::subject)
        .containsExactly("d-0", "d-89");
  }
}
