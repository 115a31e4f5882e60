package io.zto.provisioning;

import io.zto.shared.domain.Activation;
import io.zto.shared.domain.Device;
import io.zto.shared.domain.IssuedCertificate;
import io.zto.shared.domain.RevocationReason;
import java.util.Optional;

/**
 * The re-provisioning policy of a registration ({@link io.zto.shared.domain.ReprovisionPolicy}) applied
 * to a device that was provisioned before and asks again with a new requestId, typically after its
 * operational certificate was revoked. A first provisioning is not its business.
 */
final class ReprovisioningRule {

  private ReprovisioningRule() {}

  /** The request waits for an operator ({@code pending}) or is refused, and why. */
  record Verdict(boolean refused, String reason) {}

  /**
   * @param registration "enrollment ..." or "enrollment group ...", for the reason
   * @param device       the device as stored before this request, or null if never seen
   * @param lastRevoked  the device's most recently revoked certificate, or null
   * @return empty when the registration's approval alone decides
   */
  static Optional<Verdict> apply(Activation activation, String registration, Device device, IssuedCertificate lastRevoked) {
    if (device == null || device.provisionedAt() == null) {
      return Optional.empty();
    }
    return switch (activation.reprovisionPolicy()) {
      case NEVER -> Optional.of(new Verdict(true, "device " + device.id() + " was provisioned at "
          + device.provisionedAt() + " and " + registration + " does not allow re-provisioning (reprovisionPolicy never)"));
      case MANUAL -> Optional.of(new Verdict(false, "re-provisioning waits for an operator's approval"
          + " (reprovisionPolicy manual of " + registration + ")"));
      case ALLOW -> compromised(device, lastRevoked).map(cert -> new Verdict(false, "certificate " + cert.serial()
          + " was revoked for keyCompromise at " + cert.revokedAt() + "; re-provisioning waits for an operator's approval"));
    };
  }

  /** The device's last revocation, if it came after its last provisioning and was for keyCompromise. */
  private static Optional<IssuedCertificate> compromised(Device device, IssuedCertificate lastRevoked) {
    return Optional.ofNullable(lastRevoked)
        .filter(cert -> cert.revocationReason() == RevocationReason.KEY_COMPROMISE)
        .filter(cert -> cert.revokedAt() != null && !cert.revokedAt().isBefore(device.provisionedAt()));
  }
}
