package io.zto.shared.bus;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import java.util.Base64;
import java.util.Objects;

/**
 * Body of {@link Addresses#BROKER_DELIVER}: a message the platform publishes to a topic (provisioning
 * answers, commands). Every broker node delivers it to its matching sessions; the node that owns a
 * persistent session queues it for an offline device.
 *
 * @param properties MQTT 5 properties: {@code contentType}, {@code responseTopic}, {@code correlationData}
 *     (base64), {@code messageExpiryInterval}, {@code userProperties} (object); empty for none; and,
 *     platform-internal (never on the wire), {@code audience}: the SHA-256 fingerprint of the one client
 *     certificate whose session may receive it (a provisioning answer goes to the LDevID that asked)
 */
public record DeliverMessage(String topic, Buffer payload, int qos, boolean retain, JsonObject properties) {

  public DeliverMessage {
    Objects.requireNonNull(topic, "topic");
    Objects.requireNonNull(payload, "payload");
    if (qos < 0 || qos > 2) {
      throw new IllegalArgumentException("qos must be 0, 1 or 2, got " + qos);
    }
    properties = properties == null ? new JsonObject() : properties;
  }

  public JsonObject toJson() {
    return new JsonObject().put("topic", topic)
        .put("payload", Base64.getEncoder().encodeToString(payload.getBytes()))
        .put("qos", qos).put("retain", retain).put("properties", properties);
  }

  public static DeliverMessage fromJson(JsonObject json) {
    return new DeliverMessage(json.getString("topic"),
        Buffer.buffer(Base64.getDecoder().decode(json.getString("payload", ""))),
        json.getInteger("qos", 0), json.getBoolean("retain", false), json.getJsonObject("properties"));
  }
}
