package io.zto.est;

import io.vertx.core.Future;
import io.vertx.ext.web.RoutingContext;
import io.zto.shared.domain.Device;
import io.zto.shared.domain.IssuedCertificate;
import io.zto.shared.trust.PathElement;
import io.zto.shared.trust.PeerChain;
import io.zto.shared.trust.TrustPurpose;
import io.zto.shared.trust.Verdict;
import java.security.cert.X509Certificate;
import java.util.Optional;

/**
 * Decides who the TLS client is, after the handshake ({@code DeferredClientTrust}), through the trust
 * kernel: the LDevID of a provisioned device (simpleenroll, serverkeygen) or the device's current
 * operational certificate (simplereenroll). Refusals are {@link EstException}s: 401 without a
 * certificate, 403 for one that is not acceptable.
 */
final class ClientAuthenticator {

  /** A device authenticated by its LDevID. */
  record LdevidClient(String deviceId, X509Certificate certificate, Device device) {}

  /** A device authenticated by a certificate the platform issued. */
  record OperationalClient(String deviceId, X509Certificate certificate, IssuedCertificate issued) {}

  private static final String CERTIFICATE_REQUIRED = "A TLS client certificate is required: the device's LDevID for"
      + " simpleenroll and serverkeygen, its current operational certificate for simplereenroll";

  private final EstServices services;

  ClientAuthenticator(EstServices services) {
    this.services = services;
  }

  /** The LDevID of a provisioned device: a trusted, unrevoked path, device known and provisioned. */
  Future<LdevidClient> ldevid(RoutingContext ctx) {
    return services.trust.verify(TrustPurpose.LDEVID, PeerChain.of(ctx.request().sslSession()))
        .map(verdict -> trusted(verdict, "The client certificate is not an accepted LDevID: "))
        .onSuccess(verdict -> EstVerticle.identify(ctx, verdict.deviceId()))
        .compose(verdict -> services.devices.get(verdict.deviceId())
            .map(found -> provisioned(verdict.deviceId(), found, verdict.path().leaf())));
  }

  /** The device's current operational certificate: issued by us, valid, not revoked, device not disabled. */
  Future<OperationalClient> operational(RoutingContext ctx) {
    return services.trust.verify(TrustPurpose.OPERATIONAL, PeerChain.of(ctx.request().sslSession()))
        .map(verdict -> {
          if (verdict.deviceId() != null) {
            EstVerticle.identify(ctx, verdict.deviceId());
          }
          if (verdict.refusal() == Verdict.Refusal.REVOKED) {
            throw EstException.forbidden("The client certificate is revoked: " + verdict.reason()
                + "; the device must provision again");
          }
          return trusted(verdict, "simplereenroll needs the device's current certificate issued by this platform: ");
        })
        .compose(verdict -> services.devices.get(verdict.deviceId()).map(device -> {
          if (device.isEmpty() || device.get().state() == Device.State.DISABLED
              || device.get().state() == Device.State.RETIRED) {
            throw EstException.forbidden("Device " + verdict.deviceId() + " is "
                + device.map(d -> d.state().name().toLowerCase()).orElse("deleted") + "; it may not re-enroll");
          }
          return new OperationalClient(verdict.deviceId(), verdict.path().leaf().certificate(), verdict.issued());
        }));
  }

  /** The verdict if trusted; else 401 without a certificate, 403 with the kernel's reason. */
  private static Verdict trusted(Verdict verdict, String prefix) {
    if (verdict.trusted()) {
      return verdict;
    }
    if (verdict.refusal() == Verdict.Refusal.NO_CERTIFICATE) {
      throw new EstException(401, CERTIFICATE_REQUIRED);
    }
    throw EstException.forbidden(prefix + verdict.reason());
  }

  private static LdevidClient provisioned(String deviceId, Optional<Device> device, PathElement ldevid) {
    if (device.isEmpty()) {
      throw EstException.forbidden("Device " + deviceId + " is not known to the platform;"
          + " it must be provisioned (MQTT provisioning listener) before it enrolls");
    }
    Device.State state = device.get().state();
    if (state != Device.State.PROVISIONED) {
      throw EstException.forbidden("Device " + deviceId + " is " + state.name().toLowerCase()
          + "; only a provisioned device may enroll");
    }
    Device.Binding binding = device.get().binding();
    if (binding != null && !binding.ldevidFingerprint().equals(ldevid.fingerprint())) {
      // the device id is bound to the LDevID it provisioned with (contract section 9): another certificate
      // with that id (a foreign CA's, say) may not enroll, even with a challenge it somehow obtained
      throw EstException.forbidden("Device " + deviceId + " is bound to another LDevID; this certificate (SHA-256 "
          + ldevid.fingerprint() + ") may not enroll for it until an operator approves it");
    }
    return new LdevidClient(deviceId, ldevid.certificate(), device.get());
  }
}
