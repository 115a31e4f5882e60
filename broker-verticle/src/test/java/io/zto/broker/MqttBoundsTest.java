package io.zto.broker;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.zto.shared.store.BrokerStateRepository;
import io.zto.shared.store.BrokerStateRepository.StoredSession;
import io.zto.shared.store.BrokerStateRepository.StoredSubscription;
import io.zto.shared.testing.Await;
import io.zto.shared.testing.MqttWire;
import io.zto.shared.testing.MqttWire.Packet;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every MQTT input the broker keeps is bounded: topic levels and length, subscriptions per session, retained
 * messages per client and in total, wills, packet size; a stored session beyond the bounds is trimmed at
 * start. Each refusal has the MQTT 5 reason code (3.1.1: its code, or the connection closed) and a count in
 * {@code zto.mqtt.limits.exceeded}.
 */
class MqttBoundsTest {

  private static final Duration WAIT = Duration.ofSeconds(10);
  private static final int SUBSCRIPTIONS_MAX = 5;
  private static final int RETAINED_PER_CLIENT = 3;
  private static final int RETAINED_TOTAL = 5;

  @TempDir
  static Path dataDir;
  static TestBroker broker;

  @BeforeAll
  static void start() {
    // topic levels and length keep their defaults (32, 1024); the quotas are small to reach them quickly
    broker = TestBroker.start(dataDir.resolve("data"), Map.of(
        "mqtt.maxSubscriptionsPerSession", String.valueOf(SUBSCRIPTIONS_MAX),
        "mqtt.maxRetainedPerClient", String.valueOf(RETAINED_PER_CLIENT),
        "mqtt.maxRetainedTotal", String.valueOf(RETAINED_TOTAL),
        "mqtt.maxWillSize", "1KiB"));
  }

  @AfterAll
  static void stop() {
    broker.close();
  }

  @Test
  void deepFiltersAreRefusedWith0x8fAndCostNoMemory() {
    // GIVEN the heap after a GC, with the broker idle
    long before = usedHeapAfterGc();
    // WHEN a device subscribes 16 filters of 30,000 levels each (within the MQTT limits), then one ordinary filter
    Clients.Run run = Clients.python("bounds_client.py", "deep-subscribe", "127.0.0.1",
        String.valueOf(broker.plainPort()), "5", "16", "30000").await();
    assertThat(run.exit()).as(run.out() + run.err()).isZero();
    // THEN each deep filter gets 0x8F topic filter invalid, the ordinary one is granted, the client still works
    List<JsonObject> lines = run.lines().stream().map(JsonObject::new).toList();
    List<Integer> expected = new ArrayList<>(IntStream.range(0, 16).mapToObj(i -> 0x8F).toList());
    expected.add(1);
    assertThat(lines.get(0).getJsonArray("codes").getList()).isEqualTo(expected);
    assertThat(lines.get(1).getBoolean("alive")).isTrue();
    // AND nothing of them is held: no subscription in the trie, the heap back where it was
    assertThat(broker.onBroker(() -> broker.verticle.node().broker().subscriptionCount())).isZero();
    assertThat(usedHeapAfterGc() - before).isLessThan(16L << 20);
    assertThat(limitCount("topic-length")).isGreaterThanOrEqualTo(16);
  }

  @Test
  void filtersDeeperThanTheLevelBoundAreRefusedWith0x80InMqtt311() {
    // WHEN an MQTT 3.1.1 client subscribes 3 short filters of 40 levels (default bound 32)
    Clients.Run run = Clients.python("bounds_client.py", "deep-subscribe", "127.0.0.1",
        String.valueOf(broker.plainPort()), "311", "3", "40").await();
    assertThat(run.exit()).as(run.out() + run.err()).isZero();
    // THEN each gets 0x80 failure, the ordinary filter is granted and the connection still works
    List<JsonObject> lines = run.lines().stream().map(JsonObject::new).toList();
    assertThat(lines.get(0).getJsonArray("codes").getList()).containsExactly(0x80, 0x80, 0x80, 1);
    assertThat(lines.get(1).getBoolean("alive")).isTrue();
    assertThat(limitCount("topic-levels")).isGreaterThanOrEqualTo(3);
  }

  @Test
  void subscriptionsBeyondTheSessionQuotaGet0x97AndAResubscriptionStillFits() {
    try (MqttWire client = connected(5, "quota-sub")) {
      // GIVEN a session holding the most subscriptions it may
      String[] first = IntStream.range(0, SUBSCRIPTIONS_MAX).mapToObj(i -> "q/" + i).toArray(String[]::new);
      client.send(MqttWire.subscribe(5, 1, first));
      assertThat(client.await(MqttWire.SUBACK, WAIT).subackCodes(5)).containsOnly(1);
      // WHEN it subscribes one more new filter and again to one it has
      client.send(MqttWire.subscribe(5, 2, "q/new", "q/0"));
      // THEN the new one gets 0x97 quota exceeded, the existing one is replaced and granted
      assertThat(client.await(MqttWire.SUBACK, WAIT).subackCodes(5)).containsExactly(0x97, 1);
    }
    try (MqttWire client = connected(4, "quota-sub-311")) {
      // AND in MQTT 3.1.1 the refusal is 0x80
      String[] all = IntStream.range(0, SUBSCRIPTIONS_MAX + 1).mapToObj(i -> "q/" + i).toArray(String[]::new);
      client.send(MqttWire.subscribe(4, 1, all));
      int[] codes = client.await(MqttWire.SUBACK, WAIT).subackCodes(4);
      assertThat(Arrays.copyOf(codes, SUBSCRIPTIONS_MAX)).containsOnly(1);
      assertThat(codes[SUBSCRIPTIONS_MAX]).isEqualTo(0x80);
    }
    assertThat(limitCount("subscriptions")).isGreaterThanOrEqualTo(2);
  }

  @Test
  void retainedMessagesBeyondTheClientQuotaGetPuback0x97AndAreNotKept() {
    try (MqttWire client = connected(5, "retainer")) {
      // GIVEN a client holding its quota of retained topics
      for (int i = 1; i <= RETAINED_PER_CLIENT; i++) {
        assertThat(publishRetained(client, "ret/a/" + i, "v", i).reasonCode()).isZero();
      }
      int held = retainedCount();
      // WHEN it retains on one more topic
      Packet refused = publishRetained(client, "ret/a/extra", "v", 10);
      // THEN PUBACK 0x97 quota exceeded, and the node holds nothing more
      assertThat(refused.reasonCode()).isEqualTo(0x97);
      assertThat(retainedCount()).isEqualTo(held);
      // AND replacing one of its own topics and clearing one still work, after which a new topic fits again
      assertThat(publishRetained(client, "ret/a/1", "v2", 11).reasonCode()).isZero();
      assertThat(publishRetained(client, "ret/a/2", "", 12).reasonCode()).isZero();
      assertThat(publishRetained(client, "ret/a/extra", "v", 13).reasonCode()).isZero();
      // clean up for the other tests: this client's topics cleared
      for (String topic : List.of("ret/a/1", "ret/a/3", "ret/a/extra")) {
        assertThat(publishRetained(client, topic, "", 20).reasonCode()).isZero();
      }
    }
    assertThat(limitCount("retained-per-client")).isGreaterThanOrEqualTo(1);
  }

  @Test
  void retainedMessagesBeyondTheNodeTotalAreRefusedOnEveryProtocolLevel() {
    // GIVEN clients filling the node's retained total between them
    List<MqttWire> fillers = new ArrayList<>();
    try {
      int free = RETAINED_TOTAL - retainedCount();
      for (int i = 0; i < free; i++) {
        MqttWire filler = connected(5, "filler-" + i);
        fillers.add(filler);
        assertThat(publishRetained(filler, "ret/total/" + i, "v", 1).reasonCode()).isZero();
      }
      // WHEN an MQTT 5 client retains on a new topic THEN PUBACK 0x97
      try (MqttWire client = connected(5, "over-total")) {
        assertThat(publishRetained(client, "ret/total/x", "v", 1).reasonCode()).isEqualTo(0x97);
        // AND a QoS 0 retained message, which has no acknowledgement, gets DISCONNECT 0x97
        client.send(MqttWire.publish(5, "ret/total/y", "v".getBytes(), 0, true, 0));
        assertThat(client.await(MqttWire.DISCONNECT, WAIT).reasonCode()).isEqualTo(0x97);
      }
      // AND an MQTT 3.1.1 client, which has no code for it, is disconnected
      try (MqttWire client = connected(4, "over-total-311")) {
        client.send(MqttWire.publish(4, "ret/total/z", "v".getBytes(), 1, true, 1));
        assertThat(client.closedWithin(WAIT)).isTrue();
      }
      assertThat(retainedCount()).isEqualTo(RETAINED_TOTAL);
      assertThat(limitCount("retained-total")).isGreaterThanOrEqualTo(3);
    } finally {
      for (int i = 0; i < fillers.size(); i++) {
        publishRetained(fillers.get(i), "ret/total/" + i, "", 2);
        fillers.get(i).close();
      }
    }
  }

  @Test
  void topicNamesBeyondTheBoundsDisconnectWith0x90() {
    String deep = String.join("/", java.util.Collections.nCopies(40, "t"));
    // WHEN an MQTT 5 client publishes to a topic of 40 levels THEN DISCONNECT 0x90 topic name invalid
    try (MqttWire client = connected(5, "deep-publisher")) {
      client.send(MqttWire.publish(5, deep, "x".getBytes(), 1, false, 1));
      assertThat(client.await(MqttWire.DISCONNECT, WAIT).reasonCode()).isEqualTo(0x90);
    }
    // AND an MQTT 3.1.1 client publishing a topic longer than 1024 characters is disconnected
    try (MqttWire client = connected(4, "long-publisher")) {
      client.send(MqttWire.publish(4, "t/" + "x".repeat(2000), "x".getBytes(), 1, false, 1));
      assertThat(client.closedWithin(WAIT)).isTrue();
    }
  }

  @Test
  void illFormedUtf8InATopicOrClientIdIsRefused() {
    // WHEN an MQTT 5 client publishes to a topic whose bytes are not UTF-8 (C3 28)
    try (MqttWire client = connected(5, "utf8-publisher")) {
      byte[] body = concat(MqttWire.binary(new byte[] {'a', '/', (byte) 0xC3, 0x28}), new byte[] {0, 1, 0}, "x".getBytes());
      client.send(MqttWire.packet((MqttWire.PUBLISH << 4) | 0x02, body));
      // THEN DISCONNECT 0x90 topic name invalid (MQTT 1.5.4: a malformed packet)
      assertThat(client.await(MqttWire.DISCONNECT, WAIT).reasonCode()).isEqualTo(0x90);
    }
    // WHEN a client id carries an encoded surrogate (ED A0 80) THEN CONNACK 0x85 client identifier not valid
    try (MqttWire client = MqttWire.plain("127.0.0.1", broker.plainPort())) {
      byte[] body = concat(MqttWire.utf8("MQTT"), new byte[] {5, 0x02, 0, 60, 0},
          MqttWire.binary(new byte[] {'c', (byte) 0xED, (byte) 0xA0, (byte) 0x80}));
      client.send(MqttWire.packet(MqttWire.CONNECT << 4, body));
      assertThat(client.await(MqttWire.CONNACK, WAIT).reasonCode()).isEqualTo(0x85);
    }
  }

  @Test
  void clientIdsLongerThanTheBoundAreRefusedOnBothProtocolLevels() {
    // GIVEN mqtt.maxClientIdLength 64 (vertx-mqtt checks it for MQTT 3.1 only)
    // WHEN clients connect with an id of 65 characters THEN CONNACK 0x85 (5) and 2 identifier rejected (3.1.1)
    for (int version : new int[] {5, 4}) {
      try (MqttWire client = MqttWire.plain("127.0.0.1", broker.plainPort())) {
        client.send(MqttWire.connect(version, "c".repeat(65), true, null, null, null));
        assertThat(client.await(MqttWire.CONNACK, WAIT).reasonCode()).isEqualTo(version == 5 ? 0x85 : 2);
      }
    }
    // AND 64 characters are fine
    connected(4, "c".repeat(64)).close();
    assertThat(limitCount("client-id-length")).isGreaterThanOrEqualTo(2);
  }

  @Test
  void willsBeyondTheBoundsAreRefusedAtConnect() {
    // WHEN MQTT 5 clients connect with a will payload above mqtt.maxWillSize, or a will topic of 40 levels
    Packet tooLarge = connack(5, new MqttWire.Will("w/t", new byte[2048], 0, false));
    Packet tooDeep = connack(5, new MqttWire.Will(String.join("/", java.util.Collections.nCopies(40, "w")),
        "x".getBytes(), 0, false));
    // THEN CONNACK 0x95 packet too large and 0x90 topic name invalid
    assertThat(tooLarge.reasonCode()).isEqualTo(0x95);
    assertThat(tooDeep.reasonCode()).isEqualTo(0x90);
    // AND an MQTT 3.1.1 client, which has no code for either, is disconnected without CONNACK
    try (MqttWire client = MqttWire.plain("127.0.0.1", broker.plainPort())) {
      client.send(MqttWire.connect(4, "big-will-311", true, new MqttWire.Will("w/t", new byte[2048], 0, false),
          null, null));
      assertThat(client.read(WAIT)).isEqualTo(Packet.CLOSED);
    }
    assertThat(limitCount("will-size")).isGreaterThanOrEqualTo(2);
  }

  @Test
  void packetsLargerThanTheMaximumPacketSizeGetDisconnect0x95(@TempDir Path otherDir) {
    // GIVEN a broker whose listeners take packets of at most 4 KiB
    try (TestBroker small = TestBroker.start(otherDir, Map.of("mqtt.maxMessageSize", "4KiB"))) {
      // WHEN an MQTT 5 client sends a PUBLISH of 8 KiB THEN DISCONNECT 0x95 packet too large
      try (MqttWire client = MqttWire.plain("127.0.0.1", small.plainPort())) {
        client.send(MqttWire.connect(5, "big-publisher", true, null, null, null));
        assertThat(client.await(MqttWire.CONNACK, WAIT).reasonCode()).isZero();
        client.send(MqttWire.publish(5, "big", new byte[8192], 1, false, 1));
        assertThat(client.await(MqttWire.DISCONNECT, WAIT).reasonCode()).isEqualTo(0x95);
      }
      // AND the broker still serves a fresh client
      try (MqttWire client = MqttWire.plain("127.0.0.1", small.plainPort())) {
        client.send(MqttWire.connect(5, "after", true, null, null, null));
        assertThat(client.await(MqttWire.CONNACK, WAIT).reasonCode()).isZero();
      }
    }
  }

  @Test
  void aStoredSessionBeyondTheBoundsIsTrimmedAtStartNotRefused(@TempDir Path otherDir) {
    // GIVEN a stored session (written by an older version or other settings) with a 30,000-level filter,
    // more subscriptions than a session may hold and more queued messages than mqtt.offlineQueueMax
    try (TestBroker restarted = TestBroker.start(otherDir, Map.of("mqtt.maxSubscriptionsPerSession", "10",
        "mqtt.offlineQueueMax", "20"))) {
      BrokerStateRepository repo = new BrokerStateRepository(restarted.platform.db());
      Instant now = Instant.now();
      Await.result(repo.saveSession(new StoredSession("hoarder", 3600, restarted.platform.nodeId(), now.plusSeconds(3600),
          "plain:anonymous"), now));
      JsonObject options = new JsonObject().put("qos", 1);
      Await.result(repo.putSubscription(new StoredSubscription("hoarder", "x/" + "l/".repeat(30_000) + "end", options)));
      for (int i = 0; i < 50; i++) {
        Await.result(repo.putSubscription(new StoredSubscription("hoarder", "s/" + i, options)));
      }
      for (int i = 0; i < 100; i++) {
        Message message = Message.simple("s/1", Buffer.buffer("m" + i), 1, false);
        Await.result(repo.enqueue("hoarder", StoredJournal.toJson(new Outbound(message, 1, false, List.of()))));
      }
      // WHEN the broker starts on it
      restarted.restart();
      // THEN it starts, with the session trimmed to the bounds: 10 subscriptions, the newest 20 messages
      Session session = restarted.onBroker(() -> restarted.verticle.node().broker().session("hoarder"));
      assertThat(session).isNotNull();
      assertThat(restarted.onBroker(() -> session.subscriptions().size())).isEqualTo(10);
      assertThat(restarted.onBroker(() -> session.subscriptions().keySet().stream().noneMatch(f -> f.startsWith("x/"))))
          .isTrue();
      assertThat(restarted.onBroker(() -> session.window().waiting().size())).isEqualTo(20);
      assertThat(restarted.onBroker(() -> session.window().waiting().peekLast().message().payload().toString()))
          .isEqualTo("m99");
      // AND the client gets its session back and can go on
      try (MqttWire client = MqttWire.plain("127.0.0.1", restarted.plainPort())) {
        client.send(MqttWire.connect(4, "hoarder", false, null, null, null));
        Packet connack = client.await(MqttWire.CONNACK, WAIT);
        assertThat(connack.reasonCode()).isZero();
        assertThat(connack.body()[0] & 1).as("session present").isEqualTo(1);
      }
    }
  }

  // ---- helpers

  private static MqttWire connected(int version, String clientId) {
    MqttWire client = MqttWire.plain("127.0.0.1", broker.plainPort());
    client.send(MqttWire.connect(version, clientId, true, null, null, null));
    Packet connack = client.await(MqttWire.CONNACK, WAIT);
    assertThat(connack.reasonCode()).as("CONNACK of " + clientId).isZero();
    return client;
  }

  private static Packet connack(int version, MqttWire.Will will) {
    try (MqttWire client = MqttWire.plain("127.0.0.1", broker.plainPort())) {
      client.send(MqttWire.connect(version, "will-" + System.nanoTime(), true, will, null, null));
      return client.await(MqttWire.CONNACK, WAIT);
    }
  }

  private static Packet publishRetained(MqttWire client, String topic, String payload, int packetId) {
    client.send(MqttWire.publish(5, topic, payload.getBytes(), 1, true, packetId));
    return client.await(MqttWire.PUBACK, WAIT);
  }

  private static int retainedCount() {
    return broker.onBroker(() -> broker.verticle.node().broker().retainedCount());
  }

  private static double limitCount(String limit) {
    return broker.verticle.node().context().metrics().limitExceededCount(limit);
  }

  private static byte[] concat(byte[]... parts) {
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    for (byte[] part : parts) {
      out.writeBytes(part);
    }
    return out.toByteArray();
  }

  private static long usedHeapAfterGc() {
    for (int i = 0; i < 3; i++) {
      System.gc();
    }
    return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
  }
}
