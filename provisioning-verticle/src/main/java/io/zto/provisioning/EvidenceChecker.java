package io.zto.provisioning;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.zto.shared.bus.ProvisioningRequestMessage;
import io.zto.shared.pki.DeviceIds;
import io.zto.shared.pki.HardwareModuleName;
import io.zto.shared.pki.Pem;
import io.zto.shared.trust.TrustKernel;
import io.zto.shared.trust.TrustPurpose;
import io.zto.shared.trust.Verdict;
import java.security.cert.X509Certificate;
import java.util.List;

/**
 * Turns the certificates of a provisioning request into {@link DeviceEvidence}. The LDevID chain the
 * device presented (leaf first) is decided by the {@link TrustKernel} (purpose {@code LDEVID}: path to an
 * anchor, chain policy, revocation of every certificate of the path), the same decision every listener
 * makes; the IDevID counts only when proven by an {@code idevidProof} ({@link IdevidProofChecker}). A bare
 * {@code idevid} PEM proves nothing (anyone may copy a certificate): its serials are kept aside only to
 * explain a refusal. PEM parsing runs on a worker thread.
 */
final class EvidenceChecker {

  private final Vertx vertx;
  private final TrustKernel kernel;
  private final IdevidProofChecker proofs;

  EvidenceChecker(Vertx vertx, TrustKernel kernel, IdevidProofChecker proofs) {
    this.vertx = vertx;
    this.kernel = kernel;
    this.proofs = proofs;
  }

  /** Fails with a {@link RefusedException} saying why the evidence is not acceptable. */
  Future<DeviceEvidence> check(ProvisioningRequestMessage request) {
    return vertx.executeBlocking(() -> chain(request.ldevidPem()), false)
        .compose(chain -> kernel.verifyCertificates(TrustPurpose.LDEVID, chain))
        .compose(verdict -> ldevid(request.deviceId(), verdict))
        .compose(device -> idevid(request, device));
  }

  private static List<X509Certificate> chain(String pem) {
    List<X509Certificate> chain;
    try {
      chain = Pem.readCertificates(pem);
    } catch (IllegalArgumentException e) {
      throw new RefusedException("the LDevID is not a PEM certificate chain: " + e.getMessage());
    }
    if (chain.isEmpty()) {
      throw new RefusedException("no LDevID was presented");
    }
    return chain;
  }

  private static Future<DeviceEvidence> ldevid(String deviceId, Verdict verdict) {
    if (!verdict.trusted()) {
      return Future.failedFuture(new RefusedException(switch (verdict.refusal()) {
        case REVOKED -> "the LDevID is refused: " + verdict.reason();
        case BAD_DEVICE_ID -> "the LDevID carries no valid device id: " + verdict.reason();
        default -> "the LDevID is not trusted: " + verdict.reason();
      }));
    }
    if (verdict.anchor() == null || verdict.path() == null) {
      return Future.failedFuture(new RefusedException("the LDevID is not trusted: it reaches no ldevid trust anchor"));
    }
    if (verdict.deviceId() == null) {
      return Future.failedFuture(new RefusedException("the LDevID carries no valid device id"));
    }
    if (!verdict.deviceId().equals(deviceId)) {
      return Future.failedFuture(new RefusedException("the request names device '" + deviceId
          + "' but the LDevID belongs to '" + verdict.deviceId() + "'"));
    }
    return Future.succeededFuture(new DeviceEvidence(deviceId, verdict.path().leaf().certificate(),
        verdict.path().leaf().fingerprint(), verdict.anchor(), null, null, null));
  }

  private Future<DeviceEvidence> idevid(ProvisioningRequestMessage request, DeviceEvidence device) {
    if (request.idevidProof() != null && !request.idevidProof().isBlank()) {
      return proofs.check(request.idevidProof(), new IdevidProofChecker.Expected(request.requestId(),
              device.deviceId(), device.ldevidFingerprint()))
          .map(proven -> device.withIdevid(proven.serial(), proven.hwmoduleSerial()));
    }
    if (request.idevidPem() != null && !request.idevidPem().isBlank()) {
      return vertx.executeBlocking(() -> device.withBareIdevid(bare(request.idevidPem())), false);
    }
    return Future.succeededFuture(device);
  }

  /** The serials a bare PEM names, unverified; null if it is no certificate. */
  private static DeviceEvidence.BareIdevid bare(String pem) {
    try {
      X509Certificate certificate = Pem.readCertificate(pem);
      return new DeviceEvidence.BareIdevid(DeviceIds.subjectSerialNumber(certificate).orElse(null),
          DeviceIds.hardwareModuleName(certificate).map(HardwareModuleName::serialText).orElse(null));
    } catch (RuntimeException e) {
      return null;
    }
  }
}
