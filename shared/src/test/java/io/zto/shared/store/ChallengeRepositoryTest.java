package io.zto.shared.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Future;
import io.zto.shared.domain.EstChallenge;
import io.zto.shared.testing.Await;
import io.zto.shared.testing.BackendTest;
import java.time.Instant;
import java.util.List;

class ChallengeRepositoryTest {

  private static final Instant NOW = Instant.parse("2026-11-28T04:00:00Z");
  private static final Instant EXPIRY = NOW.plusSeconds(1800);

  private static EstChallenge challenge(String deviceId, String hash, long createdOffsetSeconds) {
    return new EstChallenge(java.util.UUID.randomUUID().toString(), deviceId, hash, "req",
        NOW.plusSeconds(createdOffsetSeconds), EXPIRY, null, null, null);
  }

  @BackendTest
  void issuingANewChallengeInvalidatesTheDevicesEarlierUnusedOnes(Database db) {
    ChallengeRepository repo = new ChallengeRepository(db);
    // GIVEN an unused challenge of dev-1 and one of dev-2
    EstChallenge old = Await.result(repo.issue(challenge("dev-1", "h-old", 0)));
    Await.result(repo.issue(challenge("dev-2", "h-other", 0)));
    // WHEN dev-1 is issued a new one
    EstChallenge fresh = Await.result(repo.issue(challenge("dev-1", "h-new", 1)));
    // THEN only the new one is live for dev-1, dev-2's is untouched
    assertThat(Await.result(repo.live("dev-1", NOW))).containsExactly(fresh);
    assertThat(Await.result(repo.get(old.id()))).isEmpty();
    assertThat(Await.result(repo.live("dev-2", NOW))).extracting(EstChallenge::challengeHash).containsExactly("h-other");
  }

  @BackendTest
  void usedChallengeSurvivesANewIssueForRetries(Database db) {
    ChallengeRepository repo = new ChallengeRepository(db);
    // GIVEN a used challenge
    EstChallenge used = Await.result(repo.issue(challenge("dev-1", "h1", 0)));
    assertThat(Await.result(repo.consume(used.id(), "pk-1", NOW))).isTrue();
    // WHEN a new one is issued THEN the used one is still there
    Await.result(repo.issue(challenge("dev-1", "h2", 1)));
    assertThat(Await.result(repo.get(used.id())).orElseThrow().usedAt()).isEqualTo(NOW);
  }

  @BackendTest
  void expiredChallengeIsNotLiveAndCannotBeConsumed(Database db) {
    ChallengeRepository repo = new ChallengeRepository(db);
    EstChallenge c = Await.result(repo.issue(challenge("dev-1", "h", 0)));
    // WHEN it is past its expiry THEN not live and not consumable
    assertThat(Await.result(repo.live("dev-1", EXPIRY))).isEmpty();
    assertThat(Await.result(repo.consume(c.id(), "pk", EXPIRY))).isFalse();
    assertThat(Await.result(repo.get(c.id())).orElseThrow().usedAt()).isNull();
  }

  @BackendTest
  void secondConsumeOfAChallengeLoses(Database db) {
    ChallengeRepository repo = new ChallengeRepository(db);
    EstChallenge c = Await.result(repo.issue(challenge("dev-1", "h", 0)));
    // WHEN consumed twice, with different keys
    assertThat(Await.result(repo.consume(c.id(), "pk-1", NOW))).isTrue();
    assertThat(Await.result(repo.consume(c.id(), "pk-2", NOW.plusSeconds(1)))).isFalse();
    // THEN the first use is recorded and it is no longer live
    EstChallenge stored = Await.result(repo.get(c.id())).orElseThrow();
    assertThat(stored.publicKeyHash()).isEqualTo("pk-1");
    assertThat(stored.usedAt()).isEqualTo(NOW);
    assertThat(Await.result(repo.live("dev-1", NOW))).isEmpty();
  }

  @BackendTest
  void twoConcurrentConsumesLetExactlyOneWin(Database db) {
    ChallengeRepository repo = new ChallengeRepository(db);
    // GIVEN several challenges, each raced by two consumers at once
    for (int round = 0; round < 5; round++) {
      EstChallenge c = Await.result(repo.issue(challenge("dev-" + round, "h", 0)));
      Future<Boolean> a = repo.consume(c.id(), "pk-a", NOW);
      Future<Boolean> b = repo.consume(c.id(), "pk-b", NOW);
      boolean aWon = Await.result(a);
      boolean bWon = Await.result(b);
      // THEN exactly one wins, and the stored key is the winner's
      assertThat(aWon ^ bWon).as("round %d: a=%s b=%s", round, aWon, bWon).isTrue();
      assertThat(Await.result(repo.get(c.id())).orElseThrow().publicKeyHash()).isEqualTo(aWon ? "pk-a" : "pk-b");
    }
  }

  @BackendTest
  void retryWithTheSameKeyFindsTheIssuedSerial(Database db) {
    ChallengeRepository repo = new ChallengeRepository(db);
    // GIVEN a challenge used with key pk-1 and its certificate's serial recorded
    EstChallenge c = Await.result(repo.issue(challenge("dev-1", "h", 0)));
    Await.result(repo.consume(c.id(), "pk-1", NOW));
    assertThat(Await.result(repo.recordIssued(c.id(), "0a1b"))).isTrue();
    assertThat(Await.result(repo.recordIssued(c.id(), "ffff"))).isFalse();
    // WHEN the device retries with the same key within the lifetime
    EstChallenge found = Await.result(repo.findUsed("dev-1", "pk-1", NOW.plusSeconds(60))).orElseThrow();
    // THEN the same serial; another key, another device or after expiry: nothing
    assertThat(found.issuedSerial()).isEqualTo("0a1b");
    assertThat(found.challengeHash()).isEqualTo("h");
    assertThat(Await.result(repo.findUsed("dev-1", "pk-2", NOW))).isEmpty();
    assertThat(Await.result(repo.findUsed("dev-2", "pk-1", NOW))).isEmpty();
    assertThat(Await.result(repo.findUsed("dev-1", "pk-1", EXPIRY))).isEmpty();
  }

  @BackendTest
  void issuedSerialIsNotRecordedOnAnUnusedChallenge(Database db) {
    ChallengeRepository repo = new ChallengeRepository(db);
    EstChallenge c = Await.result(repo.issue(challenge("dev-1", "h", 0)));
    assertThat(Await.result(repo.recordIssued(c.id(), "0a"))).isFalse();
    assertThat(Await.result(repo.get(c.id())).orElseThrow().issuedSerial()).isNull();
  }

  @BackendTest
  void purgeDeletesOnlyExpiredChallenges(Database db) {
    ChallengeRepository repo = new ChallengeRepository(db);
    Await.result(repo.issue(challenge("dev-1", "h", 0)));
    EstChallenge later = new EstChallenge("late", "dev-2", "h", null, NOW, EXPIRY.plusSeconds(60), null, null, null);
    Await.result(repo.issue(later));
    // WHEN purged at the first one's expiry THEN only it goes
    assertThat(Await.result(repo.purgeExpired(EXPIRY))).isEqualTo(1);
    assertThat(Await.result(repo.live("dev-2", EXPIRY))).extracting(EstChallenge::id).isEqualTo(List.of("late"));
  }
}
