package io.zto.broker;

import java.util.List;

/** What one connected client may publish and subscribe to. */
public interface Acl {

  boolean mayPublish(String topic);

  /** {@code filter} without a {@code $share/} prefix; {@code shared} whether it had one. */
  boolean maySubscribe(String filter, boolean shared);

  /**
   * Anonymous clients of the plain development listener: any topic except the platform's {@code zto/}
   * tree (contract section 9: only a provisioning device reads its own response topic, and nobody but the
   * platform publishes there, so no development client can read or forge provisioning answers).
   */
  static Acl anyTopic() {
    return new Acl() {
      @Override
      public boolean mayPublish(String topic) {
        return !ProvisioningTopics.reserved(topic);
      }

      @Override
      public boolean maySubscribe(String filter, boolean shared) {
        return !ProvisioningTopics.reserved(filter);
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

  /**
   * Service accounts: publish to topics matched by one of {@code publish}, subscribe to filters covered
   * by one of {@code subscribe}; never in the platform's {@code zto/} tree, whatever the lists say
   * (contract section 9). Unparseable filters in the lists grant nothing.
   */
  static Acl serviceAccount(List<String> publish, List<String> subscribe) {
    List<TopicFilter> publishable = parse(publish);
    List<TopicFilter> subscribable = parse(subscribe);
    return new Acl() {
      @Override
      public boolean mayPublish(String topic) {
        return !ProvisioningTopics.reserved(topic)
            && publishable.stream().anyMatch(f -> TopicFilter.matches(f.filter(), topic));
      }

      @Override
      public boolean maySubscribe(String filter, boolean shared) {
        return !ProvisioningTopics.reserved(filter)
            && subscribable.stream().anyMatch(f -> TopicFilter.covers(f.filter(), filter));
      }
    };
  }

  private static List<TopicFilter> parse(List<String> filters) {
    return filters.stream().map(TopicFilter::parse).filter(f -> f != null).toList();
  }
}
