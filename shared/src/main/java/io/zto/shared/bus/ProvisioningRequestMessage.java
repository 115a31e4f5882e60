package io.zto.shared.bus;

import io.vertx.core.json.JsonObject;
import java.util.Objects;

/**
 * Body of {@link Addresses#PROVISIONING_REQUEST}: what a device sent on its provisioning topic, with
 * what the broker learned from the TLS handshake. The reply is the answer JSON of contract section 4.
 *
 * @param deviceId from the LDevID (contract section 2)
 * @param requestId the device's requestId
 * @param ldevidPem the LDevID the device presented, PEM
 * @param idevidPem the optional IDevID evidence, PEM, or null
 * @param info the device's free-form info, or null
 * @param node the broker node the device is connected to
 */
public record ProvisioningRequestMessage(String deviceId, String requestId, String ldevidPem, String idevidPem,
                                         JsonObject info, String node) {

  public ProvisioningRequestMessage {
    Objects.requireNonNull(deviceId, "deviceId");
    Objects.requireNonNull(requestId, "requestId");
    Objects.requireNonNull(ldevidPem, "ldevidPem");
  }

  public JsonObject toJson() {
    return new JsonObject().put("deviceId", deviceId).put("requestId", requestId).put("ldevidPem", ldevidPem)
        .put("idevidPem", idevidPem).put("info", info).put("node", node);
  }

  public static ProvisioningRequestMessage fromJson(JsonObject json) {
    return new ProvisioningRequestMessage(json.getString("deviceId"), json.getString("requestId"),
        json.getString("ldevidPem"), json.getString("idevidPem"), json.getJsonObject("info"), json.getString("node"));
  }
}
