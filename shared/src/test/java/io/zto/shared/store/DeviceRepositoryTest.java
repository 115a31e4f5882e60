package io.zto.shared.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import io.zto.shared.domain.Activation;
import io.zto.shared.domain.Device;
import io.zto.shared.domain.Enrollment;
import io.zto.shared.domain.EnrollmentStatus;
import io.zto.shared.domain.IssuedCertificate;
import io.zto.shared.domain.MqttCredential;
import io.zto.shared.domain.ProvisioningRequest;
import io.zto.shared.domain.RevocationReason;
import io.zto.shared.domain.Page;
import io.zto.shared.testing.Await;
import io.zto.shared.testing.BackendTest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

class DeviceRepositoryTest {

  private static final Instant T1 = Instant.parse("2026-11-28T04:00:00Z");
  private static final Instant T2 = T1.plusSeconds(60);

  @BackendTest
  void upsertCreatesThenUpdatesKeepingCreationAndProvisioningTimes(Database db) {
    DeviceRepository devices = new DeviceRepository(db);
    // GIVEN a device provisioned once
    Device first = Device.seen("dev-1", "default", Device.State.PROVISIONED).withEnrollment("enr-1", null)
        .withLdevid("fp-1", "01", "CN=Customer CA").withIdevid("SN-1", "HW-1")
        .withRequest("req-1", new JsonObject().put("fw", "1.0"));
    Device created = Await.result(devices.upsert(first));
    assertThat(created).isEqualTo(first);
    // WHEN it asks again with new evidence, as pending, later
    Device again = new Device("dev-1", "default", Device.State.PENDING, null, "grp-1", "fp-2", "02", "CN=Other",
        null, null, "req-2", null, T2, T2, null, null);
    Device updated = Await.result(devices.upsert(again));
    // THEN the evidence is replaced, but created_at and provisioned_at are kept
    assertThat(updated.state()).isEqualTo(Device.State.PENDING);
    assertThat(updated.ldevidFingerprint()).isEqualTo("fp-2");
    assertThat(updated.groupId()).isEqualTo("grp-1");
    assertThat(updated.enrollmentId()).isNull();
    assertThat(updated.lastRequestId()).isEqualTo("req-2");
    assertThat(updated.createdAt()).isEqualTo(first.createdAt());
    assertThat(updated.provisionedAt()).isEqualTo(first.provisionedAt());
    assertThat(updated.updatedAt()).isEqualTo(T2);
    assertThat(Await.result(devices.get("dev-1"))).contains(updated);
  }

  @BackendTest
  void upsertDoesNotOverwriteADisabledDevice(Database db) {
    DeviceRepository devices = new DeviceRepository(db);
    // GIVEN a device an operator disabled
    Await.result(devices.upsert(Device.seen("dev-1", "default", Device.State.PROVISIONED)));
    assertThat(Await.result(devices.setState("dev-1", Device.State.DISABLED, T1))).isTrue();
    // WHEN a racing provisioning upserts it as provisioned
    Device result = Await.result(devices.upsert(Device.seen("dev-1", "default", Device.State.PROVISIONED)
        .withRequest("req-9", null)));
    // THEN the stored, disabled row is returned and kept
    assertThat(result.state()).isEqualTo(Device.State.DISABLED);
    assertThat(result.lastRequestId()).isNull();
    assertThat(Await.result(devices.get("dev-1")).orElseThrow().state()).isEqualTo(Device.State.DISABLED);
  }

  @BackendTest
  void settingStateRecordsWhenAndProvisionedAt(Database db) {
    DeviceRepository devices = new DeviceRepository(db);
    // GIVEN a pending device
    Await.result(devices.upsert(Device.seen("dev-1", "default", Device.State.PENDING)));
    // WHEN approved (provisioned) at T1
    assertThat(Await.result(devices.setState("dev-1", Device.State.PROVISIONED, T1))).isTrue();
    // THEN state, updated_at and provisioned_at are T1
    Device stored = Await.result(devices.get("dev-1")).orElseThrow();
    assertThat(stored.state()).isEqualTo(Device.State.PROVISIONED);
    assertThat(stored.updatedAt()).isEqualTo(T1);
    assertThat(stored.provisionedAt()).isEqualTo(T1);
    // AND an unknown device is not changed
    assertThat(Await.result(devices.setState("nope", Device.State.DISABLED, T1))).isFalse();
  }

  @BackendTest
  void touchNeverMovesLastSeenBackwards(Database db) {
    DeviceRepository devices = new DeviceRepository(db);
    Await.result(devices.upsert(Device.seen("dev-1", "default", Device.State.PROVISIONED)));
    // GIVEN seen at T2 WHEN a late report says T1
    assertThat(Await.result(devices.touch("dev-1", T2))).isTrue();
    assertThat(Await.result(devices.touch("dev-1", T1))).isFalse();
    // THEN last_seen_at stays T2
    assertThat(Await.result(devices.get("dev-1")).orElseThrow().lastSeenAt()).isEqualTo(T2);
  }

  @BackendTest
  void listingPagesAndFiltersByStateAndTenant(Database db) {
    DeviceRepository devices = new DeviceRepository(db);
    // GIVEN 5 devices of two tenants and two states
    for (int i = 0; i < 5; i++) {
      Await.result(devices.upsert(Device.seen("dev-" + i, i < 3 ? "t1" : "t2",
          i % 2 == 0 ? Device.State.PROVISIONED : Device.State.UNKNOWN)));
    }
    // WHEN paged 2 at a time THEN every device once, by id
    List<String> seen = new ArrayList<>();
    String cursor = null;
    do {
      Page<Device> page = Await.result(devices.list(null, null, cursor, 2));
      page.items().forEach(d -> seen.add(d.id()));
      cursor = page.nextCursor();
    } while (cursor != null);
    assertThat(seen).containsExactly("dev-0", "dev-1", "dev-2", "dev-3", "dev-4");
    // AND filters combine
    assertThat(Await.result(devices.list(Device.State.PROVISIONED, "t1", null, 10)).items()).extracting(Device::id)
        .containsExactly("dev-0", "dev-2");
    assertThat(Await.result(devices.list(Device.State.UNKNOWN, null, null, 10)).items()).extracting(Device::id)
        .containsExactly("dev-1", "dev-3");
    assertThat(Await.result(devices.list(null, "t2", null, 10)).items()).extracting(Device::id)
        .containsExactly("dev-3", "dev-4");
  }

  @BackendTest
  void deletedDeviceIsGone(Database db) {
    DeviceRepository devices = new DeviceRepository(db);
    Await.result(devices.upsert(Device.seen("dev-1", "default", Device.State.UNKNOWN)));
    // WHEN deleted twice THEN the first deletes, the second finds nothing
    assertThat(Await.result(devices.delete("dev-1"))).isTrue();
    assertThat(Await.result(devices.delete("dev-1"))).isFalse();
    assertThat(Await.result(devices.get("dev-1"))).isEmpty();
  }

  @BackendTest
  void retiringDoesEverythingInOneTransactionAndRepeatsSafely(Database db) {
    // GIVEN dev-r provisioned through its enrollment, with credentials, a valid certificate, a pending request
    Instant now = Instant.parse("2026-11-28T08:00:00Z");
    DeviceRepository devices = new DeviceRepository(db);
    EnrollmentRepository enrollments = new EnrollmentRepository(db);
    Enrollment enrollment = Await.result(enrollments.create(Enrollment.create(null, "dev-r", null, null, null,
        Activation.auto())));
    Await.result(devices.upsert(Device.seen("dev-r", "default", Device.State.PROVISIONED)
        .withEnrollment(enrollment.id(), null)));
    Await.result(new CredentialRepository(db).replace(new MqttCredential("dev-r", "dev-r", "hash", "r-1", now)));
    Await.result(new CertificateRepository(db).insert(IssuedCertificate.issued("0f", "dev-r", "issuing", "CN=dev-r",
        "device", "pk", "fp-0f", now.minusSeconds(60), now.plusSeconds(3600), new byte[] {1})));
    Await.result(new ProvisioningRequestRepository(db).record(ProvisioningRequest.received("dev-r", "r-2",
        ProvisioningRequest.Status.PENDING, "waiting", null, null, null, null)));
    // WHEN retired
    DeviceRepository.Retirement done = Await.result(devices.retire("dev-r", RevocationReason.CESSATION_OF_OPERATION,
        now)).orElseThrow();
    // THEN retired, certificate revoked for cessationOfOperation, credentials gone, enrollment closed,
    // pending request rejected
    assertThat(done.device().state()).isEqualTo(Device.State.RETIRED);
    assertThat(done.revoked()).extracting(IssuedCertificate::serial).containsExactly("0f");
    assertThat(Await.result(new CertificateRepository(db).get("0f")).orElseThrow().revocationReason())
        .isEqualTo(RevocationReason.CESSATION_OF_OPERATION);
    assertThat(Await.result(new CredentialRepository(db).get("dev-r"))).isEmpty();
    assertThat(Await.result(enrollments.get(enrollment.id())).orElseThrow().activation().status())
        .isEqualTo(EnrollmentStatus.DISABLED);
    assertThat(Await.result(new ProvisioningRequestRepository(db).find("dev-r", "r-2")).orElseThrow().status())
        .isEqualTo(ProvisioningRequest.Status.REJECTED);
    // AND a provisioning racing it cannot bring it back
    assertThat(Await.result(devices.upsert(Device.seen("dev-r", "default", Device.State.PROVISIONED))).state())
        .isEqualTo(Device.State.RETIRED);
    // WHEN retired again (a retry) THEN nothing more is revoked and the retirement time is kept
    DeviceRepository.Retirement again = Await.result(devices.retire("dev-r", RevocationReason.CESSATION_OF_OPERATION,
        now.plusSeconds(60))).orElseThrow();
    assertThat(again.revoked()).isEmpty();
    assertThat(again.device().updatedAt()).isEqualTo(now);
    assertThat(Await.result(devices.retire("nobody", RevocationReason.CESSATION_OF_OPERATION, now))).isEmpty();
    // AND only a re-registration naming that retirement brings it back
    assertThat(Await.result(devices.reregister("dev-r", now.minusSeconds(1), now.plusSeconds(90)))).isFalse();
    assertThat(Await.result(devices.reregister("dev-r", now, now.plusSeconds(90)))).isTrue();
    assertThat(Await.result(devices.get("dev-r")).orElseThrow().state()).isEqualTo(Device.State.UNKNOWN);
  }

  @BackendTest
  void bindingIsKeptByUnboundWritesAndChangedOnlyWhileItIsTheOneTheWriterSaw(Database db) {
    DeviceRepository devices = new DeviceRepository(db);
    Device.Binding first = new Device.Binding("anchor-a", "afp", "ldevid-1", T1);
    // GIVEN a device provisioned and bound to anchor-a and ldevid-1 (it was not bound before)
    Device bound = Await.result(devices.upsertIfBoundTo(Device.seen("dev-b", "default", Device.State.PROVISIONED)
        .withLdevid("ldevid-1", "01", "CN=A").withBinding(first), ""));
    assertThat(bound.binding()).isEqualTo(first);
    // WHEN a pending request of another LDevID writes the row without a binding THEN the binding is kept
    Device pending = Await.result(devices.upsert(Device.seen("dev-b", "default", Device.State.PENDING)
        .withLdevid("ldevid-2", "02", "CN=B")));
    assertThat(pending.binding()).isEqualTo(first);
    // WHEN a provisioning that saw the device unbound (it raced the first) writes another binding
    Device.Binding other = new Device.Binding("anchor-b", "bfp", "ldevid-2", T2);
    Device raced = Await.result(devices.upsertIfBoundTo(Device.seen("dev-b", "default", Device.State.PROVISIONED)
        .withBinding(other), ""));
    // THEN nothing is written and the stored row comes back, still bound to the first
    assertThat(raced.binding()).isEqualTo(first);
    assertThat(raced.state()).isEqualTo(Device.State.PENDING);
    // WHEN one that saw the current binding rebinds THEN it is written
    Device moved = Await.result(devices.upsertIfBoundTo(Device.seen("dev-b", "default", Device.State.PROVISIONED)
        .withBinding(other), "ldevid-1"));
    assertThat(moved.binding()).isEqualTo(other);
    assertThat(Await.result(devices.get("dev-b")).orElseThrow().binding()).isEqualTo(other);
  }

  @BackendTest
  void approvalBindsTheDeviceAndARegistrationAnewUnbindsIt(Database db) {
    DeviceRepository devices = new DeviceRepository(db);
    Await.result(devices.upsert(Device.seen("dev-c", "default", Device.State.PENDING).withLdevid("old", "01", "CN=A")));
    // WHEN an operator's approval binds it
    Device.Binding approved = new Device.Binding("anchor-a", "afp", "new", T1);
    assertThat(Await.result(devices.bind("dev-c", approved, "0a", "CN=Line CA"))).isTrue();
    // THEN the binding and the current LDevID are the approved ones
    Device row = Await.result(devices.get("dev-c")).orElseThrow();
    assertThat(row.binding()).isEqualTo(approved);
    assertThat(row.ldevidFingerprint()).isEqualTo("new");
    assertThat(row.ldevidSerial()).isEqualTo("0a");
    assertThat(row.ldevidIssuer()).isEqualTo("CN=Line CA");
    assertThat(row.toJson().getJsonObject("binding").getString("trustAnchor")).isEqualTo("anchor-a");
    // AND no device, no binding
    assertThat(Await.result(devices.bind("nobody", approved, null, null))).isFalse();
    // WHEN it is retired and registered anew THEN it starts over unbound
    Await.result(devices.retire("dev-c", RevocationReason.CESSATION_OF_OPERATION, T2));
    assertThat(Await.result(devices.bind("dev-c", approved, null, null))).isFalse();
    assertThat(Await.result(devices.reregister("dev-c", T2, T2.plusSeconds(1)))).isTrue();
    assertThat(Await.result(devices.get("dev-c")).orElseThrow().binding()).isNull();
  }
}
