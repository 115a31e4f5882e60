package io.zto.provisioning;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.zto.shared.domain.TrustAnchor;
import io.zto.shared.pki.ChainVerifier;
import io.zto.shared.pki.DeviceIds;
import io.zto.shared.pki.Fingerprints;
import io.zto.shared.pki.HardwareModuleName;
import io.zto.shared.pki.InvalidDeviceIdException;
import io.zto.shared.pki.Pem;
import io.zto.shared.pki.UntrustedCertificateException;
import io.zto.shared.store.CrlSourceRepository;
import io.zto.shared.store.TrustAnchorRepository;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Turns the certificates of a provisioning request into {@link DeviceEvidence}: the LDevID must chain
 * to an {@code ldevid} trust anchor, an IDevID if sent to an {@code idevid} one, and neither may be on
 * a CRL of its issuer. Chain checks are CPU work and run on a worker thread.
 */
final class EvidenceChecker {

  private final Vertx vertx;
  private final TrustAnchorRepository anchors;
  private final CrlSourceRepository crls;
  private final Clock clock;

  EvidenceChecker(Vertx vertx, TrustAnchorRepository anchors, CrlSourceRepository crls, Clock clock) {
    this.vertx = vertx;
    this.anchors = anchors;
    this.crls = crls;
    this.clock = clock;
  }

  /** Fails with a {@link RefusedException} saying why the evidence is not acceptable. */
  Future<DeviceEvidence> check(String deviceId, String ldevidPem, String idevidPem) {
    Future<Anchored> ldevid = anchored(ldevidPem, TrustAnchor.Purpose.LDEVID, "LDevID");
    Future<Anchored> idevid = idevidPem == null || idevidPem.isBlank()
        ? Future.succeededFuture(null)
        : anchored(idevidPem, TrustAnchor.Purpose.IDEVID, "IDevID");
    return Future.all(ldevid, idevid).compose(both -> evidence(deviceId, ldevid.result(), idevid.result()));
  }

  private Future<DeviceEvidence> evidence(String deviceId, Anchored ldevid, Anchored idevid) {
    String idFromCert;
    try {
      idFromCert = DeviceIds.fromCertificate(ldevid.certificate()).value();
    } catch (InvalidDeviceIdException e) {
      return Future.failedFuture(new RefusedException("the LDevID carries no valid device id: " + e.getMessage()));
    }
    if (!idFromCert.equals(deviceId)) {
      return Future.failedFuture(new RefusedException("the request names device '" + deviceId
          + "' but the LDevID belongs to '" + idFromCert + "'"));
    }
    String idevidSerial = idevid == null ? null : DeviceIds.subjectSerialNumber(idevid.certificate()).orElse(null);
    String hwSerial = idevid == null ? null
        : DeviceIds.hardwareModuleName(idevid.certificate()).map(HardwareModuleName::serialText).orElse(null);
    return Future.succeededFuture(new DeviceEvidence(deviceId, ldevid.certificate(),
        Fingerprints.sha256(ldevid.certificate()), Set.of(ldevid.anchor().id()), idevidSerial, hwSerial));
  }

  private record Anchored(X509Certificate certificate, TrustAnchor anchor) {}

  private Future<Anchored> anchored(String pem, TrustAnchor.Purpose purpose, String what) {
    return anchors.list(purpose).compose(trusted -> vertx.executeBlocking(() -> verify(pem, trusted, what), false))
        .compose(anchored -> crls.check(anchored.certificate().getSerialNumber().toString(16),
                anchored.anchor().fingerprint(), clock.instant())
            .compose(check -> check.refused()
                ? Future.failedFuture(new RefusedException("the " + what + " is refused: " + check.describe()))
                : Future.succeededFuture(anchored)));
  }

  private Anchored verify(String pem, List<TrustAnchor> trusted, String what) {
    List<X509Certificate> chain;
    try {
      chain = Pem.readCertificates(pem);
    } catch (IllegalArgumentException e) {
      throw new RefusedException("the " + what + " is not a PEM certificate: " + e.getMessage());
    }
    Map<String, TrustAnchor> byFingerprint = trusted.stream()
        .collect(Collectors.toMap(TrustAnchor::fingerprint, Function.identity(), (a, b) -> a));
    List<X509Certificate> anchorCerts = trusted.stream().map(a -> Pem.readCertificate(a.pem())).toList();
    try {
      X509Certificate anchor = ChainVerifier.verify(chain, anchorCerts, clock.instant());
      return new Anchored(chain.get(0), byFingerprint.get(Fingerprints.sha256(anchor)));
    } catch (UntrustedCertificateException e) {
      throw new RefusedException("the " + what + " is not trusted: " + e.getMessage());
    }
  }
}
