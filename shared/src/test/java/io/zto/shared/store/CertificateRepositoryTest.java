package io.zto.shared.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Future;
import io.zto.shared.domain.IssuedCertificate;
import io.zto.shared.domain.Page;
import io.zto.shared.domain.Revocation;
import io.zto.shared.domain.RevocationReason;
import io.zto.shared.testing.Await;
import io.zto.shared.testing.BackendTest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

class CertificateRepositoryTest {

  private static final Instant NOW = Instant.parse("2026-11-28T04:00:00Z");
  private static final long DAY = 86_400;

  private static IssuedCertificate cert(String serial, String deviceId, String issuer, long notAfterDays) {
    return new IssuedCertificate(serial, deviceId, issuer, "CN=" + deviceId, "device", "pk-" + serial, "fp-" + serial,
        NOW.minusSeconds(DAY), NOW.plusSeconds(notAfterDays * DAY), new byte[] {0x30, 0x03, (byte) serial.length()},
        IssuedCertificate.Status.VALID, null, null, NOW.minusSeconds(DAY));
  }

  @BackendTest
  void insertedCertificateIsFoundBySerialAndFingerprint(Database db) {
    CertificateRepository certs = new CertificateRepository(db);
    // GIVEN an issued certificate WHEN stored
    IssuedCertificate c = Await.result(certs.insert(cert("0a1b", "dev-1", "issuing", 30)));
    // THEN it reads back (DER included) by serial and by fingerprint
    IssuedCertificate bySerial = Await.result(certs.get("0a1b")).orElseThrow();
    assertThat(bySerial).usingRecursiveComparison().isEqualTo(c);
    assertThat(Await.result(certs.findByFingerprint("fp-0a1b")).orElseThrow().der()).isEqualTo(c.der());
    assertThat(Await.result(certs.get("ffff"))).isEmpty();
  }

  @BackendTest
  void reusedSerialIsAConflict(Database db) {
    CertificateRepository certs = new CertificateRepository(db);
    Await.result(certs.insert(cert("0a", "dev-1", "issuing", 30)));
    IssuedCertificate again = new IssuedCertificate("0a", "dev-2", "issuing", "CN=dev-2", "device", "pk", "fp-other",
        NOW, NOW.plusSeconds(DAY), new byte[] {1}, IssuedCertificate.Status.VALID, null, null, NOW);
    assertThat(Await.failure(certs.insert(again))).isInstanceOf(DuplicateKeyException.class)
        .hasMessageContaining("serial 0a");
  }

  @BackendTest
  void revokingStoresWhenAndWhyOnce(Database db) {
    CertificateRepository certs = new CertificateRepository(db);
    Await.result(certs.insert(cert("0a", "dev-1", "issuing", 30)));
    // WHEN revoked for key compromise
    IssuedCertificate revoked = Await.result(certs.revoke("0a", RevocationReason.KEY_COMPROMISE, NOW)).orElseThrow();
    // THEN the updated row says so, and the stored reason is the RFC 5280 name
    assertThat(revoked.status()).isEqualTo(IssuedCertificate.Status.REVOKED);
    assertThat(revoked.revokedAt()).isEqualTo(NOW);
    assertThat(revoked.revocationReason()).isEqualTo(RevocationReason.KEY_COMPROMISE);
    assertThat(Await.result(db.query("SELECT revocation_reason FROM certificates WHERE serial = '0a'",
        io.vertx.sqlclient.Tuple.tuple())).iterator().next().getString("revocation_reason")).isEqualTo("keyCompromise");
  }

  @BackendTest
  void revokingARevokedCertificateChangesNothing(Database db) {
    CertificateRepository certs = new CertificateRepository(db);
    Await.result(certs.insert(cert("0a", "dev-1", "issuing", 30)));
    Await.result(certs.revoke("0a", RevocationReason.SUPERSEDED, NOW));
    // WHEN revoked again, later and for another reason
    Optional<IssuedCertificate> second = Await.result(certs.revoke("0a", RevocationReason.KEY_COMPROMISE,
        NOW.plusSeconds(60)));
    // THEN nothing comes back and the first revocation stands
    assertThat(second).isEmpty();
    IssuedCertificate stored = Await.result(certs.get("0a")).orElseThrow();
    assertThat(stored.revokedAt()).isEqualTo(NOW);
    assertThat(stored.revocationReason()).isEqualTo(RevocationReason.SUPERSEDED);
    assertThat(Await.result(certs.revoke("nope", RevocationReason.UNSPECIFIED, NOW))).isEmpty();
  }

  @BackendTest
  void concurrentRevocationsRevokeOnce(Database db) {
    CertificateRepository certs = new CertificateRepository(db);
    Await.result(certs.insert(cert("0a", "dev-1", "issuing", 30)));
    // WHEN two nodes revoke at once THEN exactly one gets the row
    Future<Optional<IssuedCertificate>> a = certs.revoke("0a", RevocationReason.KEY_COMPROMISE, NOW);
    Future<Optional<IssuedCertificate>> b = certs.revoke("0a", RevocationReason.CESSATION_OF_OPERATION, NOW);
    assertThat(Await.result(a).isPresent() ^ Await.result(b).isPresent()).isTrue();
  }

  @BackendTest
  void currentCertificatesAreTheValidUnrevokedOnesWithinValidity(Database db) {
    CertificateRepository certs = new CertificateRepository(db);
    // GIVEN dev-1 with a current, a revoked, an expired and a not-yet-valid certificate
    Await.result(certs.insert(cert("01", "dev-1", "issuing", 30)));
    Await.result(certs.insert(cert("02", "dev-1", "issuing", 60)));
    Await.result(certs.revoke("02", RevocationReason.SUPERSEDED, NOW));
    Await.result(certs.insert(cert("03", "dev-1", "issuing", -1)));
    IssuedCertificate future = new IssuedCertificate("04", "dev-1", "issuing", "CN=dev-1", "device", "pk", "fp-04",
        NOW.plusSeconds(DAY), NOW.plusSeconds(90 * DAY), new byte[] {1}, IssuedCertificate.Status.VALID, null, null, NOW);
    Await.result(certs.insert(future));
    Await.result(certs.insert(cert("05", "dev-2", "issuing", 30)));
    // WHEN asked for the current ones THEN only 01
    assertThat(Await.result(certs.currentOf("dev-1", NOW))).extracting(IssuedCertificate::serial).containsExactly("01");
  }

  @BackendTest
  void deviceListingPagesLatestExpiryFirst(Database db) {
    CertificateRepository certs = new CertificateRepository(db);
    // GIVEN 5 certificates of dev-1 (two expiring together) and one of dev-2
    Await.result(certs.insert(cert("01", "dev-1", "issuing", 10)));
    Await.result(certs.insert(cert("02", "dev-1", "issuing", 20)));
    Await.result(certs.insert(cert("03", "dev-1", "issuing", 20)));
    Await.result(certs.insert(cert("04", "dev-1", "issuing", 30)));
    Await.result(certs.insert(cert("05", "dev-1", "issuing", 5)));
    Await.result(certs.insert(cert("06", "dev-2", "issuing", 50)));
    // WHEN paged 2 at a time
    List<String> seen = new ArrayList<>();
    String cursor = null;
    do {
      Page<IssuedCertificate> page = Await.result(certs.list("dev-1", cursor, 2));
      page.items().forEach(c -> seen.add(c.serial()));
      cursor = page.nextCursor();
    } while (cursor != null);
    // THEN each once, latest expiry first
    assertThat(seen).containsExactly("04", "03", "02", "01", "05");
    assertThat(Await.result(certs.list(null, null, 100)).items()).hasSize(6);
  }

  @BackendTest
  void revokedListOfAnIssuerLeavesOutOtherIssuersAndExpiredOnes(Database db) {
    CertificateRepository certs = new CertificateRepository(db);
    // GIVEN revoked certificates of two issuers, one of them long expired
    Await.result(certs.insert(cert("01", "dev-1", "issuing", 30)));
    Await.result(certs.insert(cert("02", "dev-2", "issuing", -10)));
    Await.result(certs.insert(cert("03", "dev-3", "other", 30)));
    Await.result(certs.insert(cert("04", "dev-4", "issuing", 30)));
    for (String serial : List.of("01", "02", "03")) {
      Await.result(certs.revoke(serial, RevocationReason.KEY_COMPROMISE, NOW));
    }
    // WHEN the CRL entries of "issuing" are listed THEN only 01
    List<Revocation> entries = Await.result(certs.listRevoked("issuing", NOW));
    assertThat(entries).containsExactly(new Revocation("01", NOW, RevocationReason.KEY_COMPROMISE));
    // AND with no expiry cut-off also 02
    assertThat(Await.result(certs.listRevoked("issuing", Instant.EPOCH))).extracting(Revocation::serial)
        .containsExactly("01", "02");
  }

  @BackendTest
  void expiringListLeavesOutDevicesThatHaveANewerCertificate(Database db) {
    CertificateRepository certs = new CertificateRepository(db);
    // GIVEN dev-1 expiring in 5 days with no successor, dev-2 expiring in 5 days but renewed,
    // dev-3 expiring in 50 days, dev-4 expiring in 5 days whose successor was revoked
    Await.result(certs.insert(cert("01", "dev-1", "issuing", 5)));
    Await.result(certs.insert(cert("02", "dev-2", "issuing", 5)));
    Await.result(certs.insert(cert("12", "dev-2", "issuing", 365)));
    Await.result(certs.insert(cert("03", "dev-3", "issuing", 50)));
    Await.result(certs.insert(cert("04", "dev-4", "issuing", 6)));
    Await.result(certs.insert(cert("14", "dev-4", "issuing", 365)));
    Await.result(certs.revoke("14", RevocationReason.KEY_COMPROMISE, NOW));
    // WHEN certificates expiring within 14 days are listed
    List<IssuedCertificate> expiring = Await.result(certs.listExpiring(NOW, NOW.plusSeconds(14 * DAY), 100));
    // THEN dev-1 and dev-4, soonest first
    assertThat(expiring).extracting(IssuedCertificate::serial).containsExactly("01", "04");
  }

  @BackendTest
  void renewalDueIsCountedListedAndWarnedOnce(Database db) {
    CertificateRepository certs = new CertificateRepository(db);
    // GIVEN 10-day certificates issued 9 days ago: dev-1 not renewed, dev-2 renewed; dev-3 issued 1 day ago;
    // dev-4 not renewed but revoked
    Await.result(certs.insert(issued("01", "dev-1", 9, 1)));
    Await.result(certs.insert(issued("02", "dev-2", 9, 1)));
    Await.result(certs.insert(issued("12", "dev-2", 0, 10)));
    Await.result(certs.insert(issued("03", "dev-3", 1, 9)));
    Await.result(certs.insert(issued("04", "dev-4", 9, 1)));
    Await.result(certs.revoke("04", RevocationReason.SUPERSEDED, NOW));
    // WHEN asked with a warning at 20 % of the lifetime left
    // THEN only dev-1's certificate is due: counted, listed, flagged, and due from 8 days after issuance
    assertThat(Await.result(certs.countDue(NOW, 20))).isEqualTo(1L);
    assertThat(Await.result(certs.listUnwarnedDue(NOW, 20, 10))).extracting(IssuedCertificate::serial)
        .containsExactly("01");
    var page = Await.result(certs.list(null, true, NOW, 20, null, 10));
    assertThat(page.items()).extracting(r -> r.certificate().serial()).containsExactly("01");
    assertThat(page.items().get(0).renewal().dueAt()).isEqualTo(NOW.minusSeconds(DAY));
    assertThat(Await.result(certs.list("dev-2", false, NOW, 20, null, 10)).items())
        .extracting(r -> r.renewal().due()).containsExactly(false, false);
    // AND the warning is recorded once: the second marker loses, and it is no longer unwarned
    assertThat(Await.result(certs.markRenewalWarned("01", NOW))).isTrue();
    assertThat(Await.result(certs.markRenewalWarned("01", NOW.plusSeconds(1)))).isFalse();
    assertThat(Await.result(certs.listUnwarnedDue(NOW, 20, 10))).isEmpty();
    assertThat(Await.result(certs.getRenewing("01", NOW, 20)).orElseThrow().renewal().warnedAt()).isEqualTo(NOW);
  }

  @BackendTest
  void lastRevokedIsTheMostRecentRevocation(Database db) {
    CertificateRepository certs = new CertificateRepository(db);
    Await.result(certs.insert(cert("01", "dev-1", "issuing", 30)));
    Await.result(certs.insert(cert("02", "dev-1", "issuing", 60)));
    assertThat(Await.result(certs.lastRevokedOf("dev-1"))).isEmpty();
    Await.result(certs.revoke("02", RevocationReason.KEY_COMPROMISE, NOW));
    Await.result(certs.revoke("01", RevocationReason.SUPERSEDED, NOW.plusSeconds(1)));
    assertThat(Await.result(certs.lastRevokedOf("dev-1")).orElseThrow().revocationReason())
        .isEqualTo(RevocationReason.SUPERSEDED);
  }

  private static IssuedCertificate issued(String serial, String deviceId, long daysAgo, long daysLeft) {
    Instant issuedAt = NOW.minusSeconds(daysAgo * DAY);
    return new IssuedCertificate(serial, deviceId, "issuing", "CN=" + deviceId, "device", "pk-" + serial,
        "fp-" + serial, issuedAt.minusSeconds(300), NOW.plusSeconds(daysLeft * DAY), new byte[] {1},
        IssuedCertificate.Status.VALID, null, null, issuedAt);
  }

  @BackendTest
  void supersedingStoresTheSuccessorAndRevokesThePresentedCertificateTogether(Database db) {
    CertificateRepository certs = new CertificateRepository(db);
    Await.result(certs.insert(cert("0a", "dev-1", "issuing", 30)));
    // WHEN a re-enrollment authenticated by 0a issues 0b
    Optional<IssuedCertificate> revoked = Await.result(certs.supersede(cert("0b", "dev-1", "issuing", 60), "0a", NOW));
    // THEN 0a is revoked as superseded, 0b is valid and known as its successor
    assertThat(revoked.orElseThrow().revocationReason()).isEqualTo(RevocationReason.SUPERSEDED);
    assertThat(Await.result(certs.get("0a")).orElseThrow().status()).isEqualTo(IssuedCertificate.Status.REVOKED);
    assertThat(Await.result(certs.successorOf("0a")).orElseThrow().serial()).isEqualTo("0b");
    assertThat(Await.result(certs.get("0b")).orElseThrow().status()).isEqualTo(IssuedCertificate.Status.VALID);
    assertThat(Await.result(certs.successorOf("0b"))).isEmpty();
  }

  @BackendTest
  void aSecondSuccessorOrOneOfARevokedCertificateIsNotStored(Database db) {
    CertificateRepository certs = new CertificateRepository(db);
    Await.result(certs.insert(cert("0a", "dev-1", "issuing", 30)));
    Await.result(certs.supersede(cert("0b", "dev-1", "issuing", 60), "0a", NOW));
    Await.result(certs.insert(cert("0e", "dev-1", "issuing", 30)));
    Await.result(certs.revoke("0e", RevocationReason.KEY_COMPROMISE, NOW));
    // WHEN a racing re-enrollment with 0a, and one with the revoked 0e, try to store theirs
    Optional<IssuedCertificate> second = Await.result(certs.supersede(cert("0c", "dev-1", "issuing", 60), "0a", NOW));
    Optional<IssuedCertificate> ofRevoked = Await.result(certs.supersede(cert("0f", "dev-1", "issuing", 60), "0e", NOW));
    // THEN neither is stored, and what was there stays as it was
    assertThat(second).isEmpty();
    assertThat(ofRevoked).isEmpty();
    assertThat(Await.result(certs.get("0c"))).isEmpty();
    assertThat(Await.result(certs.get("0f"))).isEmpty();
    assertThat(Await.result(certs.successorOf("0a")).orElseThrow().serial()).isEqualTo("0b");
    assertThat(Await.result(certs.get("0e")).orElseThrow().revocationReason()).isEqualTo(RevocationReason.KEY_COMPROMISE);
  }

  @BackendTest
  void keyCompromiseRevokesTheDevicesOtherCertificatesAndRaisesASupersededOne(Database db) {
    CertificateRepository certs = new CertificateRepository(db);
    // GIVEN dev-1 with 0a superseded by 0b, and a second valid 0c; dev-2 with 0d
    Await.result(certs.insert(cert("0a", "dev-1", "issuing", 30)));
    Await.result(certs.supersede(cert("0b", "dev-1", "issuing", 60), "0a", NOW));
    Await.result(certs.insert(cert("0c", "dev-1", "issuing", 90)));
    Await.result(certs.insert(cert("0d", "dev-2", "issuing", 30)));
    // WHEN 0a's key is found compromised
    CertificateRepository.Revoked revoked = Await.result(certs.revoke("0a", RevocationReason.KEY_COMPROMISE, true,
        NOW.plusSeconds(60))).orElseThrow();
    // THEN 0a's reason is raised (its revocation time kept) and every valid certificate of dev-1 is revoked
    assertThat(revoked.changed()).extracting(IssuedCertificate::serial).containsExactlyInAnyOrder("0a", "0b", "0c");
    assertThat(revoked.named()).isTrue();
    IssuedCertificate first = Await.result(certs.get("0a")).orElseThrow();
    assertThat(first.revocationReason()).isEqualTo(RevocationReason.KEY_COMPROMISE);
    assertThat(first.revokedAt()).isEqualTo(NOW);
    for (String serial : List.of("0b", "0c")) {
      IssuedCertificate sibling = Await.result(certs.get(serial)).orElseThrow();
      assertThat(sibling.revocationReason()).isEqualTo(RevocationReason.KEY_COMPROMISE);
      assertThat(sibling.revokedAt()).isEqualTo(NOW.plusSeconds(60));
    }
    // AND dev-2 is untouched, and an unknown serial is empty
    assertThat(Await.result(certs.get("0d")).orElseThrow().status()).isEqualTo(IssuedCertificate.Status.VALID);
    assertThat(Await.result(certs.revoke("ff", RevocationReason.KEY_COMPROMISE, true, NOW))).isEmpty();
    // AND a repeat, after the device got a new certificate, changes nothing: not even that one
    Await.result(certs.insert(cert("0e", "dev-1", "issuing", 90)));
    assertThat(Await.result(certs.revoke("0a", RevocationReason.KEY_COMPROMISE, true, NOW)).orElseThrow().changed())
        .isEmpty();
    assertThat(Await.result(certs.get("0e")).orElseThrow().status()).isEqualTo(IssuedCertificate.Status.VALID);
  }

  @BackendTest
  void anotherReasonRevokesOnlyTheNamedCertificate(Database db) {
    CertificateRepository certs = new CertificateRepository(db);
    Await.result(certs.insert(cert("0a", "dev-1", "issuing", 30)));
    Await.result(certs.insert(cert("0b", "dev-1", "issuing", 60)));
    // WHEN 0a is revoked as superseded THEN 0b stays valid; a second revocation changes nothing
    assertThat(Await.result(certs.revoke("0a", RevocationReason.SUPERSEDED, false, NOW)).orElseThrow().changed())
        .extracting(IssuedCertificate::serial).containsExactly("0a");
    assertThat(Await.result(certs.get("0b")).orElseThrow().status()).isEqualTo(IssuedCertificate.Status.VALID);
    CertificateRepository.Revoked again = Await.result(certs.revoke("0a", RevocationReason.UNSPECIFIED, false, NOW))
        .orElseThrow();
    assertThat(again.changed()).isEmpty();
    assertThat(again.certificate().revocationReason()).isEqualTo(RevocationReason.SUPERSEDED);
  }
}
