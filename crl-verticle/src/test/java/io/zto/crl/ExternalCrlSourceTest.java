package io.zto.crl;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.SelfSignedCertificate;
import io.vertx.junit5.VertxExtension;
import io.zto.shared.Platform;
import io.zto.shared.bus.Addresses;
import io.zto.shared.bus.RevocationEvent;
import io.zto.shared.config.ZtoConfig;
import io.zto.shared.domain.AuditEvent;
import io.zto.shared.domain.CrlSource;
import io.zto.shared.domain.CrlSource.Check;
import io.zto.shared.domain.RevocationReason;
import io.zto.shared.pki.FactoryCa;
import io.zto.shared.pki.Fingerprints;
import io.zto.shared.pki.Pem;
import io.zto.shared.store.AuditRepository;
import io.zto.shared.store.CrlSourceRepository;
import io.zto.shared.store.Database;
import io.zto.shared.testing.Await;
import io.zto.shared.testing.Backend;
import io.zto.shared.testing.CrlServer;
import io.zto.shared.testing.TestCrls;
import io.zto.shared.testing.TestPki;
import java.math.BigInteger;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.slf4j.LoggerFactory;

/**
 * External CRL sources end to end inside the crl role: a real HTTP(S) server publishes CRLs signed by a
 * test customer CA; the verticle fetches, verifies, applies and announces them, and reports every kind
 * of failure on the source, in the audit log, the metrics and the log, leaving the entries as they were.
 */
@ExtendWith(VertxExtension.class)
class ExternalCrlSourceTest {

  private static final Duration HOUR = Duration.ofHours(1);
  private static final BigInteger A = new BigInteger("1a2b3c4d5e6f7081", 16);
  private static final BigInteger B = new BigInteger("2b3c4d5e6f708192", 16);
  private static final BigInteger C = new BigInteger("3c4d5e6f708192a3", 16);

  @TempDir
  static Path dataDir;

  private final FactoryCa customerCa = FactoryCa.create("Test Customer LDevID CA", "Customer");
  private final TestCrls crls = new TestCrls(customerCa);
  private final List<RevocationEvent> events = java.util.Collections.synchronizedList(new java.util.ArrayList<>());
  private final SimpleMeterRegistry metrics = new SimpleMeterRegistry();
  private Vertx vertx;
  private Database db;
  private CrlSourceRepository sources;
  private CrlServer server;

  private void deploy(Vertx vertx, Backend backend, CrlSyncOptions options) {
    this.vertx = vertx;
    db = Await.result(backend.open(vertx));
    sources = new CrlSourceRepository(db);
    server = CrlServer.http(vertx);
    vertx.eventBus().<JsonObject>consumer(Addresses.REVOCATION_EVENTS, m -> events.add(RevocationEvent.fromJson(m.body())));
    ZtoConfig config = ZtoConfig.of(Map.of("dataDir", dataDir.toString()));
    Await.result(vertx.deployVerticle(new CrlVerticle(new Platform(config, db, TestPki.create(dataDir), metrics,
        "node-1"), options)));
  }

  /** Scheduler ticks far apart: the tests drive fetches with the refresh request. */
  private void deploy(Vertx vertx) {
    deploy(vertx, Backend.SQLITE, new CrlSyncOptions().setTick(HOUR).setFetchTimeout(Duration.ofSeconds(1)));
  }

  @AfterEach
  void close() {
    if (db != null) {
      Await.result(db.close());
    }
  }

  private CrlSource register(String url, CrlSource.StalePolicy policy) {
    return Await.result(sources.create(CrlSource.create(url, Pem.encode(customerCa.certificate()),
        Fingerprints.sha256(customerCa.certificate()), 3600, policy)));
  }

  private JsonObject refresh(CrlSource source) {
    return Await.result(vertx.eventBus().<JsonObject>request(Addresses.CRL_REFRESH,
        new JsonObject().put("id", source.id()))).body();
  }

  private Check check(BigInteger serial) {
    return Await.result(sources.check(serial.toString(16), Fingerprints.sha256(customerCa.certificate()),
        Instant.now()));
  }

  private CrlSource stored(CrlSource source) {
    return Await.result(sources.get(source.id())).orElseThrow();
  }

  private static Map<BigInteger, RevocationReason> listing(Object... serialsAndReasons) {
    Map<BigInteger, RevocationReason> map = new LinkedHashMap<>();
    for (int i = 0; i < serialsAndReasons.length; i += 2) {
      map.put((BigInteger) serialsAndReasons[i], (RevocationReason) serialsAndReasons[i + 1]);
    }
    return map;
  }

  private static void eventually(BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (!condition.getAsBoolean()) {
      assertThat(System.nanoTime()).as("condition not met within 20 s").isLessThan(deadline);
      Thread.sleep(50);
    }
  }

  @ParameterizedTest
  @EnumSource(Backend.class)
  void listedCertificatesAreBlockedAnnouncedAndUnblockedWhenRemoved(Backend backend, Vertx vertx) throws Exception {
    deploy(vertx, backend, new CrlSyncOptions().setTick(HOUR));
    CrlSource source = register(server.url(), CrlSource.StalePolicy.KEEP_LAST);
    // GIVEN the customer CA publishes CRL 1 listing A (keyCompromise) and B (certificateHold)
    server.publish(crls.complete(1, listing(A, RevocationReason.KEY_COMPROMISE, B, RevocationReason.CERTIFICATE_HOLD)));
    // WHEN the source is refreshed
    JsonObject outcome = refresh(source);
    // THEN both are listed, with their reasons, and one BLOCKED event per certificate was published
    assertThat(outcome.getString("outcome")).isEqualTo("accepted");
    assertThat(outcome.getInteger("added")).isEqualTo(2);
    assertThat(check(A)).isEqualTo(new Check(Check.Status.LISTED, "keyCompromise", source.id(), null));
    assertThat(check(C)).isEqualTo(Check.CLEAR);
    eventually(() -> events.size() == 2);
    assertThat(events).extracting(RevocationEvent::kind, RevocationEvent::action, RevocationEvent::serial,
            RevocationEvent::issuerFingerprint, RevocationEvent::reason)
        .containsExactlyInAnyOrder(
            org.assertj.core.groups.Tuple.tuple(RevocationEvent.Kind.CERTIFICATE, RevocationEvent.Action.BLOCKED,
                A.toString(16), source.issuerFingerprint(), "keyCompromise"),
            org.assertj.core.groups.Tuple.tuple(RevocationEvent.Kind.CERTIFICATE, RevocationEvent.Action.BLOCKED,
                B.toString(16), source.issuerFingerprint(), "certificateHold"));
    assertThat(stored(source).crlNumber()).isEqualTo("1");
    // WHEN it is refreshed again with nothing new THEN the GET was conditional and answered 304
    assertThat(refresh(source).getString("outcome")).isEqualTo("unchanged");
    assertThat(server.conditions().get(1)).isNotEmpty().isEqualTo(stored(source).etag());
    // WHEN CRL 2 no longer lists B (the hold released)
    events.clear();
    server.publish(crls.complete(2, listing(A, RevocationReason.KEY_COMPROMISE)));
    assertThat(refresh(source).getInteger("removed")).isEqualTo(1);
    // THEN B is unblocked and announced so
    assertThat(check(B)).isEqualTo(Check.CLEAR);
    eventually(() -> events.size() == 1);
    assertThat(events.get(0).action()).isEqualTo(RevocationEvent.Action.UNBLOCKED);
    assertThat(events.get(0).serial()).isEqualTo(B.toString(16));
    // AND the sync is audited
    assertThat(audit("crl-source.sync", AuditEvent.Outcome.SUCCEEDED)).hasSize(2);
  }

  @Test
  void aCrlIsFetchedOverHttps(Vertx vertx) {
    SelfSignedCertificate certificate = SelfSignedCertificate.create("localhost");
    deploy(vertx, Backend.SQLITE, new CrlSyncOptions().setTick(HOUR).setWebClientOptions(
        CrlSyncOptions.defaultWebClientOptions().setTrustOptions(certificate.trustOptions())));
    CrlServer https = CrlServer.https(vertx, certificate);
    CrlSource source = register(https.url(), CrlSource.StalePolicy.KEEP_LAST);
    https.publish(crls.complete(7, listing(C, RevocationReason.SUPERSEDED)));
    // WHEN refreshed over HTTPS THEN the CRL is accepted
    assertThat(refresh(source).getString("outcome")).isEqualTo("accepted");
    assertThat(check(C).status()).isEqualTo(Check.Status.LISTED);
  }

  @Test
  void everyKindOfBadCrlOrFailedFetchIsReportedAndLeavesTheEntriesAlone(Vertx vertx) throws Exception {
    deploy(vertx);
    CrlSource source = register(server.url(), CrlSource.StalePolicy.KEEP_LAST);
    server.publish(crls.complete(5, listing(A, RevocationReason.KEY_COMPROMISE)));
    assertThat(refresh(source).getString("outcome")).isEqualTo("accepted");
    FactoryCa impostor = FactoryCa.create("Test Customer LDevID CA", "Customer"); // same name, other key
    Map<String, byte[]> bad = new LinkedHashMap<>();
    bad.put("bad-signature", new TestCrls(impostor).complete(6, listing(B, RevocationReason.UNSPECIFIED)));
    bad.put("rollback", crls.complete(4, listing(B, RevocationReason.UNSPECIFIED)));
    bad.put("expired", crls.validity(Instant.now().minusSeconds(7200), Instant.now().minusSeconds(60))
        .complete(6, listing(B, RevocationReason.UNSPECIFIED)));
    bad.put("malformed", "<html>this is not a CRL</html>".getBytes());
    int expectedFailures = 0;
    for (Map.Entry<String, byte[]> kind : bad.entrySet()) {
      // WHEN the server publishes a bad CRL
      server.publish(kind.getValue());
      JsonObject outcome = refresh(source);
      expectedFailures++;
      // THEN it is refused with a clear reason, recorded, audited and counted; A stays listed, B is not
      assertFailure(source, outcome, kind.getKey(), expectedFailures);
    }
    // WHEN the server answers 500, or does not answer within the fetch timeout
    server.failWith(500);
    assertFailure(source, refresh(source), "http-status", ++expectedFailures);
    assertThat(stored(source).lastError()).contains("HTTP 500");
    server.hang();
    assertFailure(source, refresh(source), "timeout", ++expectedFailures);
    // THEN both are reported the same way; the refusals (bad CRLs) and the failures (no CRL) audited
    assertThat(audit("crl-source.fetch", AuditEvent.Outcome.REFUSED)).hasSize(4);
    assertThat(audit("crl-source.fetch", AuditEvent.Outcome.FAILED)).hasSize(2);
    assertThat(stored(source).crlNumber()).isEqualTo("5");
  }

  @Test
  void aCrlLargerThanTheLimitIsRefused(Vertx vertx) {
    deploy(vertx, Backend.SQLITE, new CrlSyncOptions().setTick(HOUR).setMaxCrlBytes(2048));
    CrlSource source = register(server.url(), CrlSource.StalePolicy.KEEP_LAST);
    Map<BigInteger, RevocationReason> many = new LinkedHashMap<>();
    for (int i = 0; i < 200; i++) {
      many.put(BigInteger.valueOf(1000 + i), RevocationReason.UNSPECIFIED);
    }
    server.publish(crls.complete(1, many));
    // WHEN the CRL exceeds the size limit THEN it is refused as too large and nothing is stored
    assertFailure(source, refresh(source), "too-large", 1);
    assertThat(Await.result(sources.countEntries())).doesNotContainKey(source.id());
  }

  private void assertFailure(CrlSource source, JsonObject outcome, String kind, int failures) {
    assertThat(outcome.getString("outcome")).as(kind).isEqualTo("failed");
    assertThat(outcome.getString("kind")).isEqualTo(kind);
    CrlSource after = stored(source);
    assertThat(after.lastError()).startsWith(kind + ": ").isEqualTo(outcome.getString("error"));
    assertThat(after.failures()).isEqualTo(failures);
    assertThat(metrics.find("zto.crl.source.fetch.failures").tag("source", source.id()).tag("kind", kind).counter())
        .as("failure metric of " + kind).isNotNull()
        .satisfies(counter -> assertThat(counter.count()).isEqualTo(1.0));
    if (after.crlNumber() != null) {
      assertThat(check(A).status()).isEqualTo(Check.Status.LISTED);
    }
    assertThat(check(B)).isEqualTo(Check.CLEAR);
  }

  private List<AuditEvent> audit(String action, AuditEvent.Outcome outcome) {
    return Await.result(new AuditRepository(db).list(new AuditRepository.Query(null, action, outcome, null, null,
        100))).items();
  }

  @Test
  void aDeltaCrlAppliesOnItsBaseAndRemoveFromCrlUnblocks(Vertx vertx) throws Exception {
    deploy(vertx);
    CrlSource source = register(server.url(), CrlSource.StalePolicy.KEEP_LAST);
    // GIVEN complete CRL 10 holds A
    server.publish(crls.complete(10, listing(A, RevocationReason.CERTIFICATE_HOLD)));
    refresh(source);
    eventually(() -> events.size() == 1);
    events.clear();
    // WHEN delta 11 on base 10 lists B and releases A (removeFromCRL)
    server.publish(crls.delta(11, 10, listing(B, RevocationReason.KEY_COMPROMISE, A, RevocationReason.REMOVE_FROM_CRL)));
    JsonObject outcome = refresh(source);
    // THEN B is blocked and A unblocked, each announced
    assertThat(outcome.getString("outcome")).isEqualTo("accepted");
    assertThat(outcome.getBoolean("delta")).isTrue();
    assertThat(check(B).status()).isEqualTo(Check.Status.LISTED);
    assertThat(check(A)).isEqualTo(Check.CLEAR);
    eventually(() -> events.size() == 2);
    assertThat(events).extracting(RevocationEvent::serial, RevocationEvent::action).containsExactlyInAnyOrder(
        org.assertj.core.groups.Tuple.tuple(B.toString(16), RevocationEvent.Action.BLOCKED),
        org.assertj.core.groups.Tuple.tuple(A.toString(16), RevocationEvent.Action.UNBLOCKED));
    assertThat(stored(source).deltaCrlNumber()).isEqualTo("11");
    // AND a delta on a base not held waits for it, reported as such
    server.publish(crls.delta(13, 12, listing(C, RevocationReason.KEY_COMPROMISE)));
    assertThat(refresh(source).getString("kind")).isEqualTo("delta-base-missing");
    assertThat(check(C)).isEqualTo(Check.CLEAR);
  }

  @Test
  void theSchedulerFetchesNewSourcesOnItsOwnAndStaleSourcesFollowTheirPolicy(Vertx vertx) throws Exception {
    deploy(vertx, Backend.SQLITE, new CrlSyncOptions().setTick(Duration.ofMillis(100))
        .setFetchTimeout(Duration.ofSeconds(5)));
    CrlServer second = CrlServer.http(vertx);
    // GIVEN two sources of the same issuer whose CRLs lapse in 8 seconds: keep-last and refuse-all
    Instant nextUpdate = Instant.now().plusSeconds(8);
    byte[] crl = crls.validity(Instant.now().minusSeconds(60), nextUpdate)
        .complete(1, listing(A, RevocationReason.KEY_COMPROMISE));
    server.publish(crl);
    second.publish(crl);
    CrlSource keep = register(server.url(), CrlSource.StalePolicy.KEEP_LAST);
    CrlSource refuse = register(second.url(), CrlSource.StalePolicy.REFUSE_ALL);
    // WHEN nobody asks THEN the scheduler fetches both within a few ticks
    eventually(() -> stored(keep).crlNumber() != null && stored(refuse).crlNumber() != null);
    assertThat(check(B)).isEqualTo(Check.CLEAR);
    // WHEN nextUpdate passes and the servers have nothing newer
    eventually(() -> Instant.now().isAfter(nextUpdate.plusMillis(300)));
    // THEN refuse-all refuses every certificate of the issuer, keep-last keeps A listed
    Check stale = check(B);
    assertThat(stale.status()).isEqualTo(Check.Status.ISSUER_STALE);
    assertThat(stale.sourceId()).isEqualTo(refuse.id());
    assertThat(stale.staleSince()).isEqualTo(nextUpdate.truncatedTo(java.time.temporal.ChronoUnit.SECONDS));
    // AND the sessions of that issuer are dropped (an ISSUER event), health and metrics name both sources
    eventually(() -> events.stream().anyMatch(e -> e.kind() == RevocationEvent.Kind.ISSUER));
    assertThat(events.stream().filter(e -> e.kind() == RevocationEvent.Kind.ISSUER).findFirst().orElseThrow()
        .issuerFingerprint()).isEqualTo(refuse.issuerFingerprint());
    JsonObject health = Await.result(vertx.eventBus().<JsonObject>request(Addresses.health("crl"), null)).body();
    assertThat(health.getJsonObject("details").getJsonArray("staleCrlSources").stream()
        .map(s -> ((JsonObject) s).getString("id")).toList()).containsExactlyInAnyOrder(keep.id(), refuse.id());
    assertThat(metrics.find("zto.crl.source.stale").tag("source", refuse.id()).gauge().value()).isEqualTo(1.0);
    assertThat(metrics.find("zto.crl.source.stale.seconds").tag("source", keep.id()).gauge().value())
        .isGreaterThanOrEqualTo(0.0);
    // AND the fetches after nextUpdate are reported as expired (the server answers 304)
    eventually(() -> stored(keep).lastError() != null);
    assertThat(stored(keep).lastError()).startsWith("expired: ");
    // WHEN the issuer publishes a fresh CRL THEN the issuer is clear again
    byte[] fresh = crls.validity(Instant.now().minusSeconds(10), Instant.now().plusSeconds(3600))
        .complete(2, listing(A, RevocationReason.KEY_COMPROMISE));
    second.publish(fresh);
    assertThat(refresh(refuse).getString("outcome")).isEqualTo("accepted");
    assertThat(check(B)).isEqualTo(Check.CLEAR);
  }

  @Test
  void aHundredThousandEntryCrlIsSyncedWithoutBlockingAnEventLoop() throws Exception {
    // GIVEN a strict blocked-thread checker (300 ms) on the Vert.x that runs the crl role
    ListAppender<ILoggingEvent> warnings = new ListAppender<>();
    warnings.start();
    Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    root.addAppender(warnings);
    Vertx strict = Vertx.vertx(new VertxOptions().setBlockedThreadCheckInterval(10)
        .setWarningExceptionTime(300).setWarningExceptionTimeUnit(TimeUnit.MILLISECONDS)
        .setBlockedThreadCheckIntervalUnit(TimeUnit.MILLISECONDS).setMaxEventLoopExecuteTime(300)
        .setMaxEventLoopExecuteTimeUnit(TimeUnit.MILLISECONDS));
    try {
      deploy(strict, Backend.SQLITE, new CrlSyncOptions().setTick(HOUR).setFetchTimeout(Duration.ofSeconds(60)));
      CrlSource source = register(server.url(), CrlSource.StalePolicy.KEEP_LAST);
      // AND a node past its first sync, so that first-use class loading (not the CRL's size) is not counted
      server.publish(crls.complete(1, listing(A, RevocationReason.KEY_COMPROMISE)));
      assertThat(refresh(source).getString("outcome")).isEqualTo("accepted");
      eventually(() -> events.size() == 1);
      Thread.sleep(600);
      warnings.list.clear();
      events.clear();
      Map<BigInteger, RevocationReason> entries = new LinkedHashMap<>();
      for (int i = 0; i < 100_000; i++) {
        entries.put(BigInteger.valueOf(0x10000000L + i), RevocationReason.KEY_COMPROMISE);
      }
      server.publish(crls.complete(2, entries));
      // WHEN a CRL of 100,000 entries is fetched, verified, applied and announced
      JsonObject outcome = refresh(source);
      // THEN all 100,000 are listed and announced, and no event loop was reported blocked
      assertThat(outcome.getString("outcome")).as(outcome.encode()).isEqualTo("accepted");
      assertThat(outcome.getInteger("added")).isEqualTo(100_000);
      assertThat(outcome.getInteger("removed")).isEqualTo(1);
      eventually(() -> events.size() == 100_001);
      assertThat(check(BigInteger.valueOf(0x10000000L + 99_999)).status()).isEqualTo(Check.Status.LISTED);
      Thread.sleep(600);
      assertThat(warnings.list.stream().map(ILoggingEvent::getFormattedMessage)
          .filter(m -> m.contains("has been blocked") && m.contains("eventloop")).toList()).isEmpty();
    } finally {
      root.detachAppender(warnings);
      Await.result(db.close());
      db = null;
      Await.result(strict.close());
    }
  }
}
