package io.zto.est;

import io.vertx.core.Future;
import io.vertx.ext.web.RoutingContext;
import io.zto.shared.config.EstConfig;
import io.zto.shared.domain.EstRequest;
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
    return challenges.retried(deviceId, publicKeyHash, secret, now).compose(retry -> retry.isPresent()
        ? issuer.stored(retry.get()).map(certificate -> EstOutcome.certsOnly(deviceId, certificate, true))
        : challenges.match(deviceId, secret, now).compose(challenge ->
            policy.approval(profile, OPERATION, deviceId, csr)
                .compose(approved -> challenges.consume(challenge, publicKeyHash, now)
                    .compose(consumed -> issuer.issue(csr.publicKey(), deviceId, profile))
                    .compose(certificate -> {
                      EstOutcome outcome = EstOutcome.certsOnly(deviceId, certificate, false);
                      return services.challenges.recordIssued(challenge.id(), outcome.serial())
                          .compose(recorded -> recordApproved(approved, outcome.serial()))
                          .map(outcome);
                    }))));
  }

  private Future<Void> recordApproved(Optional<EstRequest> approved, String serial) {
    return approved.isEmpty() ? Future.succeededFuture()
        : services.requests.recordIssued(approved.get().id(), serial).mapEmpty();
  }
}
