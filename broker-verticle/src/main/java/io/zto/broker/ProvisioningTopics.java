package io.zto.broker;

/** The provisioning topics of contract section 4. */
public final class ProvisioningTopics {

  private static final String PREFIX = "zto/v1/";

  private ProvisioningTopics() {}

  public static String request(String deviceId) {
    return PREFIX + deviceId + "/provision/request";
  }

  public static String response(String deviceId) {
    return PREFIX + deviceId + "/provision/response";
  }

  /** The device id of a request topic, or null if {@code topic} is not one. */
  public static String deviceOfRequest(String topic) {
    String suffix = "/provision/request";
    if (!topic.startsWith(PREFIX) || !topic.endsWith(suffix)) {
      return null;
    }
    String id = topic.substring(PREFIX.length(), topic.length() - suffix.length());
    return id.isEmpty() || id.contains("/") ? null : id;
  }
}
