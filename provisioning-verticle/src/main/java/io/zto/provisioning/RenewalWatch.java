package io.zto.provisioning;

import io.micrometer.core.instrument.Gauge;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.zto.shared.Platform;
import io.zto.shared.domain.AuditEvent;
import io.zto.shared.domain.IssuedCertificate;
import io.zto.shared.store.AuditRepository;
import io.zto.shared.store.CertificateRepository;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Warns about certificates close to expiry whose devices have not renewed them
 * ({@link io.zto.shared.domain.Renewal}): the gauge {@value #GAUGE} holds how many are due, and each
 * due certificate is audited once ({@value #ACTION}) by whichever node flips its
 * {@code renewal_warned_at} first, so several nodes checking at once warn once.
 */
final class RenewalWatch {

  static final String GAUGE = "zto.certificates.renewal.due";
  static final String ACTION = "certificate.renewal-due";

  private final Platform platform;
  private final Clock clock;
  private final CertificateRepository certificates;
  private final AuditRepository audit;
  private final int percentLeft;
  private final AtomicLong due = new AtomicLong();

  RenewalWatch(Platform platform, Clock clock) {
    this.platform = platform;
    this.clock = clock;
    this.certificates = new CertificateRepository(platform.db());
    this.audit = new AuditRepository(platform.db());
    this.percentLeft = platform.config().provisioning().renewalWarningPercent();
    Gauge.builder(GAUGE, due, AtomicLong::get)
        .description("Certificates close to expiry whose device has not renewed them")
        .register(platform.metrics());
  }

  /** One check: updates the gauge and warns about the due certificates nobody warned about yet. */
  Future<Integer> check() {
    Instant now = clock.instant();
    return certificates.countDue(now, percentLeft)
        .onSuccess(due::set)
        .compose(ignored -> certificates.listUnwarnedDue(now, percentLeft, CertificateRepository.MAX_EXPIRING))
        .compose(found -> warnEach(found, now));
  }

  private Future<Integer> warnEach(List<IssuedCertificate> found, Instant now) {
    Future<Integer> warned = Future.succeededFuture(0);
    for (IssuedCertificate cert : found) {
      warned = warned.compose(count -> certificates.markRenewalWarned(cert.serial(), now)
          .compose(won -> won ? audited(cert, now).map(count + 1) : Future.succeededFuture(count)));
    }
    return warned;
  }

  private Future<Void> audited(IssuedCertificate cert, Instant now) {
    return audit.append(new AuditEvent(0, now, "system", ACTION, cert.deviceId(), AuditEvent.Outcome.FAILED,
        "certificate " + cert.serial() + " expires at " + cert.notAfter() + " and the device has not renewed it",
        new JsonObject().put("serial", cert.serial()).put("notAfter", cert.notAfter().toString()),
        platform.nodeId())).mapEmpty();
  }
}
