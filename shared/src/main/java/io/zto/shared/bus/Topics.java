package io.zto.shared.bus;

/** The MQTT topics of the contract, built in one place. */
public final class Topics {

  private Topics() {}

  /** Where a device asks to be provisioned (contract section 4). */
  public static String provisionRequest(String deviceId) {
    return "zto/v1/" + deviceId + "/provision/request";
  }

  /** Where a device hears its provisioning answer (contract section 4). */
  public static String provisionResponse(String deviceId) {
    return "zto/v1/" + deviceId + "/provision/response";
  }

  /** Where a device receives a signed command (contract section 6). */
  public static String command(String deviceId, String commandId) {
    return "devices/" + deviceId + "/commands/" + commandId;
  }
}
