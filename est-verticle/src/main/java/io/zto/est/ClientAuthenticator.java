package io.zto.est;

import io.vertx.core.Future;
import io.vertx.ext.web.RoutingContext;
import io.zto.shared.domain.CrlSource;
import io.zto.shared.domain.Device;
import io.zto.shared.domain.IssuedCertificate;
import io.zto.shared.domain.TrustAnchor;
import io.zto.shared.pki.ChainVerifier;
import io.zto.shared.pki.DeviceIds;
import io.zto.shared.pki.Fingerprints;
import io.zto.shared.pki.InvalidDeviceIdException;
import io.zto.shared.pki.Pem;
import io.zto.shared.pki.UntrustedCertificateException;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;

/**
 * Decides who the TLS client is, after the handshake ({@code DeferredClientTrust}) and off the event
 * loop: the LDevID of a provisioned device (simpleenroll, serverkeygen) or the device's current
 * operational certificate (simplereenroll). Refusals are {@link EstException}s: 401 without a
 * certificate, 403 for one that is not acceptable.
 */
final class ClientAuthenticator {

  /** A device authenticated by its LDevID. */
  record LdevidClient(String deviceId, X509Certificate certificate, Device device) {}

  /** A device authenticated by a certificate the platform issued. */
  record OperationalClient(String deviceId, X509Certificate certificate, IssuedCertificate issued) {}

  private final EstServices services;

  ClientAuthenticator(EstServices services) {
    this.services = services;
  }

  /** The client chain of the TLS session, leaf first; 401 if none was presented. */
  static List<X509Certificate> peerChain(RoutingContext ctx) {
    SSLSession session = ctx.request().sslSession();
    try {
      if (session == null) {
        throw new SSLPeerUnverifiedException("no TLS session");
      }
      List<X509Certificate> chain = new ArrayList<>();
      for (Certificate certificate : session.getPeerCertificates()) {
        chain.add((X509Certificate) certificate);
      }
      if (chain.isEmpty()) {
        throw new SSLPeerUnverifiedException("empty chain");
      }
      return chain;
    } catch (SSLPeerUnverifiedException e) {
      throw new EstException(401, "A TLS client certificate is required: the device's LDevID for simpleenroll and"
          + " serverkeygen, its current operational certificate for simplereenroll");
    }
  }

  /** The LDevID of a provisioned device: trusted chain, not blocked, device known and not disabled. */
  Future<LdevidClient> ldevid(RoutingContext ctx) {
    List<X509Certificate> chain = peerChain(ctx);
    Instant now = Instant.now();
    return services.anchors.list(TrustAnchor.Purpose.LDEVID)
        .compose(anchors -> services.work(() -> verifyLdevid(chain, anchors, now)))
        .onSuccess(verified -> EstVerticle.identify(ctx, verified.deviceId()))
        .compose(verified -> notListed(chain.get(0), verified.issuerFingerprints())
            .compose(ignored -> services.devices.get(verified.deviceId()))
            .map(device -> {
              if (device.isEmpty()) {
                throw EstException.forbidden("Device " + verified.deviceId() + " is not known to the platform;"
                    + " it must be provisioned (MQTT provisioning listener) before it enrolls");
              }
              Device.State state = device.get().state();
              if (state != Device.State.PROVISIONED) {
                throw EstException.forbidden("Device " + verified.deviceId() + " is " + state.name().toLowerCase()
                    + "; only a provisioned device may enroll");
              }
              return new LdevidClient(verified.deviceId(), chain.get(0), device.get());
            }));
  }

  private record VerifiedLdevid(String deviceId, List<String> issuerFingerprints) {}

  private static VerifiedLdevid verifyLdevid(List<X509Certificate> chain, List<TrustAnchor> anchors, Instant now) {
    List<X509Certificate> trusted = new ArrayList<>();
    anchors.forEach(anchor -> trusted.addAll(Pem.readCertificates(anchor.pem())));
    X509Certificate anchor;
    try {
      anchor = ChainVerifier.verify(chain, trusted, now);
    } catch (UntrustedCertificateException e) {
      throw EstException.forbidden("The client certificate is not an accepted LDevID: " + e.getMessage());
    }
    String deviceId;
    try {
      deviceId = DeviceIds.fromCertificate(chain.get(0)).value();
    } catch (InvalidDeviceIdException e) {
      throw EstException.forbidden("The LDevID carries no valid device id: " + e.getMessage());
    }
    List<String> issuers = new ArrayList<>();
    issuers.add(Fingerprints.sha256(anchor));
    if (chain.size() > 1) {
      issuers.add(Fingerprints.sha256(chain.get(1)));
    }
    return new VerifiedLdevid(deviceId, issuers);
  }

  private Future<Void> notListed(X509Certificate leaf, List<String> issuerFingerprints) {
    String serial = leaf.getSerialNumber().toString(16);
    Instant now = Instant.now();
    List<Future<CrlSource.Check>> checks = issuerFingerprints.stream()
        .map(fingerprint -> services.crlSources.check(serial, fingerprint, now)).toList();
    return Future.all(checks).map(all -> {
      checks.stream().map(Future::result).filter(CrlSource.Check::refused).findFirst().ifPresent(check -> {
        throw EstException.forbidden("The LDevID (serial " + serial + ") is refused: " + check.describe());
      });
      return null;
    });
  }

  /** The device's current operational certificate: issued by us, valid, not revoked, device not disabled. */
  Future<OperationalClient> operational(RoutingContext ctx) {
    List<X509Certificate> chain = peerChain(ctx);
    Instant now = Instant.now();
    return services.work(() -> {
      try {
        ChainVerifier.verify(chain, services.platform.pki().caChain(), now);
      } catch (UntrustedCertificateException e) {
        throw EstException.forbidden("simplereenroll needs the device's current certificate issued by this platform: "
            + e.getMessage());
      }
      return Fingerprints.sha256(chain.get(0));
    }).compose(services.certificates::findByFingerprint).compose(found -> {
      if (found.isEmpty()) {
        throw EstException.forbidden("The client certificate was not issued by this platform's EST server");
      }
      IssuedCertificate issued = found.get();
      EstVerticle.identify(ctx, issued.deviceId());
      if (issued.status() == IssuedCertificate.Status.REVOKED) {
        throw EstException.forbidden("The client certificate (serial " + issued.serial() + ") is revoked ("
            + issued.revocationReason().rfcName() + "); the device must provision again");
      }
      if (!issued.notAfter().isAfter(now)) {
        throw EstException.forbidden("The client certificate expired at " + issued.notAfter()
            + "; the device must provision and enroll again");
      }
      return services.devices.get(issued.deviceId()).map(device -> {
        if (device.isEmpty() || device.get().state() == Device.State.DISABLED
            || device.get().state() == Device.State.RETIRED) {
          throw EstException.forbidden("Device " + issued.deviceId() + " is "
              + device.map(d -> d.state().name().toLowerCase()).orElse("deleted") + "; it may not re-enroll");
        }
        return new OperationalClient(issued.deviceId(), chain.get(0), issued);
      });
    });
  }
}
