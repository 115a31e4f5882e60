package io.zto.provisioning;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import io.zto.shared.Platform;
import io.zto.shared.config.ZtoConfig;
import io.zto.shared.domain.AuditEvent;
import io.zto.shared.domain.IssuedCertificate;
import io.zto.shared.store.AuditRepository;
import io.zto.shared.store.CertificateRepository;
import io.zto.shared.store.Database;
import io.zto.shared.testing.Await;
import io.zto.shared.testing.Backend;
import io.zto.shared.testing.TestPki;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Renewal warnings: due certificates counted, each warned about once across nodes. */
@ExtendWith(VertxExtension.class)
class RenewalWatchTest {

  private static final Instant NOW = Instant.parse("2026-11-28T08:00:00Z");

  private Database db;
  private CertificateRepository certificates;

  @BeforeEach
  void open(Vertx vertx) {
    db = Await.result(Backend.SQLITE.open(vertx));
    certificates = new CertificateRepository(db);
  }

  @AfterEach
  void close() {
    Await.result(db.close());
  }

  @Test
  void deviceThatStopsRenewingIsWarnedOnceByOneOfTwoNodes() {
    // GIVEN (warning at 20 % of the lifetime left) a 30-second certificate with 5 s left whose device did not
    // renew, one with 5 s left whose device did renew, and one with 25 s left
    insert("01", "stale-1", NOW.minusSeconds(25), NOW.plusSeconds(5));
    insert("02", "renewing-1", NOW.minusSeconds(25), NOW.plusSeconds(5));
    insert("03", "renewing-1", NOW.minusSeconds(1), NOW.plusSeconds(29));
    insert("04", "fresh-1", NOW.minusSeconds(5), NOW.plusSeconds(25));
    SimpleMeterRegistry metrics = new SimpleMeterRegistry();
    RenewalWatch first = watch(metrics, "node-a");
    RenewalWatch second = watch(new SimpleMeterRegistry(), "node-b");
    // WHEN two nodes check at once
    Future<Integer> a = first.check();
    Future<Integer> b = second.check();
    int warned = Await.result(a) + Await.result(b);
    // THEN only the stale certificate is due, and it is audited once
    assertThat(warned).isEqualTo(1);
    assertThat(metrics.get(RenewalWatch.GAUGE).gauge().value()).isEqualTo(1.0);
    var events = Await.result(new AuditRepository(db).list(new AuditRepository.Query(null, RenewalWatch.ACTION, null,
        null, null, 10))).items();
    assertThat(events).singleElement().satisfies(e -> {
      assertThat(e.subject()).isEqualTo("stale-1");
      assertThat(e.outcome()).isEqualTo(AuditEvent.Outcome.FAILED);
      assertThat(e.reason()).contains("01", "has not renewed");
    });
    // AND the API state says due and when it was warned; the renewed one is not due
    var stale = Await.result(certificates.getRenewing("01", NOW, 20)).orElseThrow().renewal();
    assertThat(stale.due()).isTrue();
    assertThat(stale.warnedAt()).isEqualTo(NOW);
    assertThat(Await.result(certificates.getRenewing("02", NOW, 20)).orElseThrow().renewal().due()).isFalse();
    assertThat(Await.result(certificates.list(null, true, NOW, 20, null, 10)).items())
        .extracting(r -> r.certificate().serial()).containsExactly("01");
    // WHEN checked again THEN nobody is warned twice
    assertThat(Await.result(first.check())).isZero();
  }

  private RenewalWatch watch(SimpleMeterRegistry metrics, String node) {
    Platform platform = new Platform(ZtoConfig.of(Map.of("provisioning.renewalWarningPercent", "20")), db,
        TestPki.shared(), metrics, node);
    return new RenewalWatch(platform, Clock.fixed(NOW, ZoneOffset.UTC));
  }

  private void insert(String serial, String deviceId, Instant issuedAt, Instant notAfter) {
    Await.result(certificates.insert(new IssuedCertificate(serial, deviceId, "issuing", "CN=" + deviceId, "device",
        "pk-" + serial, "fp-" + serial, issuedAt.minusSeconds(300), notAfter, new byte[] {1},
        IssuedCertificate.Status.VALID, null, null, issuedAt)));
  }
}
