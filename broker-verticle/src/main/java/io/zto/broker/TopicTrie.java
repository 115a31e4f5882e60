package io.zto.broker;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Subscriptions indexed by filter level, so matching a topic costs the topic's depth times the
 * wildcards on the way, not the number of subscriptions. Values are keyed per filter (a client id,
 * or a client id within a share group) so a re-subscription replaces the previous one.
 * Not thread-safe: used on the broker's event loop only.
 */
public final class TopicTrie<V> {

  private final Node<V> root = new Node<>();
  private int size;

  private static final class Node<V> {
    final Map<String, Node<V>> children = new HashMap<>();
    final Map<String, V> values = new HashMap<>();

    boolean isEmpty() {
      return children.isEmpty() && values.isEmpty();
    }
  }

  /** Adds or replaces the value under {@code key} at {@code filter}; returns the previous one. */
  public V put(String filter, String key, V value) {
    Node<V> node = root;
    for (String level : filter.split("/", -1)) {
      node = node.children.computeIfAbsent(level, l -> new Node<>());
    }
    V previous = node.values.put(key, value);
    if (previous == null) {
      size++;
    }
    return previous;
  }

  /** Removes the value under {@code key} at {@code filter}; returns it, or null. */
  public V remove(String filter, String key) {
    String[] levels = filter.split("/", -1);
    List<Node<V>> path = new ArrayList<>();
    Node<V> node = root;
    for (String level : levels) {
      path.add(node);
      node = node.children.get(level);
      if (node == null) {
        return null;
      }
    }
    V removed = node.values.remove(key);
    if (removed != null) {
      size--;
      prune(path, levels, node);
    }
    return removed;
  }

  // drops empty nodes so the trie does not grow with every filter ever used
  private void prune(List<Node<V>> path, String[] levels, Node<V> leaf) {
    Node<V> child = leaf;
    for (int i = levels.length - 1; i >= 0 && child.isEmpty(); i--) {
      path.get(i).children.remove(levels[i]);
      child = path.get(i);
    }
  }

  /**
   * Every value whose filter matches {@code topic}. Iterative (an explicit stack of nodes still to visit),
   * so neither a deep topic nor a deep trie can overflow the event loop's stack.
   */
  public void match(String topic, Consumer<V> sink) {
    String[] levels = topic.split("/", -1);
    // MQTT 4.7.2: wildcards in the first level never match topics starting with '$'
    boolean dollar = topic.startsWith("$");
    ArrayDeque<Node<V>> nodes = new ArrayDeque<>();
    ArrayDeque<Integer> depths = new ArrayDeque<>();
    nodes.push(root);
    depths.push(0);
    while (!nodes.isEmpty()) {
      Node<V> node = nodes.pop();
      int depth = depths.pop();
      boolean wildcardsAllowed = !(dollar && depth == 0);
      if (wildcardsAllowed) {
        Node<V> hash = node.children.get("#");
        if (hash != null) {
          hash.values.values().forEach(sink);
        }
      }
      if (depth == levels.length) {
        node.values.values().forEach(sink);
        continue;
      }
      // '+' pushed first so the exact branch is visited first, as the recursive walk did
      Node<V> plus = wildcardsAllowed ? node.children.get("+") : null;
      if (plus != null) {
        nodes.push(plus);
        depths.push(depth + 1);
      }
      Node<V> exact = node.children.get(levels[depth]);
      if (exact != null) {
        nodes.push(exact);
        depths.push(depth + 1);
      }
    }
  }

  public List<V> match(String topic) {
    List<V> out = new ArrayList<>();
    match(topic, out::add);
    return out;
  }

  public int size() {
    return size;
  }
}
