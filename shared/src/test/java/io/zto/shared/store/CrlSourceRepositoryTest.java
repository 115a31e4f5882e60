package io.zto.shared.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Future;
import io.zto.shared.domain.CrlSource;
import io.zto.shared.domain.CrlSource.Check;
import io.zto.shared.domain.RevocationReason;
import io.zto.shared.testing.Await;
import io.zto.shared.testing.BackendTest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

class CrlSourceRepositoryTest {

  private static final Instant NOW = Instant.parse("2026-11-28T04:00:00Z");

  private static CrlSource source(String url, String issuerFingerprint) {
    return CrlSource.create(url, "-----BEGIN CERTIFICATE-----\n-----END CERTIFICATE-----\n", issuerFingerprint, 3600,
        CrlSource.StalePolicy.KEEP_LAST);
  }

  private static CrlSource.FetchState state(String number) {
    return new CrlSource.FetchState("\"etag-" + number + "\"", "Sat, 28 Nov 2026 04:00:00 GMT", number, null, NOW,
        NOW.plusSeconds(86_400), NOW.plusSeconds(5));
  }

  private static boolean listed(CrlSourceRepository repo, String serial, String issuerFingerprint) {
    return Await.result(repo.check(serial, issuerFingerprint, NOW)).status() == CrlSource.Check.Status.LISTED;
  }

  private static CrlSource.Entry entry(String serial) {
    return new CrlSource.Entry(serial, NOW.minusSeconds(3600), RevocationReason.KEY_COMPROMISE);
  }

  @BackendTest
  void createdSourceIsListedAndAUrlOnlyOnce(Database db) {
    CrlSourceRepository repo = new CrlSourceRepository(db);
    CrlSource s = Await.result(repo.create(source("http://pki.example/ca.crl", "fp")));
    assertThat(Await.result(repo.get(s.id()))).contains(s);
    assertThat(Await.result(repo.list())).containsExactly(s);
    assertThat(Await.failure(repo.create(source("http://pki.example/ca.crl", "fp2"))))
        .isInstanceOf(DuplicateKeyException.class).hasMessageContaining("http://pki.example/ca.crl");
  }

  @BackendTest
  void replacingEntriesReportsWhatWasAddedAndRemovedAndRecordsTheState(Database db) {
    CrlSourceRepository repo = new CrlSourceRepository(db);
    CrlSource s = Await.result(repo.create(source("http://pki/a.crl", "fp-a")));
    // GIVEN a first CRL listing 01, 02, 03
    CrlSource.Diff first = Await.result(repo.replaceEntries(s.id(), state("5"),
        List.of(entry("01"), entry("02"), entry("03")))).orElseThrow();
    assertThat(first.added()).containsExactlyInAnyOrder("01", "02", "03");
    assertThat(first.removed()).isEmpty();
    // WHEN the next CRL lists 02, 03, 0A (upper case in the CRL)
    CrlSource.Diff second = Await.result(repo.replaceEntries(s.id(), state("6"),
        List.of(entry("02"), entry("03"), entry("0A")))).orElseThrow();
    // THEN 0a was added and 01 removed, and the lookups follow
    assertThat(second.added()).containsExactly("0a");
    assertThat(second.removed()).containsExactly("01");
    assertThat(listed(repo, "0A", "fp-a")).isTrue();
    assertThat(listed(repo, "01", "fp-a")).isFalse();
    assertThat(listed(repo, "02", "fp-other")).isFalse();
    // AND the fetch state is recorded, failures reset
    CrlSource stored = Await.result(repo.get(s.id())).orElseThrow();
    assertThat(stored.crlNumber()).isEqualTo("6");
    assertThat(stored.etag()).isEqualTo("\"etag-6\"");
    assertThat(stored.nextUpdate()).isEqualTo(NOW.plusSeconds(86_400));
    assertThat(stored.lastSuccessAt()).isEqualTo(NOW.plusSeconds(5));
    assertThat(stored.failures()).isZero();
  }

  @BackendTest
  void olderCrlNumberIsNotAppliedEvenBeyondSixtyFourBits(Database db) {
    CrlSourceRepository repo = new CrlSourceRepository(db);
    CrlSource s = Await.result(repo.create(source("http://pki/a.crl", "fp-a")));
    String big = "18446744073709551617"; // 2^64 + 1
    Await.result(repo.replaceEntries(s.id(), state(big), List.of(entry("01"))));
    // WHEN a CRL with a lower number (a racing node's older fetch) arrives
    Optional<CrlSource.Diff> stale = Await.result(repo.replaceEntries(s.id(), state("18446744073709551616"),
        List.of(entry("02"))));
    // THEN it is not applied
    assertThat(stale).isEmpty();
    assertThat(listed(repo, "01", "fp-a")).isTrue();
    assertThat(listed(repo, "02", "fp-a")).isFalse();
    assertThat(Await.result(repo.get(s.id())).orElseThrow().crlNumber()).isEqualTo(big);
    assertThat(Await.result(repo.replaceEntries("missing", state("1"), List.of()))).isEmpty();
  }

  @BackendTest
  void failedAttemptsAreCountedUntilASuccess(Database db) {
    CrlSourceRepository repo = new CrlSourceRepository(db);
    CrlSource s = Await.result(repo.create(source("http://pki/a.crl", "fp-a")));
    Await.result(repo.replaceEntries(s.id(), state("1"), List.of(entry("01"))));
    // WHEN two fetches fail
    assertThat(Await.result(repo.recordFailure(s.id(), "connection refused", NOW.plusSeconds(10)))).isTrue();
    Await.result(repo.recordFailure(s.id(), "HTTP 503", NOW.plusSeconds(20)));
    // THEN both are counted, the last error kept, the entries untouched
    CrlSource failed = Await.result(repo.get(s.id())).orElseThrow();
    assertThat(failed.failures()).isEqualTo(2);
    assertThat(failed.lastError()).isEqualTo("HTTP 503");
    assertThat(failed.lastAttemptAt()).isEqualTo(NOW.plusSeconds(20));
    assertThat(failed.lastSuccessAt()).isEqualTo(NOW.plusSeconds(5));
    assertThat(listed(repo, "01", "fp-a")).isTrue();
    // AND an unchanged answer resets them
    Await.result(repo.recordUnchanged(s.id(), NOW.plusSeconds(30)));
    CrlSource ok = Await.result(repo.get(s.id())).orElseThrow();
    assertThat(ok.failures()).isZero();
    assertThat(ok.lastError()).isNull();
    assertThat(ok.lastSuccessAt()).isEqualTo(NOW.plusSeconds(30));
  }

  @BackendTest
  void deletingASourceDeletesItsEntries(Database db) {
    CrlSourceRepository repo = new CrlSourceRepository(db);
    CrlSource s = Await.result(repo.create(source("http://pki/a.crl", "fp-a")));
    Await.result(repo.replaceEntries(s.id(), state("1"), List.of(entry("01"), entry("02"))));
    // WHEN deleted THEN its entries go with it
    assertThat(Await.result(repo.delete(s.id()))).contains(List.of("01", "02"));
    assertThat(Await.result(repo.delete(s.id()))).isEmpty();
    assertThat(Await.result(repo.countEntries(s.id()))).isZero();
    assertThat(listed(repo, "01", "fp-a")).isFalse();
  }

  @BackendTest
  void concurrentReplacementsOfOneSourceLeaveOneConsistentList(Database db) {
    CrlSourceRepository repo = new CrlSourceRepository(db);
    CrlSource s = Await.result(repo.create(source("http://pki/a.crl", "fp-a")));
    // WHEN two nodes apply CRLs 7 and 8 at once
    Future<Optional<CrlSource.Diff>> a = repo.replaceEntries(s.id(), state("7"), List.of(entry("01"), entry("02")));
    Future<Optional<CrlSource.Diff>> b = repo.replaceEntries(s.id(), state("8"), List.of(entry("02"), entry("03")));
    Await.result(a);
    Await.result(b);
    // THEN CRL 8's entries are the ones kept
    assertThat(Await.result(repo.get(s.id())).orElseThrow().crlNumber()).isEqualTo("8");
    assertThat(Await.result(repo.countEntries(s.id()))).isEqualTo(2);
    assertThat(listed(repo, "03", "fp-a")).isTrue();
    assertThat(listed(repo, "01", "fp-a")).isFalse();
  }

  @BackendTest
  void hundredThousandEntriesAreAppliedAndDiffedExactly(Database db) {
    CrlSourceRepository repo = new CrlSourceRepository(db);
    CrlSource s = Await.result(repo.create(source("http://pki/big.crl", "fp-big")));
    List<CrlSource.Entry> entries = new ArrayList<>();
    for (int i = 0; i < 100_000; i++) {
      entries.add(entry(Integer.toHexString(0x100000 + i)));
    }
    // WHEN a CRL of 100,000 entries is applied
    long start = System.nanoTime();
    CrlSource.Diff full = Await.result(repo.replaceEntries(s.id(), state("1"), entries)).orElseThrow();
    long firstMs = (System.nanoTime() - start) / 1_000_000;
    // AND then one that drops the first 1,000 and adds 1,000 new ones
    List<CrlSource.Entry> next = new ArrayList<>(entries.subList(1_000, entries.size()));
    for (int i = 0; i < 1_000; i++) {
      next.add(entry(Integer.toHexString(0x200000 + i)));
    }
    start = System.nanoTime();
    CrlSource.Diff diff = Await.result(repo.replaceEntries(s.id(), state("2"), next)).orElseThrow();
    long secondMs = (System.nanoTime() - start) / 1_000_000;
    System.out.printf("[%s] 100,000 CRL entries applied in %d ms; a 1,000/1,000 diff over them in %d ms%n",
        db.kind(), firstMs, secondMs);
    // THEN all were stored, and the diff is exactly the change
    assertThat(full.added()).hasSize(100_000);
    assertThat(diff.added()).hasSize(1_000).allMatch(serial -> serial.startsWith("20"));
    assertThat(diff.removed()).hasSize(1_000).contains("100000", "1003e7");
    assertThat(Await.result(repo.countEntries(s.id()))).isEqualTo(100_000);
    assertThat(listed(repo, "200001", "fp-big")).isTrue();
    assertThat(listed(repo, "100001", "fp-big")).isFalse();
  }

  @BackendTest
  void aStaleSourceRefusesEveryCertificateOfItsIssuerOnlyUnderRefuseAll(Database db) {
    CrlSourceRepository repo = new CrlSourceRepository(db);
    CrlSource keep = Await.result(repo.create(source("http://pki/keep.crl", "fp-keep")));
    CrlSource refuse = Await.result(repo.create(CrlSource.create("http://pki/refuse.crl", keep.issuerPem(),
        "fp-refuse", 3600, CrlSource.StalePolicy.REFUSE_ALL)));
    Await.result(repo.replaceEntries(keep.id(), state("1"), List.of(entry("01"))));
    Await.result(repo.replaceEntries(refuse.id(), state("1"), List.of(entry("01"))));
    Instant fresh = NOW.plusSeconds(60);
    Instant past = NOW.plusSeconds(86_400 + 60);
    // WHEN both CRLs are fresh THEN listed serials are listed (with the reason) and others clear
    assertThat(Await.result(repo.check("01", "fp-keep", fresh)))
        .isEqualTo(new Check(Check.Status.LISTED, "keyCompromise", keep.id(), null));
    assertThat(Await.result(repo.check("02", "fp-refuse", fresh))).isEqualTo(Check.CLEAR);
    assertThat(Await.result(repo.check("02", "fp-unknown", past))).isEqualTo(Check.CLEAR);
    // WHEN both are past nextUpdate THEN keep-last keeps enforcing the last list only
    assertThat(Await.result(repo.check("02", "fp-keep", past))).isEqualTo(Check.CLEAR);
    assertThat(Await.result(repo.check("01", "fp-keep", past)).status()).isEqualTo(Check.Status.LISTED);
    // AND refuse-all refuses every certificate of its issuer, saying since when
    Check stale = Await.result(repo.check("02", "fp-refuse", past));
    assertThat(stale).isEqualTo(new Check(Check.Status.ISSUER_STALE, null, refuse.id(), NOW.plusSeconds(86_400)));
    assertThat(stale.describe()).contains(refuse.id(), "stale since " + NOW.plusSeconds(86_400));
  }

  @BackendTest
  void aRefuseAllSourceWhoseFirstFetchFailedRefusesItsIssuer(Database db) {
    CrlSourceRepository repo = new CrlSourceRepository(db);
    CrlSource refuse = Await.result(repo.create(CrlSource.create("http://pki/refuse.crl", "pem", "fp-r", 3600,
        CrlSource.StalePolicy.REFUSE_ALL)));
    // GIVEN a source not tried yet THEN its issuer is clear
    assertThat(Await.result(repo.check("05", "fp-r", Instant.now()))).isEqualTo(Check.CLEAR);
    // WHEN its first fetch fails THEN the issuer is refused (fail closed) since the source was registered
    Await.result(repo.recordFailure(refuse.id(), "timeout", Instant.now()));
    assertThat(Await.result(repo.check("05", "fp-r", Instant.now())))
        .isEqualTo(new Check(Check.Status.ISSUER_STALE, null, refuse.id(), refuse.createdAt()));
  }

  @BackendTest
  void aDeltaAppliesOnTopOfItsBaseAndReleasesRemovedEntries(Database db) {
    CrlSourceRepository repo = new CrlSourceRepository(db);
    CrlSource s = Await.result(repo.create(source("http://pki/a.crl", "fp-a")));
    Await.result(repo.replaceEntries(s.id(), state("10"), List.of(entry("01"), entry("02"))));
    // WHEN a delta numbered 11 on base 10 lists 03 and releases 01 (removeFromCRL)
    CrlSource.Diff diff = Await.result(repo.applyDelta(s.id(), state("11"), "10", List.of(entry("03")),
        List.of("01", "09"))).orElseThrow();
    // THEN 03 is added, 01 removed (09 was never listed), the delta number recorded
    assertThat(diff.added()).containsExactly("03");
    assertThat(diff.removed()).containsExactly("01");
    assertThat(listed(repo, "03", "fp-a")).isTrue();
    assertThat(listed(repo, "01", "fp-a")).isFalse();
    assertThat(listed(repo, "02", "fp-a")).isTrue();
    CrlSource stored = Await.result(repo.get(s.id())).orElseThrow();
    assertThat(stored.crlNumber()).isEqualTo("10");
    assertThat(stored.deltaCrlNumber()).isEqualTo("11");
    // AND an older or repeated delta, a delta on a base not held, and the old complete CRL do not apply
    assertThat(Await.result(repo.applyDelta(s.id(), state("11"), "10", List.of(entry("04")), List.of()))).isEmpty();
    assertThat(Await.result(repo.applyDelta(s.id(), state("13"), "12", List.of(entry("04")), List.of()))).isEmpty();
    assertThat(Await.result(repo.replaceEntries(s.id(), state("10"), List.of(entry("01"))))).isEmpty();
    assertThat(listed(repo, "04", "fp-a")).isFalse();
    // AND the next complete CRL replaces everything and clears the delta number
    Await.result(repo.replaceEntries(s.id(), new CrlSource.FetchState(null, null, "12", null, NOW, NOW.plusSeconds(60),
        NOW), List.of(entry("02"))));
    assertThat(Await.result(repo.get(s.id())).orElseThrow().deltaCrlNumber()).isNull();
    assertThat(Await.result(repo.countEntries())).containsEntry(s.id(), 1L);
  }
}
