package io.zto.broker;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.Base64;
import java.util.List;

/**
 * An application message as routed by the broker, with the MQTT 5 properties that pass through
 * unchanged from publisher to subscribers.
 *
 * @param publisher client id of the publisher, or null for the platform (for no-local)
 * @param expiresAt epoch millis after which it is not delivered any more; 0 for never
 * @param payloadFormat the payload format indicator, or null
 * @param userProperties name/value pairs in order
 */
public record Message(String topic, Buffer payload, int qos, boolean retain, String publisher, long expiresAt,
                      Integer payloadFormat, String contentType, String responseTopic, byte[] correlationData,
                      List<String[]> userProperties, String audience) {

  public Message {
    userProperties = userProperties == null ? List.of() : List.copyOf(userProperties);
  }

  /** A message for whoever is subscribed (no {@link #audience}). */
  public Message(String topic, Buffer payload, int qos, boolean retain, String publisher, long expiresAt,
                 Integer payloadFormat, String contentType, String responseTopic, byte[] correlationData,
                 List<String[]> userProperties) {
    this(topic, payload, qos, retain, publisher, expiresAt, payloadFormat, contentType, responseTopic,
        correlationData, userProperties, null);
  }

  /**
   * This message for the connection of one certificate only (SHA-256 fingerprint): a provisioning answer
   * carries secrets and goes to the LDevID that asked, never to another holder of the device id.
   * Platform-internal: never written to the wire.
   */
  public Message withAudience(String certificateFingerprint) {
    return new Message(topic, payload, qos, retain, publisher, expiresAt, payloadFormat, contentType, responseTopic,
        correlationData, userProperties, certificateFingerprint);
  }

  public static Message simple(String topic, Buffer payload, int qos, boolean retain) {
    return new Message(topic, payload, qos, retain, null, 0, null, null, null, null, List.of());
  }

  public boolean expired(long now) {
    return expiresAt > 0 && now >= expiresAt;
  }

  /** Seconds left for the outbound Message Expiry Interval, at least 1; -1 when it never expires. */
  public long remainingSeconds(long now) {
    return expiresAt == 0 ? -1 : Math.max(1, (expiresAt - now + 999) / 1000);
  }

  public Message withRetain(boolean flag) {
    return new Message(topic, payload, qos, flag, publisher, expiresAt, payloadFormat, contentType, responseTopic,
        correlationData, userProperties, audience);
  }

  public Message withTopic(String newTopic) {
    return new Message(newTopic, payload, qos, retain, publisher, expiresAt, payloadFormat, contentType, responseTopic,
        correlationData, userProperties, audience);
  }

  /** For the cluster route address: JSON only, so no codec is needed across nodes. */
  public JsonObject toJson() {
    JsonArray users = new JsonArray();
    userProperties.forEach(p -> users.add(new JsonArray().add(p[0]).add(p[1])));
    return new JsonObject().put("topic", topic).put("payload", payload.getBytes()).put("qos", qos)
        .put("retain", retain).put("publisher", publisher).put("expiresAt", expiresAt)
        .put("payloadFormat", payloadFormat).put("contentType", contentType).put("responseTopic", responseTopic)
        .put("correlationData", correlationData).put("userProperties", users).put("audience", audience);
  }

  public static Message fromJson(JsonObject json) {
    JsonArray users = json.getJsonArray("userProperties", new JsonArray());
    List<String[]> pairs = users.stream().map(o -> (JsonArray) o)
        .map(a -> new String[] {a.getString(0), a.getString(1)}).toList();
    return new Message(json.getString("topic"), Buffer.buffer(json.getBinary("payload")), json.getInteger("qos"),
        json.getBoolean("retain"), json.getString("publisher"), json.getLong("expiresAt", 0L),
        json.getInteger("payloadFormat"), json.getString("contentType"), json.getString("responseTopic"),
        json.getBinary("correlationData"), pairs, json.getString("audience"));
  }

  /**
   * A message from the platform's {@code DeliverMessage} properties ({@code contentType},
   * {@code responseTopic}, {@code correlationData} base64, {@code messageExpiryInterval},
   * {@code userProperties} object; and {@code audience}, see {@link #withAudience}).
   */
  public static Message fromPlatform(String topic, Buffer payload, int qos, boolean retain, JsonObject props,
                                     long now) {
    long expiry = props.getLong("messageExpiryInterval", 0L);
    String correlation = props.getString("correlationData");
    JsonObject users = props.getJsonObject("userProperties", new JsonObject());
    List<String[]> pairs = users.fieldNames().stream()
        .map(k -> new String[] {k, String.valueOf(users.getValue(k))}).toList();
    return new Message(topic, payload, qos, retain, null, expiry > 0 ? now + expiry * 1000 : 0, null,
        props.getString("contentType"), props.getString("responseTopic"),
        correlation == null ? null : Base64.getDecoder().decode(correlation), pairs, props.getString("audience"));
  }
}
