package io.zto.shared.bus;

import io.vertx.core.json.JsonObject;
import java.util.Objects;

/**
 * Body of {@link Addresses#PROVISIONING_REQUEST}: what a device sent on its provisioning topic, with
 * what the broker learned from the TLS handshake. The reply is the answer JSON of contract section 4.
 *
 * @param deviceId from the LDevID (contract section 2)
 * @param requestId the device's requestId
 * @param ldevidPem the LDevID chain the device presented in its TLS handshake, leaf first, PEM blocks
 *     concatenated (the broker puts the chain the trust kernel verified)
 * @param idevidPem the request's bare {@code idevid} PEM, or null: recorded, never evidence (contract v2)
 * @param info the device's free-form info, or null
 * @param node the broker node the device is connected to
 * @param idevidProof the request's {@code idevidProof} (a JWS compact serialization signed with the
 *     IDevID key, contract v2), or null
 */
public record ProvisioningRequestMessage(String deviceId, String requestId, String ldevidPem, String idevidPem,
                                         JsonObject info, String node, String idevidProof) {

  public ProvisioningRequestMessage {
    Objects.requireNonNull(deviceId, "deviceId");
    Objects.requireNonNull(requestId, "requestId");
    Objects.requireNonNull(ldevidPem, "ldevidPem");
  }

  /** A request without an {@code idevidProof}. */
  public ProvisioningRequestMessage(String deviceId, String requestId, String ldevidPem, String idevidPem,
                                    JsonObject info, String node) {
    this(deviceId, requestId, ldevidPem, idevidPem, info, node, null);
  }

  public JsonObject toJson() {
    return new JsonObject().put("deviceId", deviceId).put("requestId", requestId).put("ldevidPem", ldevidPem)
        .put("idevidPem", idevidPem).put("info", info).put("node", node).put("idevidProof", idevidProof);
  }

  public static ProvisioningRequestMessage fromJson(JsonObject json) {
    return new ProvisioningRequestMessage(json.getString("deviceId"), json.getString("requestId"),
        json.getString("ldevidPem"), json.getString("idevidPem"), json.getJsonObject("info"), json.getString("node"),
        json.getString("idevidProof"));
  }
}
