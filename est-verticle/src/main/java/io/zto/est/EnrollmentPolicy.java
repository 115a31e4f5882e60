package io.zto.est;

import io.vertx.core.Future;
import io.zto.shared.config.EstConfig;
import io.zto.shared.domain.EstRequest;
import io.zto.shared.pki.CheckedCsr;
import io.zto.shared.pki.CsrChecks;
import io.zto.shared.pki.CsrRejectedException;
import io.zto.shared.pki.Der;
import java.security.cert.X509Certificate;
import java.util.Arrays;
import java.util.Optional;
import org.bouncycastle.asn1.pkcs.Attribute;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.Extensions;

/**
 * What the EST server accepts and when it issues: the CSR's key and proof of possession
 * ({@link CsrChecks}), its subject (CN = device id for enrollment; the current certificate's subject and
 * SAN for re-enrollment, RFC 7030 §4.2.2), and the approval of manual profiles. Requested extensions are
 * not copied: the certificate profile is the platform's ({@code CertificateAuthority}).
 */
final class EnrollmentPolicy {

  private final EstServices services;

  EnrollmentPolicy(EstServices services) {
    this.services = services;
  }

  /** Parses and checks a CSR for {@code deviceId} (blocking: run on the crypto pool). */
  static CheckedCsr enrollmentCsr(byte[] der, String deviceId) {
    CheckedCsr csr = checked(der);
    String cn = csr.commonName().orElseThrow(() -> EstException.badRequest("The CSR subject needs exactly one CN,"
        + " the device id " + deviceId + " (e.g. openssl req -subj /CN=" + deviceId + ")"));
    if (!cn.equals(deviceId)) {
      throw EstException.badRequest("The CSR subject CN '" + cn + "' must be the device id " + deviceId
          + " of the client certificate");
    }
    return csr;
  }

  /** Parses and checks a re-enrollment CSR against the current certificate (blocking). */
  static CheckedCsr reenrollmentCsr(byte[] der, X509Certificate current) {
    CheckedCsr csr = checked(der);
    X500Name currentSubject = X500Name.getInstance(current.getSubjectX500Principal().getEncoded());
    if (!currentSubject.equals(csr.subject())) {
      throw EstException.badRequest("The CSR subject '" + csr.subject() + "' must equal the current certificate's '"
          + currentSubject + "' (RFC 7030 section 4.2.2)");
    }
    byte[] currentSan = current.getExtensionValue(Extension.subjectAlternativeName.getId());
    Optional<byte[]> requestedSan = requestedSan(csr);
    boolean same = currentSan == null ? requestedSan.isEmpty()
        : requestedSan.isPresent() && Arrays.equals(org.bouncycastle.asn1.ASN1OctetString.getInstance(currentSan)
            .getOctets(), requestedSan.get());
    if (!same) {
      throw EstException.badRequest("The CSR subjectAltName must equal the current certificate's"
          + (currentSan == null ? " (none)" : "") + " (RFC 7030 section 4.2.2)");
    }
    return csr;
  }

  private static CheckedCsr checked(byte[] der) {
    try {
      return CsrChecks.check(Der.csr(der));
    } catch (IllegalArgumentException e) {
      throw EstException.badRequest("The body is base64 but not a DER PKCS#10 CSR: " + e.getMessage());
    } catch (CsrRejectedException e) {
      throw EstException.badRequest(e.getMessage());
    }
  }

  private static Optional<byte[]> requestedSan(CheckedCsr csr) {
    for (Attribute attribute : csr.csr().getAttributes(PKCSObjectIdentifiers.pkcs_9_at_extensionRequest)) {
      Extensions extensions = Extensions.getInstance(attribute.getAttrValues().getObjectAt(0));
      Extension san = extensions.getExtension(Extension.subjectAlternativeName);
      if (san != null) {
        return Optional.of(san.getExtnValue().getOctets());
      }
    }
    return Optional.empty();
  }

  /**
   * For a manual-approval profile: the approved request of this device, profile and key, recording it as
   * pending first if new. 202 while pending, 403 once rejected. Empty for automatic profiles.
   */
  Future<Optional<EstRequest>> approval(EstConfig.Profile profile, String operation, String deviceId,
                                        CheckedCsr csr) {
    if (!profile.manualApproval()) {
      return Future.succeededFuture(Optional.empty());
    }
    EstRequest candidate = EstRequest.pending(deviceId, profile.name(), operation, csr.publicKeySha256(),
        csr.subject().toString());
    return services.requests.recordPending(candidate).map(stored -> switch (stored.status()) {
      case APPROVED -> Optional.of(stored);
      case REJECTED -> throw EstException.forbidden("The enrollment request " + stored.id() + " was rejected"
          + (stored.reason() == null ? "" : ": " + stored.reason()));
      case PENDING -> throw new EstException(202, "The enrollment request " + stored.id() + " of profile "
          + profile.name() + " awaits an operator's approval; retry the same request later");
    });
  }
}
