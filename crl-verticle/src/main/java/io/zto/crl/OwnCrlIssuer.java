package io.zto.crl;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.zto.shared.domain.IssuedCrl;
import io.zto.shared.domain.Revocation;
import io.zto.shared.pki.CrlBuilder;
import io.zto.shared.pki.RevokedCertificate;
import io.zto.shared.store.CertificateRepository;
import io.zto.shared.store.IssuedCrlRepository;
import java.math.BigInteger;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * Issues the CRL of the platform's issuing CA from the certificates it revoked. CRL numbers come from
 * the database, so they only grow, whichever node signs.
 */
final class OwnCrlIssuer {

  private final Vertx vertx;
  private final String ca;
  private final CrlBuilder builder;
  private final CertificateRepository certificates;
  private final IssuedCrlRepository crls;
  private final Duration validity;
  private final Clock clock;

  OwnCrlIssuer(Vertx vertx, String ca, CrlBuilder builder, CertificateRepository certificates,
               IssuedCrlRepository crls, Duration validity, Clock clock) {
    this.vertx = vertx;
    this.ca = ca;
    this.builder = builder;
    this.certificates = certificates;
    this.crls = crls;
    this.validity = validity;
    this.clock = clock;
  }

  /** The current CRL, issuing one first if there is none or it is past half its validity. */
  Future<IssuedCrl> current() {
    return crls.read(ca).compose(stored -> stored.filter(this::fresh).map(Future::succeededFuture).orElseGet(this::reissue));
  }

  /**
   * Signs a new CRL. The number is allocated before the revocations are read, so a CRL with a higher
   * number never lists fewer of them.
   */
  Future<IssuedCrl> reissue() {
    Instant now = clock.instant();
    Instant nextUpdate = now.plus(validity);
    return crls.allocateNumber(ca).compose(number -> certificates.listRevoked(ca, now)
        // signing a large list is CPU work: keep it off the event loop
        .compose(revoked -> vertx.executeBlocking(() -> builder.build(BigInteger.valueOf(number), now, nextUpdate,
            entries(revoked)), false))
        .compose(der -> crls.store(ca, number, now, nextUpdate, der)
            .map(stored -> new IssuedCrl(ca, now, nextUpdate, der))));
  }

  private boolean fresh(IssuedCrl crl) {
    Instant halfway = crl.thisUpdate().plus(Duration.between(crl.thisUpdate(), crl.nextUpdate()).dividedBy(2));
    return clock.instant().isBefore(halfway);
  }

  private static List<RevokedCertificate> entries(List<Revocation> revoked) {
    return revoked.stream()
        .map(r -> new RevokedCertificate(new BigInteger(r.serial(), 16), r.revokedAt(), r.reason()))
        .toList();
  }
}
