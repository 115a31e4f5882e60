package io.zto.shared.config;

/**
 * Bounds on what one MQTT client may make the broker hold, so that no input within the MQTT limits can grow
 * a node's memory without bound ({@code mqtt.max*} keys; the packet size and client id length are in
 * {@link MqttConfig} since vertx-mqtt enforces them).
 *
 * @param topicLevels most levels in a topic name or filter ({@code mqtt.maxTopicLevels})
 * @param topicLength longest topic name or filter in characters ({@code mqtt.maxTopicLength})
 * @param subscriptionsPerSession subscriptions one session may hold ({@code mqtt.maxSubscriptionsPerSession})
 * @param retainedPerClient retained topics one client may hold ({@code mqtt.maxRetainedPerClient})
 * @param retainedTotal retained topics on the node ({@code mqtt.maxRetainedTotal})
 * @param retainedBytes payload bytes of all retained messages on the node ({@code mqtt.maxRetainedBytes})
 * @param willSize largest will payload in bytes ({@code mqtt.maxWillSize})
 * @param provisioningMessageSize largest packet on the provisioning listener
 *     ({@code mqtt.provisioning.maxMessageSize}; the other listeners take {@code mqtt.maxMessageSize})
 */
public record MqttLimits(int topicLevels, int topicLength, int subscriptionsPerSession, int retainedPerClient,
                         int retainedTotal, long retainedBytes, int willSize, int provisioningMessageSize) {

  /** The defaults of the configuration keys, for code that has no configuration at hand (tests, tools). */
  public static final MqttLimits DEFAULTS = new MqttLimits(32, 1024, 100, 100, 10_000, 64L << 20, 16 << 10, 64 << 10);

  static MqttLimits from(LoadedConfig config) {
    return new MqttLimits(config.integer(ConfigKeys.MQTT_MAX_TOPIC_LEVELS),
      config.integer(ConfigKeys.MQTT_MAX_TOPIC_LENGTH),
      config.integer(ConfigKeys.MQTT_MAX_SUBSCRIPTIONS_PER_SESSION),
      config.integer(ConfigKeys.MQTT_MAX_RETAINED_PER_CLIENT),
      config.integer(ConfigKeys.MQTT_MAX_RETAINED_TOTAL),
      config.byteSize(ConfigKeys.MQTT_MAX_RETAINED_BYTES),
      Math.toIntExact(config.byteSize(ConfigKeys.MQTT_MAX_WILL_SIZE)), // range-checked by the keys
      Math.toIntExact(config.byteSize(ConfigKeys.MQTT_PROVISIONING_MAX_MESSAGE_SIZE)));
  }

  void writeTo(ConfigJson out) {
    out.put(ConfigKeys.MQTT_MAX_TOPIC_LEVELS, topicLevels)
      .put(ConfigKeys.MQTT_MAX_TOPIC_LENGTH, topicLength)
      .put(ConfigKeys.MQTT_MAX_SUBSCRIPTIONS_PER_SESSION, subscriptionsPerSession)
      .put(ConfigKeys.MQTT_MAX_RETAINED_PER_CLIENT, retainedPerClient)
      .put(ConfigKeys.MQTT_MAX_RETAINED_TOTAL, retainedTotal)
      .put(ConfigKeys.MQTT_MAX_RETAINED_BYTES, retainedBytes)
      .put(ConfigKeys.MQTT_MAX_WILL_SIZE, (long) willSize)
      .put(ConfigKeys.MQTT_PROVISIONING_MAX_MESSAGE_SIZE, (long) provisioningMessageSize);
  }
}
