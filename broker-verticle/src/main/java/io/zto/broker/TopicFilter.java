package io.zto.broker;

import io.zto.shared.config.MqttLimits;

/**
 * MQTT topic names and filters: validation, matching and {@code $share/{group}/{filter}} parsing.
 *
 * @param group the shared-subscription group, or null for an ordinary subscription
 * @param filter the filter without the {@code $share/{group}/} prefix
 */
public record TopicFilter(String group, String filter) {

  private static final String SHARE_PREFIX = "$share/";

  /** Parses a SUBSCRIBE/UNSUBSCRIBE filter; null if it is not a valid filter. */
  public static TopicFilter parse(String raw) {
    if (raw == null || !wellFormed(raw)) {
      return null;
    }
    if (raw.startsWith(SHARE_PREFIX)) {
      int slash = raw.indexOf('/', SHARE_PREFIX.length());
      if (slash <= SHARE_PREFIX.length()) {
        return null;
      }
      String group = raw.substring(SHARE_PREFIX.length(), slash);
      String filter = raw.substring(slash + 1);
      if (group.contains("+") || group.contains("#") || !isValidFilter(filter)) {
        return null;
      }
      return new TopicFilter(group, filter);
    }
    return isValidFilter(raw) ? new TopicFilter(null, raw) : null;
  }

  public boolean shared() {
    return group != null;
  }

  /** The filter as the client wrote it. */
  public String raw() {
    return group == null ? filter : SHARE_PREFIX + group + "/" + filter;
  }

  /**
   * A topic beyond a bound.
   *
   * @param limit which bound, as tagged in {@code zto.mqtt.limits.exceeded}: topic-length or topic-levels
   * @param text how, for the reason string
   */
  public record Beyond(String limit, String text) {}

  /**
   * How {@code topic} (a topic name or a filter as the client wrote it) is beyond the configured bounds, or
   * null when it is within them. Checked before anything splits the string, so a topic of 30,000 levels
   * costs one scan and no allocation.
   */
  public static Beyond exceeds(String topic, MqttLimits limits) {
    if (topic == null) {
      return null;
    }
    if (topic.length() > limits.topicLength()) {
      return new Beyond("topic-length", "longer than " + limits.topicLength() + " characters");
    }
    int levels = 1;
    for (int i = 0; i < topic.length(); i++) {
      if (topic.charAt(i) == '/' && ++levels > limits.topicLevels()) {
        return new Beyond("topic-levels", "more than " + limits.topicLevels() + " levels");
      }
    }
    return null;
  }

  /**
   * A topic name a client may publish to: non-empty, no wildcards, no NUL, at most 65535 bytes, well-formed
   * UTF-8 (see {@link #wellFormed}).
   */
  public static boolean isValidTopicName(String topic) {
    return topic != null && !topic.isEmpty() && topic.length() <= 65_535
        && topic.indexOf('+') < 0 && topic.indexOf('#') < 0 && topic.indexOf('\0') < 0 && wellFormed(topic);
  }

  /**
   * Whether a string came from well-formed UTF-8 (MQTT 1.5.4: ill-formed UTF-8 is a malformed packet).
   * The MQTT decoder (Netty) turns ill-formed bytes and encoded surrogates into U+FFFD, so that character
   * stands for them; a client never needs it in a topic or client id.
   */
  public static boolean wellFormed(String text) {
    return text.indexOf('\uFFFD') < 0;
  }

  /** A filter: '#' only as the whole last level, '+' only as a whole level. */
  public static boolean isValidFilter(String filter) {
    if (filter == null || filter.isEmpty() || filter.length() > 65_535 || filter.indexOf('\0') >= 0
        || !wellFormed(filter)) {
      return false;
    }
    String[] levels = filter.split("/", -1);
    for (int i = 0; i < levels.length; i++) {
      String level = levels[i];
      if (level.contains("#") && (!level.equals("#") || i != levels.length - 1)) {
        return false;
      }
      if (level.contains("+") && !level.equals("+")) {
        return false;
      }
    }
    return true;
  }

  /**
   * Whether {@code filter} matches {@code topic}; a leading wildcard never matches a {@code $} topic
   * (MQTT 4.7.2), so {@code #} does not see {@code $SYS/...}.
   */
  public static boolean matches(String filter, String topic) {
    if (topic.startsWith("$") && (filter.startsWith("+") || filter.startsWith("#"))) {
      return false;
    }
    String[] f = filter.split("/", -1);
    String[] t = topic.split("/", -1);
    for (int i = 0; i < f.length; i++) {
      if (f[i].equals("#")) {
        return true;
      }
      if (i >= t.length || !(f[i].equals("+") || f[i].equals(t[i]))) {
        return false;
      }
    }
    return f.length == t.length;
  }

  /**
   * Whether every topic {@code inner} can match is also matched by {@code outer}: used by ACLs to
   * decide whether a requested subscription stays inside what an account is allowed.
   */
  public static boolean covers(String outer, String inner) {
    String[] o = outer.split("/", -1);
    String[] n = inner.split("/", -1);
    for (int i = 0; i < o.length; i++) {
      if (o[i].equals("#")) {
        return true;
      }
      if (i >= n.length || n[i].equals("#")) {
        return false;
      }
      if (!o[i].equals("+") && (n[i].equals("+") || !o[i].equals(n[i]))) {
        return false;
      }
    }
    return o.length == n.length;
  }
}
