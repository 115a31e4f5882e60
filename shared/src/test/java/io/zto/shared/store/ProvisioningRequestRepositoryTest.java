package io.zto.shared.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.zto.shared.domain.Device;
import io.zto.shared.domain.Page;
import io.zto.shared.domain.ProvisioningRequest;
import io.zto.shared.domain.ProvisioningRequest.Status;
import io.zto.shared.testing.Await;
import io.zto.shared.testing.BackendTest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

class ProvisioningRequestRepositoryTest {

  private static final Instant NOW = Instant.parse("2026-11-28T04:00:00Z");

  private static ProvisioningRequest pending(String deviceId, String requestId, long createdAtMillis) {
    ProvisioningRequest r = ProvisioningRequest.received(deviceId, requestId, Status.PENDING, "manual approval",
        "fp-" + deviceId, "SN", null, new JsonObject().put("fw", "2.1"));
    return new ProvisioningRequest(r.id(), deviceId, requestId, Status.PENDING, r.reason(), r.ldevidFingerprint(),
        r.idevidSerial(), null, "enr-1", null, r.info(), null, Instant.ofEpochMilli(createdAtMillis), null, null);
  }

  @BackendTest
  void recordedRequestIsFoundWithEveryField(Database db) {
    ProvisioningRequestRepository repo = new ProvisioningRequestRepository(db);
    // GIVEN a pending request WHEN recorded
    ProvisioningRequest r = pending("dev-1", "req-1", 1000);
    ProvisioningRequestRepository.Recorded recorded = Await.result(repo.record(r));
    // THEN it is new and reads back equal, by (device, requestId) and by id
    assertThat(recorded.created()).isTrue();
    assertThat(recorded.request()).isEqualTo(r);
    assertThat(Await.result(repo.find("dev-1", "req-1"))).contains(r);
    assertThat(Await.result(repo.get(r.id()))).contains(r);
    assertThat(Await.result(repo.find("dev-1", "req-2"))).isEmpty();
  }

  @BackendTest
  void whatTheLdevidPresentedIsKeptForTheApproval(Database db) {
    ProvisioningRequestRepository repo = new ProvisioningRequestRepository(db);
    // GIVEN a request held because its LDevID chains to another anchor WHEN recorded
    ProvisioningRequest r = pending("dev-1", "req-1", 1000)
        .withPresented(new ProvisioningRequest.Presented("anchor-b", "bfp", "0a1b", "CN=Line CA,O=B"));
    Await.result(repo.record(r));
    // THEN the anchor, serial and issuer read back, and the queue shows the anchor
    ProvisioningRequest read = Await.result(repo.get(r.id())).orElseThrow();
    assertThat(read).isEqualTo(r);
    assertThat(read.toJson().getString("trustAnchor")).isEqualTo("anchor-b");
  }

  @BackendTest
  void repeatedRequestIdReturnsTheFirstRow(Database db) {
    ProvisioningRequestRepository repo = new ProvisioningRequestRepository(db);
    // GIVEN a recorded request
    ProvisioningRequest first = pending("dev-1", "req-1", 1000);
    Await.result(repo.record(first));
    // WHEN the device repeats the requestId (a new row with a new id)
    ProvisioningRequestRepository.Recorded repeat = Await.result(repo.record(pending("dev-1", "req-1", 2000)));
    // THEN the first row comes back, not created
    assertThat(repeat.created()).isFalse();
    assertThat(repeat.request()).isEqualTo(first);
    // AND the same requestId of another device is its own request
    assertThat(Await.result(repo.record(pending("dev-2", "req-1", 3000))).created()).isTrue();
  }

  @BackendTest
  void concurrentRepeatsRecordOneRow(Database db) {
    ProvisioningRequestRepository repo = new ProvisioningRequestRepository(db);
    // WHEN two nodes record the same (device, requestId) at once
    Future<ProvisioningRequestRepository.Recorded> a = repo.record(pending("dev-1", "req-1", 1000));
    Future<ProvisioningRequestRepository.Recorded> b = repo.record(pending("dev-1", "req-1", 1000));
    ProvisioningRequestRepository.Recorded ra = Await.result(a);
    ProvisioningRequestRepository.Recorded rb = Await.result(b);
    // THEN exactly one created it, and both see the same row
    assertThat(List.of(ra.created(), rb.created())).containsExactlyInAnyOrder(true, false);
    assertThat(ra.request().id()).isEqualTo(rb.request().id());
  }

  @BackendTest
  void approvalQueueListsPendingOldestFirstAcrossPages(Database db) {
    ProvisioningRequestRepository repo = new ProvisioningRequestRepository(db);
    // GIVEN 4 pending requests recorded out of order (two at the same instant) and one decided
    Await.result(repo.record(pending("dev-3", "r", 3000)));
    Await.result(repo.record(pending("dev-1", "r", 1000)));
    Await.result(repo.record(pending("dev-2a", "r", 2000)));
    Await.result(repo.record(pending("dev-2b", "r", 2000)));
    ProvisioningRequest decided = pending("dev-0", "r", 500);
    Await.result(repo.record(decided));
    Await.result(repo.decide(decided.id(), Status.REJECTED, "unknown", "op", NOW));
    // WHEN the pending ones are paged 3 at a time
    List<String> seen = new ArrayList<>();
    Page<ProvisioningRequest> first = Await.result(repo.list(Status.PENDING, null, 3));
    first.items().forEach(r -> seen.add(r.deviceId()));
    Page<ProvisioningRequest> second = Await.result(repo.list(Status.PENDING, first.nextCursor(), 3));
    second.items().forEach(r -> seen.add(r.deviceId()));
    // THEN oldest first, each once, the decided one absent
    assertThat(seen.get(0)).isEqualTo("dev-1");
    assertThat(seen.subList(1, 3)).containsExactlyInAnyOrder("dev-2a", "dev-2b");
    assertThat(seen.get(3)).isEqualTo("dev-3");
    assertThat(seen).hasSize(4);
    assertThat(second.nextCursor()).isNull();
    assertThat(Await.result(repo.list(null, null, 10)).items()).hasSize(5);
  }

  @BackendTest
  void decidingAPendingRequestRecordsWhoAndWhenOnce(Database db) {
    ProvisioningRequestRepository repo = new ProvisioningRequestRepository(db);
    ProvisioningRequest r = pending("dev-1", "req-1", 1000);
    Await.result(repo.record(r));
    // WHEN approved, then rejected by someone else
    assertThat(Await.result(repo.decide(r.id(), Status.PROVISIONED, null, "alice", NOW))).isTrue();
    assertThat(Await.result(repo.decide(r.id(), Status.REJECTED, "no", "bob", NOW.plusSeconds(1)))).isFalse();
    // THEN the first decision stands
    ProvisioningRequest stored = Await.result(repo.get(r.id())).orElseThrow();
    assertThat(stored.status()).isEqualTo(Status.PROVISIONED);
    assertThat(stored.decidedBy()).isEqualTo("alice");
    assertThat(stored.decidedAt()).isEqualTo(NOW);
    assertThat(stored.reason()).isNull();
  }

  @BackendTest
  void concurrentDecisionsLetExactlyOneDecide(Database db) {
    ProvisioningRequestRepository repo = new ProvisioningRequestRepository(db);
    ProvisioningRequest r = pending("dev-1", "req-1", 1000);
    Await.result(repo.record(r));
    // WHEN two operators decide at once
    Future<Boolean> approve = repo.decide(r.id(), Status.PROVISIONED, null, "alice", NOW);
    Future<Boolean> reject = repo.decide(r.id(), Status.REJECTED, "no", "bob", NOW);
    boolean approved = Await.result(approve);
    boolean rejected = Await.result(reject);
    // THEN one decided, and the stored status is that one's
    assertThat(approved ^ rejected).isTrue();
    assertThat(Await.result(repo.get(r.id())).orElseThrow().status())
        .isEqualTo(approved ? Status.PROVISIONED : Status.REJECTED);
  }

  @BackendTest
  void sealedAnswerIsReadableUntilItExpiresAndThenPurged(Database db) {
    ProvisioningRequestRepository repo = new ProvisioningRequestRepository(db);
    ProvisioningRequest a = pending("dev-1", "req-1", 1000);
    ProvisioningRequest b = pending("dev-2", "req-1", 1000);
    Await.result(repo.record(a));
    Await.result(repo.record(b));
    byte[] sealed = {1, 2, 3, (byte) 0xff};
    // GIVEN a's answer expiring at NOW+10 min and b's at NOW+20 min
    assertThat(Await.result(repo.storeAnswer(a.id(), sealed, NOW.plusSeconds(600)))).isTrue();
    Await.result(repo.storeAnswer(b.id(), sealed, NOW.plusSeconds(1200)));
    // THEN before expiry it reads back; at expiry it does not
    assertThat(Await.result(repo.readAnswer(a.id(), NOW)).orElseThrow().sealed()).isEqualTo(sealed);
    assertThat(Await.result(repo.readAnswer(a.id(), NOW.plusSeconds(600)))).isEmpty();
    // WHEN purged at NOW+15 min THEN only a's is gone, and a second purge finds nothing
    assertThat(Await.result(repo.purgeExpiredAnswers(NOW.plusSeconds(900)))).isEqualTo(1);
    assertThat(Await.result(repo.purgeExpiredAnswers(NOW.plusSeconds(900)))).isZero();
    assertThat(Await.result(repo.readAnswer(a.id(), NOW))).isEmpty();
    assertThat(Await.result(repo.readAnswer(b.id(), NOW))).isPresent();
  }

  @BackendTest
  void latestRequestOfADeviceIsTheNewest(Database db) {
    ProvisioningRequestRepository repo = new ProvisioningRequestRepository(db);
    Await.result(repo.record(pending("dev-1", "old", 1000)));
    Await.result(repo.record(pending("dev-1", "new", 2000)));
    // WHEN the device comes back THEN its newest request is found
    assertThat(Await.result(repo.latestOf("dev-1")).orElseThrow().requestId()).isEqualTo("new");
    assertThat(Await.result(repo.latestOf("dev-2"))).isEmpty();
  }

  private static ProvisioningRequest decided(String deviceId, String requestId, Status status, Instant createdAt) {
    return new ProvisioningRequest(java.util.UUID.randomUUID().toString(), deviceId, requestId, status, "why",
        null, null, null, null, null, null, null, createdAt, createdAt, "system");
  }

  @BackendTest
  void purgeOfUnknownDevicesDeletesOnlyTheirOldRefusedRequests(Database db) {
    ProvisioningRequestRepository repo = new ProvisioningRequestRepository(db);
    DeviceRepository devices = new DeviceRepository(db);
    // GIVEN a device nobody registered and a provisioned one, each with requests of 8 days and 1 hour ago
    Await.result(devices.upsert(Device.seen("stranger", "default", Device.State.UNKNOWN)));
    Await.result(devices.upsert(Device.seen("known", "default", Device.State.PROVISIONED)));
    Instant old = NOW.minus(Duration.ofDays(8));
    Instant recent = NOW.minus(Duration.ofHours(1));
    ProvisioningRequest strangerOld = decided("stranger", "r-1", Status.REJECTED, old);
    ProvisioningRequest strangerRecent = decided("stranger", "r-2", Status.REJECTED, recent);
    ProvisioningRequest knownRefused = decided("known", "r-1", Status.REJECTED, old);
    ProvisioningRequest knownProvisioned = decided("known", "r-2", Status.PROVISIONED, old);
    for (ProvisioningRequest r : List.of(strangerOld, strangerRecent, knownRefused, knownProvisioned)) {
      Await.result(repo.record(r));
    }
    // WHEN requests of unknown devices older than 7 days are purged
    int purged = Await.result(repo.purgeUnknownOlderThan(NOW.minus(Duration.ofDays(7))));
    // THEN only the stranger's old request is gone; the stranger itself is still listed
    assertThat(purged).isEqualTo(1);
    assertThat(Await.result(repo.get(strangerOld.id()))).isEmpty();
    for (ProvisioningRequest kept : List.of(strangerRecent, knownRefused, knownProvisioned)) {
      assertThat(Await.result(repo.get(kept.id()))).as(kept.deviceId() + " " + kept.requestId()).isPresent();
    }
    assertThat(Await.result(devices.get("stranger"))).isPresent();
  }
}
