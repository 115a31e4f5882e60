package io.zto.shared.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.zto.shared.domain.TrustAnchor;
import io.zto.shared.pki.Fingerprints;
import io.zto.shared.pki.Pem;
import io.zto.shared.testing.Await;
import io.zto.shared.testing.BackendTest;
import io.zto.shared.testing.TestPki;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

class TrustAnchorCacheTest {

  private Vertx vertx;

  @BeforeEach
  void startVertx() {
    vertx = Vertx.vertx();
  }

  @AfterEach
  void closeVertx() {
    Await.result(vertx.close());
  }

  /** Bounded wait for something another thread makes true. */
  private static void eventually(Duration within, BooleanSupplier condition) {
    long deadline = System.nanoTime() + within.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("not true within " + within);
      }
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError(e);
      }
    }
  }

  private static TrustAnchor anchor(String name, X509Certificate ca) {
    return TrustAnchor.create(name, TrustAnchor.Purpose.LDEVID, Pem.encode(ca), Fingerprints.sha256(ca),
        ca.getSubjectX500Principal().getName(), ca.getNotAfter().toInstant());
  }

  private static X509Certificate rootCa() {
    return TestPki.shared().rootCertificate();
  }

  private static X509Certificate issuingCa() {
    return TestPki.shared().issuingCertificate();
  }

  @BackendTest
  void anchorAddedOnAnotherNodeIsUsedOnceTheChangeIsPublished(Database db) {
    TrustAnchorRepository repository = new TrustAnchorRepository(db);
    TrustAnchorCache cache = TrustAnchorCache.create(vertx, repository, Duration.ofHours(1));
    Await.result(cache.ready());
    // GIVEN a cache that read one anchor
    Await.result(repository.create(anchor("root", rootCa())));
    assertThat(Await.result(cache.get(TrustAnchor.Purpose.LDEVID)).certificates()).containsExactly(rootCa());
    // WHEN another node stores a second anchor, without telling
    Await.result(repository.create(anchor("issuing", issuingCa())));
    // THEN this node keeps using what it read (no database read per login)
    assertThat(Await.result(cache.get(TrustAnchor.Purpose.LDEVID)).certificates()).containsExactly(rootCa());
    // WHEN the change is published, as the operator API does after storing it
    TrustAnchorCache.changed(vertx);
    // THEN the next read has both, within a second
    eventually(Duration.ofSeconds(1), () -> Await.result(cache.get(TrustAnchor.Purpose.LDEVID)).certificates()
        .size() == 2);
    TrustAnchorCache.Anchors both = Await.result(cache.get(TrustAnchor.Purpose.LDEVID));
    assertThat(both.byFingerprint(Fingerprints.sha256(issuingCa()))).map(TrustAnchor::name).contains("issuing");
  }

  @BackendTest
  void anchorRemovedWithoutAPublishIsDroppedAfterTheTimeToLive(Database db) {
    TrustAnchorRepository repository = new TrustAnchorRepository(db);
    TrustAnchorCache cache = TrustAnchorCache.create(vertx, repository, Duration.ofMillis(300));
    // GIVEN a cached anchor
    TrustAnchor root = Await.result(repository.create(anchor("root", rootCa())));
    assertThat(Await.result(cache.get(TrustAnchor.Purpose.LDEVID)).anchors()).containsExactly(root);
    // WHEN it is deleted and the publish is lost
    assertThat(Await.result(repository.delete(root.id()))).isEqualTo(TrustAnchorRepository.Deletion.DELETED);
    // THEN it is no longer trusted once the time to live has passed
    eventually(Duration.ofSeconds(3), () -> Await.result(cache.get(TrustAnchor.Purpose.LDEVID)).anchors()
        .isEmpty());
  }

  @BackendTest
  void aRefusalIsCheckedAgainWithAnchorsReadAfresh(Database db) {
    TrustAnchorRepository repository = new TrustAnchorRepository(db);
    TrustAnchorCache cache = TrustAnchorCache.create(vertx, repository, Duration.ofHours(1));
    // GIVEN a cache read before a CA was trusted on another node (whose publish has not arrived)
    assertThat(Await.result(cache.get(TrustAnchor.Purpose.LDEVID)).anchors()).isEmpty();
    Await.result(repository.create(anchor("root", rootCa())));
    AtomicInteger checks = new AtomicInteger();
    // WHEN a check needing that CA runs through the cache
    Future<String> result = cache.check(TrustAnchor.Purpose.LDEVID, anchors -> {
      checks.incrementAndGet();
      return anchors.certificates().contains(rootCa()) ? Future.succeededFuture("trusted")
          : Future.failedFuture(new IllegalStateException("untrusted"));
    }, IllegalStateException.class::isInstance);
    // THEN it is refused only after a second check against the stored anchors, which trusts it
    assertThat(Await.result(result)).isEqualTo("trusted");
    assertThat(checks).hasValue(2);
    // AND a failure the caller does not call untrusted is not checked again
    checks.set(0);
    Throwable failure = Await.failure(cache.check(TrustAnchor.Purpose.LDEVID, anchors -> {
      checks.incrementAndGet();
      return Future.failedFuture(new IllegalArgumentException("malformed"));
    }, IllegalStateException.class::isInstance));
    assertThat(failure).hasMessage("malformed");
    assertThat(checks).hasValue(1);
  }
}
