package io.zto.broker;

/**
 * One subscription of a session.
 *
 * @param filter the parsed filter (with its share group, if any)
 * @param subscriptionId MQTT 5 subscription identifier, 0 for none
 * @param retainHandling 0 send retained, 1 only for a new subscription, 2 never
 */
public record Subscription(String clientId, TopicFilter filter, int qos, boolean noLocal, boolean retainAsPublished,
                           int retainHandling, int subscriptionId) {

  /** Key in the topic trie: one entry per client and share group at a filter. */
  public String trieKey() {
    return filter.shared() ? filter.group() + "\u0000" + clientId : clientId;
  }
}
