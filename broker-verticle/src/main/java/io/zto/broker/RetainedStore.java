package io.zto.broker;

import io.zto.shared.config.MqttLimits;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The last retained message per topic, bounded per publishing client, in count and in payload bytes, and
 * indexed by topic level: a SUBSCRIBE visits only the topics its filter can match (a literal filter one
 * path, {@code a/+/c} the children of {@code a}), never every retained message. The walk is iterative.
 * Event-loop confined.
 */
public final class RetainedStore {

  /** What {@link #put} did with a message. */
  public enum Outcome {
    STORED, CLEARED,
    /** refused: the publisher holds {@code mqtt.maxRetainedPerClient} retained topics already */
    CLIENT_QUOTA,
    /** refused: the node holds {@code mqtt.maxRetainedTotal} topics or {@code mqtt.maxRetainedBytes} already */
    NODE_QUOTA;

    public boolean refused() {
      return this == CLIENT_QUOTA || this == NODE_QUOTA;
    }
  }

  private static final class Node {
    final Map<String, Node> children = new HashMap<>();
    Message message;
  }

  private final MqttLimits limits;
  private final Node root = new Node();
  private final Map<String, Integer> perPublisher = new HashMap<>();
  private int size;
  private long bytes;

  public RetainedStore(MqttLimits limits) {
    this.limits = limits;
  }

  /**
   * Whether storing {@code message} stays within the bounds: an empty payload (a clearing) always does; a
   * replacement of the publisher's own topic is not a new topic (only the byte total applies); messages of
   * the platform (no publisher) count only towards the node's totals.
   */
  public Outcome admits(Message message) {
    if (message.payload().length() == 0) {
      return Outcome.CLEARED;
    }
    Message current = find(message.topic());
    int freedBytes = current == null ? 0 : current.payload().length();
    boolean ownTopic = current != null && sameClient(current.publisher(), message.publisher());
    if (message.publisher() != null && !ownTopic
        && perPublisher.getOrDefault(message.publisher(), 0) >= limits.retainedPerClient()) {
      return Outcome.CLIENT_QUOTA;
    }
    if ((current == null && size >= limits.retainedTotal())
        || bytes - freedBytes + message.payload().length() > limits.retainedBytes()) {
      return Outcome.NODE_QUOTA;
    }
    return Outcome.STORED;
  }

  /** Stores {@code message} if {@link #admits} it; an empty payload clears the topic (MQTT 3.3.1.3). */
  public Outcome put(Message message) {
    Outcome outcome = admits(message);
    if (outcome == Outcome.CLEARED) {
      remove(message.topic());
    } else if (outcome == Outcome.STORED) {
      remove(message.topic());
      Node node = root;
      for (String level : message.topic().split("/", -1)) {
        node = node.children.computeIfAbsent(level, l -> new Node());
      }
      node.message = message;
      account(message, 1);
    }
    return outcome;
  }

  /**
   * The retained messages {@code filter} matches, expired ones removed on the way. Visits only the branches
   * the filter can match; a leading wildcard does not match topics starting with {@code $} (MQTT 4.7.2).
   */
  public List<Message> matching(String filter, long now) {
    String[] levels = filter.split("/", -1);
    List<Message> out = new ArrayList<>();
    ArrayDeque<Node> nodes = new ArrayDeque<>();
    ArrayDeque<Integer> depths = new ArrayDeque<>();
    nodes.push(root);
    depths.push(0);
    while (!nodes.isEmpty()) {
      Node node = nodes.pop();
      int depth = depths.pop();
      if (depth == levels.length) {
        collect(node, out);
        continue;
      }
      String level = levels[depth];
      if (level.equals("#")) {
        // "a/#" matches "a" itself as well as everything below it (MQTT 4.7.1.2)
        collect(node, out);
        node.children.forEach((name, child) -> {
          if (depth > 0 || !name.startsWith("$")) {
            collectBelow(child, out);
          }
        });
      } else if (level.equals("+")) {
        node.children.forEach((name, child) -> {
          if (depth > 0 || !name.startsWith("$")) {
            nodes.push(child);
            depths.push(depth + 1);
          }
        });
      } else {
        Node child = node.children.get(level);
        if (child != null) {
          nodes.push(child);
          depths.push(depth + 1);
        }
      }
    }
    List<Message> live = new ArrayList<>(out.size());
    for (Message message : out) {
      if (message.expired(now)) {
        remove(message.topic());
      } else {
        live.add(message);
      }
    }
    return live;
  }

  public int size() {
    return size;
  }

  /** Payload bytes of all retained messages. */
  public long bytes() {
    return bytes;
  }

  /** Retained topics held by {@code publisher}. */
  public int heldBy(String publisher) {
    return perPublisher.getOrDefault(publisher, 0);
  }

  private static void collect(Node node, List<Message> out) {
    if (node != null && node.message != null) {
      out.add(node.message);
    }
  }

  private static void collectBelow(Node start, List<Message> out) {
    ArrayDeque<Node> pending = new ArrayDeque<>();
    pending.push(start);
    while (!pending.isEmpty()) {
      Node node = pending.pop();
      collect(node, out);
      node.children.values().forEach(pending::push);
    }
  }

  private Message find(String topic) {
    Node node = root;
    for (String level : topic.split("/", -1)) {
      node = node.children.get(level);
      if (node == null) {
        return null;
      }
    }
    return node.message;
  }

  // drops the message at topic and the nodes it leaves empty
  private void remove(String topic) {
    String[] levels = topic.split("/", -1);
    List<Node> path = new ArrayList<>(levels.length + 1);
    Node node = root;
    path.add(node);
    for (String level : levels) {
      node = node.children.get(level);
      if (node == null) {
        return;
      }
      path.add(node);
    }
    if (node.message == null) {
      return;
    }
    account(node.message, -1);
    node.message = null;
    for (int i = levels.length; i > 0; i--) {
      Node child = path.get(i);
      if (child.message != null || !child.children.isEmpty()) {
        break;
      }
      path.get(i - 1).children.remove(levels[i - 1]);
    }
  }

  private void account(Message message, int sign) {
    size += sign;
    bytes += sign * (long) message.payload().length();
    if (message.publisher() != null) {
      perPublisher.merge(message.publisher(), sign, (a, b) -> a + b == 0 ? null : a + b);
    }
  }

  private static boolean sameClient(String a, String b) {
    return a == null ? b == null : a.equals(b);
  }
}
