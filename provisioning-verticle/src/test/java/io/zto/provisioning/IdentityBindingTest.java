package io.zto.provisioning;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import io.zto.shared.domain.Activation;
import io.zto.shared.domain.Approval;
import io.zto.shared.domain.Device;
import io.zto.shared.domain.Enrollment;
import io.zto.shared.domain.EnrollmentGroup;
import io.zto.shared.domain.ProvisioningRequest;
import io.zto.shared.domain.TrustAnchor;
import io.zto.shared.pki.Fingerprints;
import io.zto.shared.store.ChallengeRepository;
import io.zto.shared.store.CredentialRepository;
import io.zto.shared.store.DeviceRepository;
import io.zto.shared.store.EnrollmentRepository;
import io.zto.shared.store.ProvisioningRequestRepository;
import io.zto.shared.testing.Await;
import io.zto.shared.testing.DeviceIdentities;
import io.zto.shared.testing.DeviceIdentity;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Contract v2, "device identity is bound", at the provisioning service: the cross-customer takeover of
 * issue 13 (a foreign CA issuing a certificate with a provisioned device's id) and a second LDevID for the
 * same id are held for an operator, the victim keeping everything it has; enrollments accept only their
 * anchor or their tenant's; an operator's approval moves a device to a new LDevID.
 */
@ExtendWith(VertxExtension.class)
class IdentityBindingTest {

  /** Customer A's and customer B's PKIs, both registered as ldevid anchors. */
  private static final DeviceIdentities CUSTOMER_A = DeviceIdentities.create();
  private static final DeviceIdentities CUSTOMER_B = DeviceIdentities.create();

  private ProvisioningBus bus;
  private TrustAnchor anchorA;
  private TrustAnchor anchorB;

  @BeforeEach
  void deploy(Vertx vertx) {
    bus = ProvisioningBus.deploy(vertx);
    anchorA = bus.anchor("customer-a", TrustAnchor.Purpose.LDEVID, CUSTOMER_A.ldevidCa(), "default");
    anchorB = bus.anchor("customer-b", TrustAnchor.Purpose.LDEVID, CUSTOMER_B.ldevidCa(), "default");
  }

  @AfterEach
  void close() {
    bus.close();
  }

  @Test
  void anotherCustomersCaCannotTakeOverAProvisionedDevice() {
    // GIVEN dev-1 of customer A enrolled by device id (both anchors in one tenant: only the binding stops B)
    // and provisioned with its LDevID
    bus.enroll(Enrollment.create(null, "dev-1", null, null, null, Activation.auto()));
    DeviceIdentity victim = CUSTOMER_A.ldevid("dev-1");
    JsonObject provisioned = bus.ask(victim, "r-1");
    assertThat(provisioned.getString("status")).isEqualTo("provisioned");
    Victim before = Victim.of(bus, "dev-1");
    assertThat(before.device().binding().anchorId()).isEqualTo(anchorA.id());
    assertThat(before.device().binding().ldevidFingerprint()).isEqualTo(Fingerprints.sha256(victim.certificate()));
    // WHEN customer B's CA issues a certificate for dev-1 and it asks to be provisioned
    JsonObject attack = bus.ask(CUSTOMER_B.ldevid("dev-1"), "r-evil");
    // THEN it is held for an operator, saying why, with no config
    assertThat(attack.getString("status")).isEqualTo("pending");
    assertThat(attack.getString("reason")).startsWith("another CA").contains("customer-b");
    assertThat(attack.containsKey("config")).isFalse();
    ProvisioningRequest held = Await.result(new ProvisioningRequestRepository(bus.db).find("dev-1", "r-evil"))
        .orElseThrow();
    assertThat(held.status()).isEqualTo(ProvisioningRequest.Status.PENDING);
    assertThat(held.reason()).startsWith("another CA");
    assertThat(bus.auditReasons("dev-1")).anyMatch(r -> r.startsWith("pending approval: another CA"));
    // AND the victim's device row, MQTT password and EST challenge are exactly as they were
    assertThat(Victim.of(bus, "dev-1")).isEqualTo(before);
    String password = provisioned.getJsonObject("config").getJsonObject("mqtt").getString("password");
    assertThat(verifies(password, before.credential().passwordHash())).isTrue();
    // WHEN the foreign certificate repeats the victim's requestId (no secret) within the replay window
    JsonObject replayed = bus.ask(CUSTOMER_B.ldevid("dev-1"), "r-1");
    // THEN it does not get the victim's sealed answer
    assertThat(replayed.getString("status")).isEqualTo("rejected");
    assertThat(replayed.getString("reason")).contains("was sent with another LDevID");
    assertThat(replayed.containsKey("config")).isFalse();
    assertThat(bus.auditReasons("dev-1")).anyMatch(r -> r.contains("was sent with another LDevID"));
    // AND the victim repeating it still does
    assertThat(bus.ask(victim, "r-1")).isEqualTo(provisioned);
    // AND asking again with a new requestId is held again; the victim itself still provisions
    assertThat(bus.ask(CUSTOMER_B.ldevid("dev-1"), "r-evil-2").getString("status")).isEqualTo("pending");
    assertThat(bus.ask(victim, "r-2").getString("status")).isEqualTo("provisioned");
  }

  @Test
  void aSecondLdevidForABoundDeviceIdIsHeldAsLdevidChanged() {
    // GIVEN dev-2 provisioned with one LDevID of customer A
    bus.enroll(Enrollment.create(null, "dev-2", null, null, null, Activation.auto()));
    assertThat(bus.ask(CUSTOMER_A.ldevid("dev-2"), "r-1").getString("status")).isEqualTo("provisioned");
    Victim before = Victim.of(bus, "dev-2");
    // WHEN another LDevID with the same device id from the same CA asks
    DeviceIdentity second = CUSTOMER_A.ldevid("dev-2");
    JsonObject answer = bus.ask(second, "r-2");
    // THEN it waits: LDevID changed, naming the new fingerprint, and nothing of dev-2 changed
    assertThat(answer.getString("status")).isEqualTo("pending");
    assertThat(answer.getString("reason")).startsWith("LDevID changed")
        .contains(Fingerprints.sha256(second.certificate()));
    assertThat(Victim.of(bus, "dev-2")).isEqualTo(before);
  }

  @Test
  void aDeviceMovedToANewLdevidByAnOperatorsApprovalOnboards() {
    // GIVEN dev-3 provisioned with its old LDevID of customer A, and a new LDevID of customer B held
    bus.enroll(Enrollment.create(null, "dev-3", null, null, null, Activation.auto()));
    DeviceIdentity old = CUSTOMER_A.ldevid("dev-3");
    assertThat(bus.ask(old, "r-1").getString("status")).isEqualTo("provisioned");
    DeviceIdentity renewed = CUSTOMER_B.ldevid("dev-3");
    assertThat(bus.ask(renewed, "r-2").getString("status")).isEqualTo("pending");
    String id = Await.result(new ProvisioningRequestRepository(bus.db).find("dev-3", "r-2")).orElseThrow().id();
    // WHEN an operator approves the move
    assertThat(bus.decide(id, "approve").getString("status")).isEqualTo("provisioned");
    // THEN the device gets its config on that request, and is bound to the new anchor and LDevID
    JsonObject answer = bus.ask(renewed, "r-2");
    assertThat(answer.getString("status")).isEqualTo("provisioned");
    assertThat(answer.getJsonObject("config").getJsonObject("mqtt").getString("password")).isNotBlank();
    Device moved = Await.result(new DeviceRepository(bus.db).get("dev-3")).orElseThrow();
    assertThat(moved.binding().anchorId()).isEqualTo(anchorB.id());
    assertThat(moved.binding().ldevidFingerprint()).isEqualTo(Fingerprints.sha256(renewed.certificate()));
    assertThat(moved.ldevidFingerprint()).isEqualTo(Fingerprints.sha256(renewed.certificate()));
    // AND the approval is audited with what the device is now bound to
    assertThat(bus.audit("dev-3")).anyMatch(e -> e.action().equals("provisioning.approve")
        && anchorB.id().equals(e.details().getString("trustAnchor"))
        && Fingerprints.sha256(renewed.certificate()).equals(e.details().getString("ldevidFingerprint")));
    // AND from now on the new LDevID provisions at once, and the old one is the one held
    assertThat(bus.ask(renewed, "r-3").getString("status")).isEqualTo("provisioned");
    assertThat(bus.ask(old, "r-4").getString("reason")).startsWith("another CA");
  }

  @Test
  void anEnrollmentNamingTheNewLdevidRebindsWithoutAnOperator() {
    // GIVEN dev-4 provisioned with its old LDevID
    Enrollment first = bus.enroll(Enrollment.create(null, "dev-4", null, null, null, Activation.auto()));
    assertThat(bus.ask(CUSTOMER_A.ldevid("dev-4"), "r-1").getString("status")).isEqualTo("provisioned");
    // WHEN the operator registers its replacement LDevID by fingerprint
    DeviceIdentity replacement = CUSTOMER_A.ldevid("dev-4");
    EnrollmentRepository enrollments = new EnrollmentRepository(bus.db);
    Await.result(enrollments.delete(first.id()));
    bus.enroll(Enrollment.create(null, "dev-4", Fingerprints.sha256(replacement.certificate()), null, null,
        Activation.auto()));
    // THEN the replacement provisions at once and the device is bound to it
    assertThat(bus.ask(replacement, "r-2").getString("status")).isEqualTo("provisioned");
    assertThat(Await.result(new DeviceRepository(bus.db).get("dev-4")).orElseThrow().binding().ldevidFingerprint())
        .isEqualTo(Fingerprints.sha256(replacement.certificate()));
  }

  @Test
  void anEnrollmentAcceptsOnlyItsTenantsCasOrTheAnchorItNames() {
    // GIVEN customer C's CA in tenant customer-c, an enrollment of tenant default for dev-5, and one for
    // dev-6 naming anchor A
    DeviceIdentities customerC = DeviceIdentities.create();
    bus.anchor("customer-c", TrustAnchor.Purpose.LDEVID, customerC.ldevidCa(), "customer-c");
    bus.enroll(Enrollment.create(null, "dev-5", null, null, null, Activation.auto()));
    bus.enroll(Enrollment.create(null, "dev-6", null, null, null, Activation.auto()).withTrustAnchor(anchorA.id()));
    // WHEN C's certificate for dev-5 asks THEN it is refused: another tenant; nothing is stored for dev-5
    JsonObject foreignTenant = bus.ask(customerC.ldevid("dev-5"), "r-1");
    assertThat(foreignTenant.getString("status")).isEqualTo("rejected");
    assertThat(foreignTenant.getString("reason")).contains("of another tenant", "customer-c");
    assertThat(Await.result(new DeviceRepository(bus.db).get("dev-5"))).isEmpty();
    assertThat(Await.result(new CredentialRepository(bus.db).get("dev-5"))).isEmpty();
    assertThat(bus.auditReasons("dev-5")).anyMatch(r -> r.contains("of another tenant"));
    // WHEN B's certificate for dev-6 asks (same tenant, not the named anchor) THEN refused too
    JsonObject otherAnchor = bus.ask(CUSTOMER_B.ldevid("dev-6"), "r-1");
    assertThat(otherAnchor.getString("status")).isEqualTo("rejected");
    assertThat(otherAnchor.getString("reason")).contains("another CA (its trustAnchor)");
    assertThat(Await.result(new CredentialRepository(bus.db).get("dev-6"))).isEmpty();
    // AND A's certificate for dev-6 provisions
    assertThat(bus.ask(CUSTOMER_A.ldevid("dev-6"), "r-2").getString("status")).isEqualTo("provisioned");
  }

  @Test
  void aGroupOfAnotherCaCannotTakeADeviceBoundToAnother() {
    // GIVEN dev-7 provisioned through customer A's group, and a group of customer B's CA
    Await.result(new EnrollmentRepository(bus.db).createGroup(EnrollmentGroup.create(null, "a-line", anchorA.id(),
        Activation.auto())));
    Await.result(new EnrollmentRepository(bus.db).createGroup(EnrollmentGroup.create(null, "b-line", anchorB.id(),
        Activation.auto())));
    assertThat(bus.ask(CUSTOMER_A.ldevid("dev-7"), "r-1").getString("status")).isEqualTo("provisioned");
    Victim before = Victim.of(bus, "dev-7");
    // WHEN B's CA issues dev-7 and it asks (B's group matches it)
    JsonObject attack = bus.ask(CUSTOMER_B.ldevid("dev-7"), "r-2");
    // THEN it is held: another CA; dev-7 unchanged
    assertThat(attack.getString("status")).isEqualTo("pending");
    assertThat(attack.getString("reason")).startsWith("another CA");
    assertThat(Victim.of(bus, "dev-7")).isEqualTo(before);
  }

  @Test
  void aManuallyApprovedFirstProvisioningBindsAndAnUnboundDeviceIsBoundOnItsNextOne() {
    // GIVEN dev-8 waiting for manual approval of its first provisioning
    bus.enroll(Enrollment.create(null, "dev-8", null, null, null, Activation.auto().withApproval(Approval.MANUAL)));
    DeviceIdentity dev8 = CUSTOMER_A.ldevid("dev-8");
    assertThat(bus.ask(dev8, "r-1").getString("status")).isEqualTo("pending");
    assertThat(Await.result(new DeviceRepository(bus.db).get("dev-8")).orElseThrow().binding()).isNull();
    // WHEN approved THEN it is bound to its anchor and LDevID
    String id = Await.result(new ProvisioningRequestRepository(bus.db).find("dev-8", "r-1")).orElseThrow().id();
    bus.decide(id, "approve");
    Device.Binding bound = Await.result(new DeviceRepository(bus.db).get("dev-8")).orElseThrow().binding();
    assertThat(bound.anchorId()).isEqualTo(anchorA.id());
    assertThat(bound.anchorFingerprint()).isEqualTo(anchorA.fingerprint());
    assertThat(bound.ldevidFingerprint()).isEqualTo(Fingerprints.sha256(dev8.certificate()));
    // GIVEN dev-9 known from before bindings existed (a row without one)
    bus.enroll(Enrollment.create(null, "dev-9", null, null, null, Activation.auto()));
    Await.result(new DeviceRepository(bus.db).upsert(Device.seen("dev-9", "default", Device.State.PENDING)));
    // WHEN it provisions THEN it is bound
    DeviceIdentity dev9 = CUSTOMER_A.ldevid("dev-9");
    assertThat(bus.ask(dev9, "r-1").getString("status")).isEqualTo("provisioned");
    assertThat(Await.result(new DeviceRepository(bus.db).get("dev-9")).orElseThrow().binding().ldevidFingerprint())
        .isEqualTo(Fingerprints.sha256(dev9.certificate()));
  }

  @Test
  void twoLdevidsRacingForAnUnboundDeviceIdCannotBothBindIt() {
    for (int i = 0; i < 10; i++) {
      // GIVEN an enrolled device id nobody provisioned yet, and two LDevIDs with it from two customers
      String id = "race-" + i;
      bus.enroll(Enrollment.create(null, id, null, null, null, Activation.auto()));
      DeviceIdentity one = CUSTOMER_A.ldevid(id);
      DeviceIdentity other = CUSTOMER_B.ldevid(id);
      // WHEN both ask at the same moment
      var first = bus.vertx.eventBus().<JsonObject>request(io.zto.shared.bus.Addresses.PROVISIONING_REQUEST,
          message(one, "r-a"));
      var second = bus.vertx.eventBus().<JsonObject>request(io.zto.shared.bus.Addresses.PROVISIONING_REQUEST,
          message(other, "r-b"));
      Await.result(io.vertx.core.Future.join(first, second).otherwiseEmpty());
      // THEN exactly one is provisioned; the other waits for an operator or is told to ask again (503)
      List<JsonObject> answers = java.util.stream.Stream.of(first, second).filter(f -> f.succeeded())
          .map(f -> f.result().body()).toList();
      List<JsonObject> provisioned = answers.stream().filter(a -> "provisioned".equals(a.getString("status"))).toList();
      assertThat(provisioned).as("answers %s", answers).hasSize(1);
      java.util.stream.Stream.of(first, second).filter(f -> f.failed()).forEach(f -> assertThat(
          ((io.vertx.core.eventbus.ReplyException) f.cause()).failureCode()).isEqualTo(503));
      // AND the device is bound to the winner, whose password is the one stored
      DeviceIdentity winner = first.succeeded() && first.result().body() == provisioned.get(0) ? one : other;
      assertThat(Await.result(new DeviceRepository(bus.db).get(id)).orElseThrow().binding().ldevidFingerprint())
          .isEqualTo(Fingerprints.sha256(winner.certificate()));
      String password = provisioned.get(0).getJsonObject("config").getJsonObject("mqtt").getString("password");
      assertThat(verifies(password, Await.result(new CredentialRepository(bus.db).get(id)).orElseThrow()
          .passwordHash())).isTrue();
    }
  }

  /** Whether the stored hash is that of the secret (the platform's keyed hash of random secrets). */
  private static boolean verifies(String secret, String stored) {
    return io.zto.shared.testing.TestPki.shared().randomSecrets().verify(secret, stored);
  }

  private static JsonObject message(DeviceIdentity ldevid, String requestId) {
    String deviceId = io.zto.shared.pki.DeviceIds.fromCertificate(ldevid.certificate()).value();
    return new io.zto.shared.bus.ProvisioningRequestMessage(deviceId, requestId,
        io.zto.shared.pki.Pem.encode(ldevid.certificate()), null, null, "node-test").toJson();
  }

  /** What a provisioned device holds: its row, its MQTT credential, its live EST challenges. */
  private record Victim(Device device, io.zto.shared.domain.MqttCredential credential,
                        List<io.zto.shared.domain.EstChallenge> challenges) {
    static Victim of(ProvisioningBus bus, String deviceId) {
      return new Victim(Await.result(new DeviceRepository(bus.db).get(deviceId)).orElseThrow(),
          Await.result(new CredentialRepository(bus.db).get(deviceId)).orElseThrow(),
          Await.result(new ChallengeRepository(bus.db).live(deviceId, Instant.now().minusSeconds(1))));
    }
  }
}
