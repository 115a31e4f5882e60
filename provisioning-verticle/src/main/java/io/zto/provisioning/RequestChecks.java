package io.zto.provisioning;

import io.zto.shared.bus.ProvisioningRequestMessage;
import io.zto.shared.pki.DeviceIds;

/** Shape checks of a provisioning request before anything is looked up. */
final class RequestChecks {

  static final int MAX_REQUEST_ID = 64;
  /** Largest bare {@code idevid} PEM kept (it is recorded, never evidence). */
  static final int MAX_IDEVID_PEM = 16 * 1024;

  private RequestChecks() {}

  /** What is wrong with the request, or null. */
  static String problem(ProvisioningRequestMessage request) {
    String id = request.requestId();
    if (id.isEmpty() || id.length() > MAX_REQUEST_ID) {
      return "requestId must be 1-" + MAX_REQUEST_ID + " characters long, got " + id.length();
    }
    if (!id.chars().allMatch(c -> c > 0x20 && c < 0x7f)) {
      return "requestId must be printable ASCII without spaces";
    }
    return DeviceIds.invalidReason(request.deviceId(), "deviceId").orElse(null);
  }

  /**
   * Why the request's evidence is too large to look at, or null. Checked before anything is parsed; the
   * device is answered {@code rejected} with this reason (the request itself is well formed).
   */
  static String oversized(ProvisioningRequestMessage request) {
    if (request.idevidProof() != null && request.idevidProof().length() > IdevidProofChecker.MAX_PROOF_CHARS) {
      return "idevidProof must be at most " + IdevidProofChecker.MAX_PROOF_CHARS + " characters long, got "
          + request.idevidProof().length();
    }
    if (request.idevidPem() != null && request.idevidPem().length() > MAX_IDEVID_PEM) {
      return "idevid must be at most " + MAX_IDEVID_PEM + " characters long, got " + request.idevidPem().length();
    }
    return null;
  }
}
