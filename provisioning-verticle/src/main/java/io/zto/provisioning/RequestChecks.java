package io.zto.provisioning;

import io.zto.shared.bus.ProvisioningRequestMessage;
import io.zto.shared.pki.DeviceIds;

/** Shape checks of a provisioning request before anything is looked up. */
final class RequestChecks {

  static final int MAX_REQUEST_ID = 64;

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
}
