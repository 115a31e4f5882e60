package io.zto.broker;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.buffer.Buffer;
import io.zto.shared.config.MqttLimits;
import java.util.List;
import org.junit.jupiter.api.Test;

class RetainedStoreTest {

  private static final MqttLimits LIMITS = new MqttLimits(32, 1024, 100, 2, 4, 1000, 1024, 65_536);

  private static Message retained(String topic, String payload, String publisher) {
    return new Message(topic, Buffer.buffer(payload), 1, true, publisher, 0, null, null, null, null, List.of());
  }

  private static List<String> topics(List<Message> messages) {
    return messages.stream().map(Message::topic).toList();
  }

  @Test
  void aFilterFindsExactlyTheTopicsItMatchesThroughTheLevelIndex() {
    // GIVEN retained messages on several topics, one under $SYS
    RetainedStore store = new RetainedStore(new MqttLimits(32, 1024, 100, 100, 100, 1 << 20, 1024, 65_536));
    for (String topic : List.of("a", "a/b", "a/b/c", "a/x/c", "b/c", "$SYS/info", "/lead")) {
      store.put(retained(topic, "v", "p-" + topic));
    }
    // WHEN filters are matched THEN every matching topic and no other (MQTT 4.7)
    assertThat(topics(store.matching("a/b", 0))).containsExactly("a/b");
    assertThat(topics(store.matching("a/+/c", 0))).containsExactlyInAnyOrder("a/b/c", "a/x/c");
    assertThat(topics(store.matching("a/#", 0))).containsExactlyInAnyOrder("a", "a/b", "a/b/c", "a/x/c");
    assertThat(topics(store.matching("#", 0))).containsExactlyInAnyOrder("a", "a/b", "a/b/c", "a/x/c", "b/c", "/lead");
    assertThat(topics(store.matching("+/c", 0))).containsExactly("b/c");
    assertThat(topics(store.matching("+/+", 0))).containsExactlyInAnyOrder("a/b", "b/c", "/lead");
    assertThat(topics(store.matching("$SYS/#", 0))).containsExactly("$SYS/info");
    assertThat(topics(store.matching("+/info", 0))).isEmpty();
  }

  @Test
  void perClientTotalAndByteQuotasRefuseNewTopicsButNotReplacementsOrClearings() {
    RetainedStore store = new RetainedStore(LIMITS);
    // GIVEN a client at its quota of 2 topics
    assertThat(store.put(retained("t/1", "v", "c1"))).isEqualTo(RetainedStore.Outcome.STORED);
    assertThat(store.put(retained("t/2", "v", "c1"))).isEqualTo(RetainedStore.Outcome.STORED);
    // WHEN it retains a third THEN refused; replacing its own works
    assertThat(store.put(retained("t/3", "v", "c1"))).isEqualTo(RetainedStore.Outcome.CLIENT_QUOTA);
    assertThat(store.put(retained("t/1", "v2", "c1"))).isEqualTo(RetainedStore.Outcome.STORED);
    // WHEN another client takes over one of its topics THEN the first one's count drops
    assertThat(store.put(retained("t/2", "v", "c2"))).isEqualTo(RetainedStore.Outcome.STORED);
    assertThat(store.heldBy("c1")).isEqualTo(1);
    // WHEN the node holds its total of 4 THEN a new topic is refused whoever sends it, the platform included
    assertThat(store.put(retained("t/4", "v", "c3"))).isEqualTo(RetainedStore.Outcome.STORED);
    assertThat(store.put(retained("t/5", "v", "c4"))).isEqualTo(RetainedStore.Outcome.STORED);
    assertThat(store.put(retained("t/6", "v", null))).isEqualTo(RetainedStore.Outcome.NODE_QUOTA);
    // AND a clearing frees a place
    assertThat(store.put(retained("t/5", "", "c4"))).isEqualTo(RetainedStore.Outcome.CLEARED);
    assertThat(store.size()).isEqualTo(3);
    assertThat(store.put(retained("t/6", "v", null))).isEqualTo(RetainedStore.Outcome.STORED);
    // AND a payload that would take the node beyond 1000 bytes is refused
    store.put(retained("t/6", "", null));
    assertThat(store.put(retained("t/7", "x".repeat(998), "c5"))).isEqualTo(RetainedStore.Outcome.NODE_QUOTA);
    assertThat(store.bytes()).isEqualTo(4);
  }

  @Test
  void expiredMessagesAreRemovedWhenMatched() {
    RetainedStore store = new RetainedStore(LIMITS);
    store.put(new Message("e/1", Buffer.buffer("v"), 1, true, "c", 1000, null, null, null, null, List.of()));
    assertThat(store.matching("e/#", 2000)).isEmpty();
    assertThat(store.size()).isZero();
    assertThat(store.heldBy("c")).isZero();
  }
}
