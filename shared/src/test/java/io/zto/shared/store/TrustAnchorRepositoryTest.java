package io.zto.shared.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.zto.shared.domain.Activation;
import io.zto.shared.domain.EnrollmentGroup;
import io.zto.shared.domain.TrustAnchor;
import io.zto.shared.testing.Await;
import io.zto.shared.testing.BackendTest;
import java.time.Instant;

class TrustAnchorRepositoryTest {

  static TrustAnchor anchor(String name, TrustAnchor.Purpose purpose, String fingerprint) {
    return TrustAnchor.create(name, purpose, "-----BEGIN CERTIFICATE-----\nMII\n-----END CERTIFICATE-----\n",
        fingerprint, "CN=" + name, Instant.parse("2030-01-01T00:00:00Z"));
  }

  @BackendTest
  void createdAnchorIsReadBackWithEveryField(Database db) {
    TrustAnchorRepository anchors = new TrustAnchorRepository(db);
    // GIVEN an IDevID anchor WHEN it is created
    TrustAnchor created = Await.result(anchors.create(anchor("maker-ca", TrustAnchor.Purpose.IDEVID, "ab01")));
    // THEN it reads back equal
    assertThat(Await.result(anchors.get(created.id()))).contains(created);
    assertThat(Await.result(anchors.get("nope"))).isEmpty();
  }

  @BackendTest
  void listingFiltersByPurpose(Database db) {
    TrustAnchorRepository anchors = new TrustAnchorRepository(db);
    // GIVEN two LDevID anchors and one IDevID anchor
    Await.result(anchors.create(anchor("b-customer", TrustAnchor.Purpose.LDEVID, "01")));
    Await.result(anchors.create(anchor("a-customer", TrustAnchor.Purpose.LDEVID, "02")));
    Await.result(anchors.create(anchor("maker", TrustAnchor.Purpose.IDEVID, "01")));
    // WHEN listed by purpose THEN only that purpose, by name; null lists all
    assertThat(Await.result(anchors.list(TrustAnchor.Purpose.LDEVID))).extracting(TrustAnchor::name)
        .containsExactly("a-customer", "b-customer");
    assertThat(Await.result(anchors.list(TrustAnchor.Purpose.IDEVID))).extracting(TrustAnchor::name)
        .containsExactly("maker");
    assertThat(Await.result(anchors.list(null))).hasSize(3);
  }

  @BackendTest
  void duplicateNameIsAConflictNamingTheAnchor(Database db) {
    TrustAnchorRepository anchors = new TrustAnchorRepository(db);
    // GIVEN an anchor named customer-ca
    Await.result(anchors.create(anchor("customer-ca", TrustAnchor.Purpose.LDEVID, "01")));
    // WHEN another CA is created under the same name
    Throwable failure = Await.failure(anchors.create(anchor("customer-ca", TrustAnchor.Purpose.LDEVID, "02")));
    // THEN a duplicate whose message names it
    assertThat(failure).isInstanceOf(DuplicateKeyException.class)
        .hasMessageContaining("named 'customer-ca' exists already");
  }

  @BackendTest
  void sameCaTrustedTwiceForOnePurposeIsAConflictButAllowedForTheOther(Database db) {
    TrustAnchorRepository anchors = new TrustAnchorRepository(db);
    // GIVEN a CA trusted for LDevIDs
    Await.result(anchors.create(anchor("first", TrustAnchor.Purpose.LDEVID, "ff")));
    // WHEN the same fingerprint is trusted again for LDevIDs THEN a conflict naming the first anchor
    assertThat(Await.failure(anchors.create(anchor("second", TrustAnchor.Purpose.LDEVID, "ff"))))
        .isInstanceOf(DuplicateKeyException.class).hasMessageContaining("already trusted for ldevid as 'first'");
    // AND for IDevIDs it is accepted
    Await.result(anchors.create(anchor("third", TrustAnchor.Purpose.IDEVID, "ff")));
    assertThat(Await.result(anchors.list(null))).extracting(TrustAnchor::name).containsExactly("first", "third");
  }

  @BackendTest
  void anchorOfAGroupCannotBeDeletedUntilTheGroupIsGone(Database db) {
    TrustAnchorRepository anchors = new TrustAnchorRepository(db);
    EnrollmentRepository enrollments = new EnrollmentRepository(db);
    // GIVEN an anchor used by a group
    TrustAnchor ca = Await.result(anchors.create(anchor("ca", TrustAnchor.Purpose.LDEVID, "01")));
    EnrollmentGroup group = Await.result(enrollments.createGroup(EnrollmentGroup.create(null, "g", ca.id(),
        Activation.auto())));
    // WHEN it is deleted THEN refused as in use, and kept
    assertThat(Await.result(anchors.delete(ca.id()))).isEqualTo(TrustAnchorRepository.Deletion.IN_USE);
    assertThat(Await.result(anchors.get(ca.id()))).isPresent();
    // AND once the group is deleted it goes; a second delete finds nothing
    Await.result(enrollments.deleteGroup(group.id()));
    assertThat(Await.result(anchors.delete(ca.id()))).isEqualTo(TrustAnchorRepository.Deletion.DELETED);
    assertThat(Await.result(anchors.delete(ca.id()))).isEqualTo(TrustAnchorRepository.Deletion.NOT_FOUND);
    assertThat(Await.result(anchors.get(ca.id()))).isEmpty();
  }

  @BackendTest
  void tenantIsStoredDefaultsToDefaultAndAnAnchorAnEnrollmentNamesCannotBeDeleted(Database db) {
    TrustAnchorRepository anchors = new TrustAnchorRepository(db);
    // GIVEN an anchor of tenant customer-b and one that names none
    TrustAnchor b = Await.result(anchors.create(anchor("b-ca", TrustAnchor.Purpose.LDEVID, "0b").withTenant("customer-b")));
    TrustAnchor plain = Await.result(anchors.create(anchor("plain-ca", TrustAnchor.Purpose.LDEVID, "0c")));
    // THEN they read back with their tenants
    assertThat(Await.result(anchors.get(b.id())).orElseThrow().tenant()).isEqualTo("customer-b");
    assertThat(Await.result(anchors.get(plain.id())).orElseThrow().tenant()).isEqualTo("default");
    assertThat(b.toJson().getString("tenant")).isEqualTo("customer-b");
    // WHEN an enrollment names b THEN b cannot be deleted, plain can
    Await.result(new EnrollmentRepository(db).create(io.zto.shared.domain.Enrollment.create(null, "dev-1", null, null,
        null, Activation.auto()).withTrustAnchor(b.id())));
    assertThat(Await.result(anchors.delete(b.id()))).isEqualTo(TrustAnchorRepository.Deletion.IN_USE);
    assertThat(Await.result(anchors.delete(plain.id()))).isEqualTo(TrustAnchorRepository.Deletion.DELETED);
  }
}
