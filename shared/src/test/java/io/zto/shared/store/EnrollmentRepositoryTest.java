package io.zto.shared.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.zto.shared.domain.Activation;
import io.zto.shared.domain.Approval;
import io.zto.shared.domain.Enrollment;
import io.zto.shared.domain.EnrollmentGroup;
import io.zto.shared.domain.EnrollmentStatus;
import io.zto.shared.domain.Page;
import io.zto.shared.domain.ReprovisionPolicy;
import io.zto.shared.domain.TrustAnchor;
import io.zto.shared.testing.Await;
import io.zto.shared.testing.BackendTest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

class EnrollmentRepositoryTest {

  private static final Instant NOW = Instant.parse("2026-11-28T04:00:00Z");

  private static Enrollment byDevice(String deviceId) {
    return Enrollment.create(null, deviceId, null, null, null, Activation.auto());
  }

  private static String anchor(Database db, String name) {
    return Await.result(new TrustAnchorRepository(db).create(
        TrustAnchorRepositoryTest.anchor(name, TrustAnchor.Purpose.LDEVID, name + "-fp"))).id();
  }

  @BackendTest
  void enrollmentFromTheApiIsStoredWithEveryField(Database db) {
    EnrollmentRepository repo = new EnrollmentRepository(db);
    // GIVEN an API body with window, budget, policy and application config
    Enrollment e = Enrollment.fromJson(new JsonObject().put("deviceId", "dev-1").put("ldevidFingerprint", "AB12")
        .put("idevidSerial", "SN-1").put("hwmoduleSerial", "HW-1").put("approval", "manual")
        .put("application", new JsonObject().put("site", "north")).put("notBefore", "2026-01-01T00:00:00Z")
        .put("notAfter", "2027-01-01T00:00:00Z").put("maxProvisionings", 3).put("reprovisionPolicy", "never"));
    // WHEN created and read back
    Await.result(repo.create(e));
    Enrollment stored = Await.result(repo.get(e.id())).orElseThrow();
    // THEN everything is kept (the fingerprint lowercased)
    assertThat(stored).isEqualTo(e);
    assertThat(stored.ldevidFingerprint()).isEqualTo("ab12");
    assertThat(stored.activation().approval()).isEqualTo(Approval.MANUAL);
    assertThat(stored.activation().reprovisionPolicy()).isEqualTo(ReprovisionPolicy.NEVER);
    assertThat(stored.activation().application().getString("site")).isEqualTo("north");
    assertThat(stored.activation().maxProvisionings()).isEqualTo(3);
    assertThat(stored.toJson().getString("approval")).isEqualTo("manual");
  }

  @BackendTest
  void secondEnrollmentForTheSameDeviceIsAConflict(Database db) {
    EnrollmentRepository repo = new EnrollmentRepository(db);
    // GIVEN an enrollment for dev-1
    Await.result(repo.create(byDevice("dev-1")));
    // WHEN another is created for dev-1 THEN a duplicate naming the device
    assertThat(Await.failure(repo.create(byDevice("dev-1")))).isInstanceOf(DuplicateKeyException.class)
        .hasMessageContaining("'dev-1'");
  }

  @BackendTest
  void candidatesAreEveryEnrollmentMatchingAnyIdentity(Database db) {
    EnrollmentRepository repo = new EnrollmentRepository(db);
    // GIVEN enrollments by device id, fingerprint, IDevID serial, module serial, and an unrelated one
    Enrollment a = Await.result(repo.create(byDevice("dev-1")));
    Enrollment b = Await.result(repo.create(Enrollment.create(null, null, "fp-1", null, null, Activation.auto())));
    Enrollment c = Await.result(repo.create(Enrollment.create(null, null, null, "sn-1", null, Activation.auto())));
    Enrollment d = Await.result(repo.create(Enrollment.create(null, null, null, null, "hw-1", Activation.auto())));
    Await.result(repo.create(byDevice("dev-2")));
    // WHEN a device presenting all four identities looks for candidates
    List<Enrollment> all = Await.result(repo.findCandidates("dev-1", "fp-1", "sn-1", "hw-1"));
    // THEN all four match, the unrelated one does not; nulls match nothing
    assertThat(all).extracting(Enrollment::id).containsExactlyInAnyOrder(a.id(), b.id(), c.id(), d.id());
    assertThat(Await.result(repo.findCandidates(null, "fp-1", null, null))).extracting(Enrollment::id)
        .containsExactly(b.id());
    assertThat(Await.result(repo.findCandidates(null, null, null, null))).isEmpty();
  }

  @BackendTest
  void listingPagesThroughEveryEnrollmentOnceAndFiltersByStatus(Database db) {
    EnrollmentRepository repo = new EnrollmentRepository(db);
    // GIVEN 5 enrollments, 2 of them disabled
    for (int i = 0; i < 5; i++) {
      Enrollment e = Await.result(repo.create(byDevice("dev-" + i)));
      if (i % 2 == 1) {
        assertThat(Await.result(repo.setStatus(e.id(), EnrollmentStatus.DISABLED, NOW))).isTrue();
      }
    }
    // WHEN paged 2 at a time
    List<String> seen = new ArrayList<>();
    String cursor = null;
    int pages = 0;
    do {
      Page<Enrollment> page = Await.result(repo.list(null, cursor, 2));
      page.items().forEach(e -> seen.add(e.deviceId()));
      cursor = page.nextCursor();
      pages++;
    } while (cursor != null);
    // THEN every one once, in 3 pages
    assertThat(seen).containsExactlyInAnyOrder("dev-0", "dev-1", "dev-2", "dev-3", "dev-4");
    assertThat(pages).isEqualTo(3);
    // AND the status filter returns the disabled ones with their new state
    Page<Enrollment> disabled = Await.result(repo.list(EnrollmentStatus.DISABLED, null, 10));
    assertThat(disabled.items()).extracting(Enrollment::deviceId).containsExactlyInAnyOrder("dev-1", "dev-3");
    assertThat(disabled.items()).allMatch(e -> e.updatedAt().equals(NOW));
  }

  @BackendTest
  void provisioningBeyondTheBudgetIsRefused(Database db) {
    EnrollmentRepository repo = new EnrollmentRepository(db);
    // GIVEN an enrollment allowing 2 provisionings
    Enrollment e = Await.result(repo.create(Enrollment.create(null, "dev-1", null, null, null,
        Activation.auto().withMaxProvisionings(2))));
    // WHEN counted three times THEN the third is refused and the count stays at 2
    assertThat(Await.result(repo.countProvisioning(e.id(), NOW))).isTrue();
    assertThat(Await.result(repo.countProvisioning(e.id(), NOW))).isTrue();
    assertThat(Await.result(repo.countProvisioning(e.id(), NOW))).isFalse();
    assertThat(Await.result(repo.get(e.id())).orElseThrow().provisionCount()).isEqualTo(2);
  }

  @BackendTest
  void concurrentProvisioningsOfTheLastSlotLetExactlyOneThrough(Database db) {
    EnrollmentRepository repo = new EnrollmentRepository(db);
    // GIVEN an enrollment with one provisioning left
    Enrollment e = Await.result(repo.create(Enrollment.create(null, "dev-1", null, null, null,
        Activation.auto().withMaxProvisionings(1))));
    // WHEN two nodes count at once
    Future<Boolean> first = repo.countProvisioning(e.id(), NOW);
    Future<Boolean> second = repo.countProvisioning(e.id(), NOW);
    // THEN exactly one wins
    assertThat(List.of(Await.result(first), Await.result(second))).containsExactlyInAnyOrder(true, false);
    assertThat(Await.result(repo.get(e.id())).orElseThrow().provisionCount()).isEqualTo(1);
  }

  @BackendTest
  void unlimitedEnrollmentCountsEveryProvisioning(Database db) {
    EnrollmentRepository repo = new EnrollmentRepository(db);
    // GIVEN an enrollment without a budget WHEN counted 3 times THEN all pass and 3 are counted
    Enrollment e = Await.result(repo.create(byDevice("dev-1")));
    for (int i = 0; i < 3; i++) {
      assertThat(Await.result(repo.countProvisioning(e.id(), NOW))).isTrue();
    }
    assertThat(Await.result(repo.get(e.id())).orElseThrow().provisionCount()).isEqualTo(3);
    // AND an unknown enrollment counts nothing
    assertThat(Await.result(repo.countProvisioning("nope", NOW))).isFalse();
  }

  @BackendTest
  void deletedEnrollmentIsGone(Database db) {
    EnrollmentRepository repo = new EnrollmentRepository(db);
    // GIVEN an enrollment WHEN deleted twice THEN the first deletes, the second finds nothing
    Enrollment e = Await.result(repo.create(byDevice("dev-1")));
    assertThat(Await.result(repo.delete(e.id()))).isTrue();
    assertThat(Await.result(repo.delete(e.id()))).isFalse();
    assertThat(Await.result(repo.get(e.id()))).isEmpty();
  }

  @BackendTest
  void groupsAreFoundByTheirTrustAnchors(Database db) {
    EnrollmentRepository repo = new EnrollmentRepository(db);
    // GIVEN groups of anchors A, B and C
    String a = anchor(db, "a");
    String b = anchor(db, "b");
    String c = anchor(db, "c");
    EnrollmentGroup ga = Await.result(repo.createGroup(EnrollmentGroup.fromJson(new JsonObject().put("name", "ga")
        .put("trustAnchor", a).put("approval", "auto").put("application", new JsonObject().put("k", 1)))));
    EnrollmentGroup gb = Await.result(repo.createGroup(EnrollmentGroup.create("t1", "gb", b,
        Activation.auto().withApproval(Approval.MANUAL))));
    Await.result(repo.createGroup(EnrollmentGroup.create(null, "gc", c, Activation.auto())));
    // WHEN looked up by A and B THEN their groups, with every field
    List<EnrollmentGroup> found = Await.result(repo.groupsOfTrustAnchors(Set.of(a, b)));
    assertThat(found).containsExactlyInAnyOrder(ga, gb);
    assertThat(Await.result(repo.getGroup(ga.id())).orElseThrow().activation().application().getInteger("k"))
        .isEqualTo(1);
    assertThat(Await.result(repo.groupsOfTrustAnchors(List.of()))).isEmpty();
  }

  @BackendTest
  void groupOfAnUnknownAnchorOrATakenNameIsRefused(Database db) {
    EnrollmentRepository repo = new EnrollmentRepository(db);
    String a = anchor(db, "a");
    // GIVEN a group named g
    Await.result(repo.createGroup(EnrollmentGroup.create(null, "g", a, Activation.auto())));
    // WHEN another group is named g THEN a duplicate naming it
    assertThat(Await.failure(repo.createGroup(EnrollmentGroup.create(null, "g", a, Activation.auto()))))
        .isInstanceOf(DuplicateKeyException.class).hasMessageContaining("'g'");
    // AND a group of an unknown anchor is refused with a reason
    assertThat(Await.failure(repo.createGroup(EnrollmentGroup.create(null, "h", "missing", Activation.auto()))))
        .hasMessageContaining("no trust anchor with id 'missing'");
    assertThat(Await.result(repo.listGroups(null, null, 10)).items()).extracting(EnrollmentGroup::name)
        .containsExactly("g");
  }

  @BackendTest
  void groupBudgetStatusAndDeletionWork(Database db) {
    EnrollmentRepository repo = new EnrollmentRepository(db);
    // GIVEN a group allowing one provisioning
    EnrollmentGroup g = Await.result(repo.createGroup(EnrollmentGroup.create(null, "g", anchor(db, "a"),
        Activation.auto().withMaxProvisionings(1))));
    // WHEN two count at once THEN one wins
    Future<Boolean> first = repo.countGroupProvisioning(g.id(), NOW);
    Future<Boolean> second = repo.countGroupProvisioning(g.id(), NOW);
    assertThat(List.of(Await.result(first), Await.result(second))).containsExactlyInAnyOrder(true, false);
    // AND disabling shows in the filtered listing; deleting removes it
    assertThat(Await.result(repo.setGroupStatus(g.id(), EnrollmentStatus.DISABLED, NOW))).isTrue();
    EnrollmentGroup stored = Await.result(repo.listGroups(EnrollmentStatus.DISABLED, null, 10)).items().get(0);
    assertThat(stored.provisionCount()).isEqualTo(1);
    assertThat(stored.activation().status()).isEqualTo(EnrollmentStatus.DISABLED);
    assertThat(Await.result(repo.listGroups(EnrollmentStatus.ENABLED, null, 10)).items()).isEmpty();
    assertThat(Await.result(repo.deleteGroup(g.id()))).isTrue();
    assertThat(Await.result(repo.getGroup(g.id()))).isEmpty();
  }

  @BackendTest
  void enrollmentNamingATrustAnchorKeepsItAndOnlyAnLdevidAnchorMayBeNamed(Database db) {
    EnrollmentRepository repo = new EnrollmentRepository(db);
    String a = anchor(db, "a");
    // GIVEN an enrollment from the API naming anchor a
    Enrollment e = Await.result(repo.create(Enrollment.fromJson(new JsonObject().put("deviceId", "dev-t")
        .put("trustAnchor", a).put("approval", "auto"))));
    // THEN it reads back naming it
    assertThat(Await.result(repo.get(e.id())).orElseThrow().trustAnchorId()).isEqualTo(a);
    assertThat(Await.result(repo.findCandidates("dev-t", null, null, null))).extracting(Enrollment::trustAnchorId)
        .containsExactly(a);
    assertThat(e.toJson().getString("trustAnchor")).isEqualTo(a);
    // AND one naming an unknown anchor is refused with a reason, nothing stored
    assertThat(Await.failure(repo.create(Enrollment.create(null, "dev-u", null, null, null, Activation.auto())
        .withTrustAnchor("missing")))).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'missing'");
    assertThat(Await.result(repo.findCandidates("dev-u", null, null, null))).isEmpty();
  }
}
