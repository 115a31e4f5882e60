package io.zto.broker;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class TopicTrieTest {

  @Test
  void matchesExactPlusAndHashFilters() {
    // GIVEN subscriptions with exact, '+' and '#' filters
    TopicTrie<String> trie = new TopicTrie<>();
    trie.put("a/b/c", "k", "exact");
    trie.put("a/+/c", "k", "plus");
    trie.put("a/#", "k", "hash");
    trie.put("#", "k", "all");
    trie.put("a/b", "k", "other");
    // WHEN a topic is matched THEN every matching filter and no other answers
    assertThat(trie.match("a/b/c")).containsExactlyInAnyOrder("exact", "plus", "hash", "all");
    assertThat(trie.match("a")).containsExactlyInAnyOrder("hash", "all");
    assertThat(trie.match("x/y")).containsExactly("all");
  }

  @Test
  void leadingWildcardsDoNotMatchDollarTopics() {
    TopicTrie<String> trie = new TopicTrie<>();
    trie.put("#", "k", "all");
    trie.put("+/info", "k", "plus");
    trie.put("$SYS/#", "k", "sys");
    assertThat(trie.match("$SYS/info")).containsExactly("sys");
  }

  @Test
  void removingTheLastValuePrunesTheBranch() {
    TopicTrie<String> trie = new TopicTrie<>();
    trie.put("a/b", "one", "1");
    trie.put("a/b", "two", "2");
    assertThat(trie.remove("a/b", "one")).isEqualTo("1");
    assertThat(trie.match("a/b")).containsExactly("2");
    assertThat(trie.remove("a/b", "two")).isEqualTo("2");
    assertThat(trie.remove("a/b", "two")).isNull();
    assertThat(trie.size()).isZero();
  }

  @Test
  void aSecondPutWithTheSameKeyReplaces() {
    TopicTrie<String> trie = new TopicTrie<>();
    trie.put("a", "client", "qos0");
    trie.put("a", "client", "qos1");
    assertThat(trie.match("a")).containsExactly("qos1");
    assertThat(trie.size()).isEqualTo(1);
  }

  @Test
  void emptyLevelsAreLevels() {
    TopicTrie<String> trie = new TopicTrie<>();
    trie.put("a//b", "k", "empty");
    trie.put("a/+/b", "k", "plus");
    assertThat(trie.match("a//b")).containsExactlyInAnyOrder("empty", "plus");
  }

  @Test
  void matchingATopicOfAHundredThousandLevelsDoesNotOverflowTheStack() {
    // GIVEN a trie holding a filter far deeper than the broker admits (stored state, or a larger setting)
    String deep = String.join("/", java.util.Collections.nCopies(100_000, "l"));
    TopicTrie<String> trie = new TopicTrie<>();
    trie.put(deep, "k", "deep");
    trie.put(deep.substring(0, deep.length() - 1) + "+", "k", "plus");
    // WHEN a topic of that depth is matched THEN the iterative walk finds both, no StackOverflowError
    assertThat(trie.match(deep)).containsExactlyInAnyOrder("deep", "plus");
  }
}
