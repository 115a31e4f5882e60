package io.zto.est;

import io.vertx.core.Future;
import io.vertx.ext.web.RoutingContext;
import io.zto.shared.config.EstConfig;

/**
 * {@code POST /simplereenroll} (RFC 7030 §4.2.2): the device's current operational certificate on the
 * TLS session (issued here, valid, not revoked, device not disabled) and a CSR with the same subject
 * and subjectAltName; no challenge.
 */
final class SimpleReenrollHandler implements EstHandler {

  static final String OPERATION = "simplereenroll";

  private final EstServices services;
  private final ClientAuthenticator authenticator;
  private final EnrollmentPolicy policy;
  private final CertificateIssuer issuer;

  SimpleReenrollHandler(EstServices services, ClientAuthenticator authenticator, EnrollmentPolicy policy,
                        CertificateIssuer issuer) {
    this.services = services;
    this.authenticator = authenticator;
    this.policy = policy;
    this.issuer = issuer;
  }

  @Override
  public Future<EstOutcome> handle(RoutingContext ctx, EstConfig.Profile profile) {
    byte[] der = EstHttp.pkcs10Body(ctx);
    return authenticator.operational(ctx).compose(client -> {
      EstVerticle.identify(ctx, client.deviceId());
      return services.work(() -> EnrollmentPolicy.reenrollmentCsr(der, client.certificate()))
          .compose(csr -> policy.approval(profile, OPERATION, client.deviceId(), csr)
              .compose(approved -> issuer.issue(csr.publicKey(), client.deviceId(), profile))
              .map(certificate -> EstOutcome.certsOnly(client.deviceId(), certificate, false)));
    });
  }
}
