package io.zto.provisioning;

import io.zto.shared.domain.Activation;
import io.zto.shared.domain.Enrollment;
import io.zto.shared.domain.EnrollmentGroup;
import io.zto.shared.domain.EnrollmentStatus;
import io.zto.shared.domain.TrustAnchor;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Decides which registration applies to a device: individual enrollments first, most specific first
 * (device id, then LDevID fingerprint, then IDevID serial, then HardwareModuleName serial), then the
 * groups whose CA the LDevID chains to. An enrollment binds every identifier it names: one naming a
 * device id and a fingerprint matches only a device presenting both. The chosen registration decides,
 * so a disabled enrollment refuses the device even when an enabled group would take it, and so does an
 * enrollment whose trust anchor rule the LDevID fails (contract v2): one naming a {@code trustAnchor}
 * accepts only LDevIDs of that anchor, one naming none only LDevIDs of anchors of its own tenant. A
 * foreign CA issuing a certificate with an enrolled device id gets nothing of that enrollment.
 */
final class EnrollmentMatcher {

  private EnrollmentMatcher() {}

  /** The registration that applies; {@code refusal} is set when it does not admit the device now. */
  record Decision(Enrollment enrollment, EnrollmentGroup group, String refusal) {

    Activation activation() {
      return enrollment != null ? enrollment.activation() : group.activation();
    }

    boolean matched() {
      return enrollment != null || group != null;
    }

    String tenant() {
      return enrollment != null ? enrollment.tenant() : group.tenant();
    }
  }

  static Decision decide(DeviceEvidence device, List<Enrollment> candidates, List<EnrollmentGroup> groups, Instant now) {
    Optional<Enrollment> individual = candidates.stream()
        .filter(e -> bindsOnly(e, device))
        .max(Comparator.comparingInt(e -> specificity(e, device)));
    if (individual.isPresent()) {
      Enrollment e = individual.get();
      String foreign = foreignAnchor(e, device.anchor());
      return new Decision(e, null, foreign != null ? foreign : refusal(e.activation(), "enrollment " + e.id(), now));
    }
    Optional<EnrollmentGroup> group = groups.stream()
        .filter(g -> device.ldevidAnchorIds().contains(g.trustAnchorId()))
        // an enabled group before a disabled one; then by name, so the choice is stable
        .min(Comparator.comparing((EnrollmentGroup g) -> g.activation().status() != EnrollmentStatus.ENABLED)
            .thenComparing(EnrollmentGroup::name));
    return group.map(g -> new Decision(null, g, refusal(g.activation(), "enrollment group " + g.name(), now)))
        .orElseGet(() -> new Decision(null, null, "unknown device: no enrollment or enrollment group matches it"));
  }

  /** Why the enrollment does not accept LDevIDs of {@code anchor}; null if it does. */
  private static String foreignAnchor(Enrollment e, TrustAnchor anchor) {
    if (e.trustAnchorId() != null) {
      return e.trustAnchorId().equals(anchor.id()) ? null : "enrollment " + e.id() + " accepts only LDevIDs of"
          + " another CA (its trustAnchor); this LDevID chains to '" + anchor.name() + "'";
    }
    return e.tenant().equals(anchor.tenant()) ? null : "enrollment " + e.id() + " accepts only LDevIDs of CAs of"
        + " its own tenant; this LDevID chains to '" + anchor.name() + "' of another tenant";
  }

  private static String refusal(Activation activation, String what, Instant now) {
    if (activation.status() != EnrollmentStatus.ENABLED) {
      return what + " is disabled";
    }
    if (activation.notBefore() != null && now.isBefore(activation.notBefore())) {
      return what + " is not active before " + activation.notBefore();
    }
    if (activation.notAfter() != null && !now.isBefore(activation.notAfter())) {
      return what + " expired at " + activation.notAfter();
    }
    return null;
  }

  /** Every identifier the enrollment names equals the device's. */
  private static boolean bindsOnly(Enrollment e, DeviceEvidence d) {
    return agrees(e.deviceId(), d.deviceId()) && agrees(e.ldevidFingerprint(), d.ldevidFingerprint())
        && agrees(e.idevidSerial(), d.idevidSerial()) && agrees(e.hwmoduleSerial(), d.hwmoduleSerial());
  }

  private static boolean agrees(String expected, String actual) {
    return expected == null || expected.equals(actual);
  }

  /** Weights make a device-id match beat any combination of weaker ones. */
  private static int specificity(Enrollment e, DeviceEvidence d) {
    return (Objects.equals(e.deviceId(), d.deviceId()) ? 8 : 0)
        + (Objects.equals(e.ldevidFingerprint(), d.ldevidFingerprint()) ? 4 : 0)
        + (e.idevidSerial() != null && e.idevidSerial().equals(d.idevidSerial()) ? 2 : 0)
        + (e.hwmoduleSerial() != null && e.hwmoduleSerial().equals(d.hwmoduleSerial()) ? 1 : 0);
  }
}
