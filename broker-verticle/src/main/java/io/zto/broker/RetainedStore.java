package io.zto.broker;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The last retained message per topic. A lookup scans all retained topics, which is fine for the
 * platform's few retained topics; a trie of retained topics is the next step if that changes.
 */
public final class RetainedStore {

  private final Map<String, Message> byTopic = new HashMap<>();

  /** Stores {@code message}; an empty payload clears the topic (MQTT 3.3.1.3). */
  public void put(Message message) {
    if (message.payload().length() == 0) {
      byTopic.remove(message.topic());
    } else {
      byTopic.put(message.topic(), message);
    }
  }

  /** The retained messages {@code filter} matches, expired ones removed on the way. */
  public List<Message> matching(String filter, long now) {
    List<Message> out = new ArrayList<>();
    byTopic.values().removeIf(m -> m.expired(now));
    for (Message message : byTopic.values()) {
      if (TopicFilter.matches(filter, message.topic())) {
        out.add(message);
      }
    }
    return out;
  }

  public int size() {
    return byTopic.size();
  }
}
