package io.zto.broker;

import java.util.List;

/** What one connected client may publish and subscribe to. */
public interface Acl {

  boolean mayPublish(String topic);

  /** {@code filter} without a {@code $share/} prefix; {@code shared} whether it had one. */
  boolean maySubscribe(String filter, boolean shared);

  /** Anonymous clients of the plain development listener: any topic. */
  static Acl anyTopic() {
    return new Acl() {
      @Override
      public boolean mayPublish(String topic) {
        return true;
      }

      @Override
      public boolean maySubscribe(String filter, boolean shared) {
        return true;
      }
    };
  }

  /** Operational devices: publish and subscribe only under {@code devices/{id}/} (contract section 6). */
  static Acl operationalDevice(String deviceId) {
    String prefix = "devices/" + deviceId + "/";
    return new Acl() {
      @Override
      public boolean mayPublish(String topic) {
        return topic.startsWith(prefix);
      }

      @Override
      public boolean maySubscribe(String filter, boolean shared) {
        // the prefix is literal, so the device's wildcards can only widen inside its own subtree
        return !shared && filter.startsWith(prefix);
      }
    };
  }

  /** Provisioning devices: their own request and response topics only (contract section 4). */
  static Acl provisioningDevice(String deviceId) {
    String request = ProvisioningTopics.request(deviceId);
    String response = ProvisioningTopics.response(deviceId);
    return new Acl() {
      @Override
      public boolean mayPublish(String topic) {
        return topic.equals(request);
      }

      @Override
      public boolean maySubscribe(String filter, boolean shared) {
        return !shared && filter.equals(response);
      }
    };
  }

  /** Service accounts: topics matched by, and filters covered by, one of the allowed filters. */
  static Acl serviceAccount(List<String> allowed) {
    List<TopicFilter> parsed = allowed.stream().map(TopicFilter::parse).filter(f -> f != null).toList();
    return new Acl() {
      @Override
      public boolean mayPublish(String topic) {
        return parsed.stream().anyMatch(f -> TopicFilter.matches(f.filter(), topic));
      }

      @Override
      public boolean maySubscribe(String filter, boolean shared) {
        return parsed.stream().anyMatch(f -> TopicFilter.covers(f.filter(), filter));
      }
    };
  }
}
