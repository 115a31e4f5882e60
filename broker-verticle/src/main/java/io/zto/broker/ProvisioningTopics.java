package io.zto.broker;

/** The provisioning topics of contract section 4, under the platform's reserved {@code zto/} tree. */
public final class ProvisioningTopics {

  /** Every topic under it belongs to the platform (contract section 9, "Reserved topics"). */
  static final String RESERVED = "zto/";

  private static final String PREFIX = "zto/v1/";
  private static final String RESPONSE = "/provision/response";

  private ProvisioningTopics() {}

  public static String request(String deviceId) {
    return PREFIX + deviceId + "/provision/request";
  }

  public static String response(String deviceId) {
    return PREFIX + deviceId + RESPONSE;
  }

  /**
   * Whether a topic name, or a topic filter, lies in the platform's reserved tree: its first level is
   * literally {@code zto}. A filter with a wildcard first level ({@code #}, {@code +/v1/...}) is not: it
   * may be granted, and the broker then never delivers reserved topics through it.
   */
  public static boolean reserved(String topicOrFilter) {
    return topicOrFilter.startsWith(RESERVED) || topicOrFilter.equals("zto");
  }

  /** The device id of a response topic, or null if {@code topic} is not one. */
  public static String deviceOfResponse(String topic) {
    return between(topic, RESPONSE);
  }

  /** The device id of a request topic, or null if {@code topic} is not one. */
  public static String deviceOfRequest(String topic) {
    return between(topic, "/provision/request");
  }

  private static String between(String topic, String suffix) {
    if (!topic.startsWith(PREFIX) || !topic.endsWith(suffix)) {
      return null;
    }
    String id = topic.substring(PREFIX.length(), topic.length() - suffix.length());
    return id.isEmpty() || id.contains("/") ? null : id;
  }
}
