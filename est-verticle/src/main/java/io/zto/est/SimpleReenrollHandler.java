package io.zto.est;

import io.vertx.core.Future;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.ext.web.RoutingContext;
import io.zto.shared.bus.Addresses;
import io.zto.shared.bus.RevocationRequest;
import io.zto.shared.config.EstConfig;
import io.zto.shared.domain.Device;
import io.zto.shared.domain.IssuedCertificate;
import io.zto.shared.domain.RevocationReason;
import io.zto.shared.pki.CheckedCsr;
import io.zto.shared.pki.Der;
import io.zto.shared.pki.Fingerprints;
import io.zto.shared.trust.PeerChain;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code POST /simplereenroll} (RFC 7030 §4.2.2): the device's current operational certificate on the
 * TLS session (issued here, valid, not revoked, device not disabled) and a CSR with the same subject
 * and subjectAltName; no challenge.
 *
 * <p>Re-enrollment supersedes (contract section 9): the new certificate is stored and the presented one
 * revoked as {@code superseded} in one transaction, then the revocation service announces it (sessions
 * using it are dropped) and reissues the CRL. A retry after a lost response, with the now superseded
 * certificate and the same key, gets the same new certificate again (contract section 5); with another
 * key it is refused, since the presented certificate has a successor already.
 */
final class SimpleReenrollHandler implements EstHandler {

  static final String OPERATION = "simplereenroll";

  /** How long the announcement may take before the device gets its certificate anyway. */
  static final long ANNOUNCE_TIMEOUT_MS = 10_000;

  private static final Logger LOG = LoggerFactory.getLogger(SimpleReenrollHandler.class);

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
    return authenticator.operational(ctx).compose(
        client -> reenroll(ctx, profile, der, client),
        refused -> retryOfASupersededCertificate(ctx, der, refused));
  }

  private Future<EstOutcome> reenroll(RoutingContext ctx, EstConfig.Profile profile, byte[] der,
                                     ClientAuthenticator.OperationalClient client) {
    EstVerticle.identify(ctx, client.deviceId());
    String presented = client.issued().serial();
    return services.work(() -> EnrollmentPolicy.reenrollmentCsr(der, client.certificate()))
        .compose(csr -> policy.approval(profile, OPERATION, client.deviceId(), csr)
            .compose(approved -> issuer.supersede(csr.publicKey(), client.deviceId(), profile, presented))
            .compose(issued -> issued.isPresent()
                ? announced(ctx, presented, client.deviceId())
                    .map(EstOutcome.certsOnly(client.deviceId(), issued.get(), false))
                // a concurrent request with this certificate won: its answer, if it was for this key
                : sameKey(ctx, client.issued(), csr, EstException.forbidden("The client certificate (serial "
                    + presented + ") was superseded by a concurrent re-enrollment with another key"))));
  }

  /**
   * The authenticator refused the certificate. If it was superseded by a re-enrollment and this request
   * asks with the key of the certificate issued then, the device lost that answer: it gets it again.
   * The presented certificate is the platform's own record, matched by the SHA-256 of its DER, and the
   * TLS handshake proved its key; anything else keeps the authenticator's refusal.
   */
  private Future<EstOutcome> retryOfASupersededCertificate(RoutingContext ctx, byte[] der, Throwable refused) {
    if (!(refused instanceof EstException refusal) || refusal.status() != 403) {
      return Future.failedFuture(refused);
    }
    List<byte[]> chain = PeerChain.of(ctx.request().sslSession());
    if (chain.isEmpty()) {
      return Future.failedFuture(refused);
    }
    return services.certificates.findByFingerprint(Fingerprints.sha256(chain.get(0))).compose(found -> {
      Optional<IssuedCertificate> superseded = found.filter(c -> c.status() == IssuedCertificate.Status.REVOKED
          && c.revocationReason() == RevocationReason.SUPERSEDED);
      if (superseded.isEmpty()) {
        return Future.failedFuture(refused);
      }
      IssuedCertificate presented = superseded.get();
      EstVerticle.identify(ctx, presented.deviceId());
      return services.work(() -> EnrollmentPolicy.reenrollmentCsr(der, Der.certificate(presented.der())))
          .compose(csr -> sameKey(ctx, presented, csr, refusal));
    });
  }

  /**
   * The successor of {@code presented}, if it was issued for the key of this CSR and is still valid and
   * its device may still enroll; else {@code otherwise}.
   */
  private Future<EstOutcome> sameKey(RoutingContext ctx, IssuedCertificate presented, CheckedCsr csr,
                                     EstException otherwise) {
    Instant now = Instant.now();
    return services.certificates.successorOf(presented.serial()).compose(found -> {
      Optional<IssuedCertificate> successor = found.filter(c -> c.publicKeyHash().equals(csr.publicKeySha256())
          && c.status() == IssuedCertificate.Status.VALID && c.notAfter().isAfter(now));
      if (successor.isEmpty()) {
        return Future.failedFuture(found.isPresent() && !found.get().publicKeyHash().equals(csr.publicKeySha256())
            ? EstException.forbidden("The client certificate (serial " + presented.serial() + ") was superseded by"
                + " certificate " + found.get().serial() + " at a re-enrollment with another key; re-enroll with that"
                + " certificate") : otherwise);
      }
      return services.devices.get(presented.deviceId()).compose(device -> {
        if (device.isEmpty() || device.get().state() != Device.State.PROVISIONED) {
          return Future.failedFuture(otherwise);
        }
        X509Certificate answer = Der.certificate(successor.get().der());
        // the first attempt may have died before announcing: announcing again is harmless
        return announced(ctx, presented.serial(), presented.deviceId())
            .map(EstOutcome.certsOnly(presented.deviceId(), answer, true));
      });
    });
  }

  /**
   * Asks the revocation service to announce the superseded certificate and reissue the CRL. Its
   * revocation is committed already (new connections with it are refused), so a service that does not
   * answer only delays dropping a live session and listing it: logged, and the device gets its certificate.
   */
  private Future<Void> announced(RoutingContext ctx, String serial, String deviceId) {
    return ctx.vertx().eventBus().request(Addresses.REVOCATION_REQUEST,
            RevocationRequest.announceRevoked(List.of(serial), deviceId).toJson(),
            new DeliveryOptions().setSendTimeout(ANNOUNCE_TIMEOUT_MS))
        .<Void>mapEmpty()
        .otherwise(failure -> {
          LOG.warn("certificate {} of {} is superseded, but the revocation service did not announce it: {}", serial,
              deviceId, failure.getMessage());
          return null;
        });
  }
}
