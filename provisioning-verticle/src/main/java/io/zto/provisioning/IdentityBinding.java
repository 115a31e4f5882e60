package io.zto.provisioning;

import io.zto.shared.domain.Device;
import io.zto.shared.domain.Enrollment;
import java.time.Instant;

/**
 * Contract v2, "device identity is bound": a device is bound, at its first successful provisioning, to
 * the trust anchor its LDevID chained to and to that LDevID's fingerprint. A later request for the same
 * device id presenting another anchor or another LDevID is held for an operator, never provisioned
 * silently: a certificate with a victim's device id from another customer's CA, or a second LDevID
 * made for the same id, wins nothing until someone decides. The one exception is an individual
 * enrollment naming the new LDevID's fingerprint: the operator said in advance which LDevID it is.
 */
final class IdentityBinding {

  private IdentityBinding() {}

  /** The binding a successful provisioning with this evidence records. */
  static Device.Binding of(DeviceEvidence device, Instant now) {
    return new Device.Binding(device.anchor().id(), device.anchor().fingerprint(), device.ldevidFingerprint(), now);
  }

  /**
   * Why this request must wait for an operator; null if it agrees with the device's binding (or the device
   * is not bound yet, or {@code enrollment} names its LDevID).
   *
   * @param existing the device as stored, or null if never seen
   * @param enrollment the individual enrollment that matched, or null (a group)
   */
  static String hold(Device existing, DeviceEvidence device, Enrollment enrollment) {
    Device.Binding bound = existing == null ? null : existing.binding();
    if (bound == null) {
      return null;
    }
    boolean sameAnchor = bound.anchorFingerprint() == null
        || bound.anchorFingerprint().equals(device.anchor().fingerprint());
    boolean sameLdevid = bound.ldevidFingerprint().equals(device.ldevidFingerprint());
    if (sameAnchor && sameLdevid) {
      return null;
    }
    if (enrollment != null && device.ldevidFingerprint().equals(enrollment.ldevidFingerprint())) {
      return null;
    }
    String since = bound.boundAt() == null ? "" : " since " + bound.boundAt();
    if (!sameAnchor) {
      return "another CA: device " + existing.id() + " is bound to another LDevID CA" + since + " (anchor "
          + bound.anchorFingerprint() + "); this LDevID chains to '" + device.anchor().name()
          + "'; an operator must approve the move";
    }
    return "LDevID changed: device " + existing.id() + " is bound to LDevID " + bound.ldevidFingerprint() + since
        + "; this request presents " + device.ldevidFingerprint() + "; an operator must approve the new LDevID";
  }
}
