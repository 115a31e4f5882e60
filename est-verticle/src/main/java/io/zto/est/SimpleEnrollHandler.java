package io.zto.est;

import io.vertx.core.Future;
import io.vertx.ext.web.RoutingContext;
import io.zto.shared.config.EstConfig;
import io.zto.shared.domain.EstChallenge;
import io.zto.shared.domain.EstRequest;
import io.zto.shared.domain.RevocationReason;
import io.zto.shared.pki.CheckedCsr;
import java.time.Instant;
import java.util.Optional;

/**
 * {@code POST /simpleenroll} (RFC 7030 §4.2.1): the LDevID of a provisioned device on the TLS session,
 * the device's one-time challenge, a CSR with CN = device id. A retry with the same key and challenge
 * gets the certificate issued before.
 */
final class SimpleEnrollHandler implements EstHandler {

  static final String OPERATION = "simpleenroll";

  private final EstServices services;
  private final ClientAuthenticator authenticator;
  private final ChallengeCheck challenges;
  private final EnrollmentPolicy policy;
  private final CertificateIssuer issuer;

  SimpleEnrollHandler(EstServices services, ClientAuthenticator authenticator, ChallengeCheck challenges,
                      EnrollmentPolicy policy, CertificateIssuer issuer) {
    this.services = services;
    this.authenticator = authenticator;
    this.challenges = challenges;
    this.policy = policy;
    this.issuer = issuer;
  }

  @Override
  public Future<EstOutcome> handle(RoutingContext ctx, EstConfig.Profile profile) {
    byte[] der = EstHttp.pkcs10Body(ctx);
    Instant now = Instant.now();
    return authenticator.ldevid(ctx).compose(client -> {
      EstVerticle.identify(ctx, client.deviceId());
      return services.work(() -> EnrollmentPolicy.enrollmentCsr(der, client.deviceId()))
          .compose(csr -> enroll(ctx, profile, client.deviceId(), csr, now));
    });
  }

  private Future<EstOutcome> enroll(RoutingContext ctx, EstConfig.Profile profile, String deviceId, CheckedCsr csr,
                                    Instant now) {
    String secret = ChallengeCheck.presented(ctx, deviceId, csr);
    String publicKeyHash = csr.publicKeySha256();
    return challenges.usedWithKey(deviceId, publicKeyHash, secret, now).compose(used -> used.isPresent()
        ? resume(used.get(), profile, deviceId, csr)
        : challenges.match(deviceId, secret, now).compose(
            challenge -> policy.approval(profile, OPERATION, deviceId, csr)
                .compose(approved -> services.challenges.consume(challenge.id(), publicKeyHash, now)
                    .compose(consumed -> consumed
                        ? issueFor(challenge, approved, csr, deviceId, profile)
                        : usedMeanwhile(deviceId, publicKeyHash, secret, now, profile, csr,
                            EstException.forbidden("The EST challenge was used by another request with another key")))),
            // no longer live: a concurrent retry with this key may have consumed it since the first look
            notLive -> usedMeanwhile(deviceId, publicKeyHash, secret, now, profile, csr, notLive)));
  }

  /** Another request took the challenge meanwhile: fine if it was with the same key (a concurrent retry). */
  private Future<EstOutcome> usedMeanwhile(String deviceId, String publicKeyHash, String secret, Instant now,
                                           EstConfig.Profile profile, CheckedCsr csr, Throwable otherwise) {
    return challenges.usedWithKey(deviceId, publicKeyHash, secret, now).compose(again -> again.isPresent()
        ? resume(again.get(), profile, deviceId, csr)
        : Future.failedFuture(otherwise));
  }

  /** The challenge was consumed for this key before: its certificate, or (if none was recorded) a new one. */
  private Future<EstOutcome> resume(EstChallenge used, EstConfig.Profile profile, String deviceId, CheckedCsr csr) {
    if (used.issuedSerial() != null) {
      // a retry after a lost response: the same certificate again
      return issuer.stored(used.issuedSerial()).map(certificate -> EstOutcome.certsOnly(deviceId, certificate, true));
    }
    // consumed by a request that failed, or is still running, before recording its certificate
    return policy.approval(profile, OPERATION, deviceId, csr)
        .compose(approved -> issueFor(used, approved, csr, deviceId, profile));
  }

  /**
   * Issues (the row is committed first), then records the serial on the challenge. If a concurrent request
   * with the same key and challenge recorded its certificate first, that one is the answer and this one is
   * revoked as superseded, so a challenge never yields two valid certificates.
   */
  private Future<EstOutcome> issueFor(EstChallenge challenge, Optional<EstRequest> approved, CheckedCsr csr,
                                      String deviceId, EstConfig.Profile profile) {
    return issuer.issue(csr.publicKey(), deviceId, profile).compose(certificate -> {
      EstOutcome outcome = EstOutcome.certsOnly(deviceId, certificate, false);
      return services.challenges.recordIssued(challenge.id(), outcome.serial()).compose(recorded -> recorded
          ? recordApproved(approved, outcome.serial()).map(outcome)
          : services.certificates.revoke(outcome.serial(), RevocationReason.SUPERSEDED, Instant.now())
              .compose(revoked -> services.challenges.get(challenge.id()))
              .compose(winner -> issuer.stored(winner.orElseThrow().issuedSerial()))
              .map(certificate2 -> EstOutcome.certsOnly(deviceId, certificate2, true)));
    });
  }

  private Future<Void> recordApproved(Optional<EstRequest> approved, String serial) {
    return approved.isEmpty() ? Future.succeededFuture()
        : services.requests.recordIssued(approved.get().id(), serial).mapEmpty();
  }
}
