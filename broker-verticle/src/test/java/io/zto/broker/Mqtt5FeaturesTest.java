package io.zto.broker;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** MQTT 5 features and QoS state across reconnects, with paho-mqtt and hand-made packets. */
class Mqtt5FeaturesTest {

  @TempDir
  static Path dataDir;
  static TestBroker broker;

  @BeforeAll
  static void start() {
    broker = TestBroker.start(dataDir.resolve("data"), Map.of("mqtt.clientQueueMax", "5"));
  }

  @AfterAll
  static void stop() {
    broker.close();
  }

  private static List<JsonObject> run(String script, String scenario, String... args) {
    List<String> all = new ArrayList<>(List.of(scenario, "127.0.0.1", String.valueOf(broker.plainPort())));
    all.addAll(List.of(args));
    Clients.Run run = Clients.python(script, all.toArray(String[]::new)).await();
    assertThat(run.exit()).as(run.out() + run.err()).isZero();
    return run.lines().stream().map(JsonObject::new).toList();
  }

  @Test
  void propertiesPassThroughAndNoLocalHoldsBackOwnMessages() {
    // GIVEN a no-local subscriber with subscription identifier 7
    // WHEN it publishes itself and another client publishes with properties
    List<JsonObject> lines = run("mqtt5_client.py", "props");
    // THEN only the other client's message arrives, with every property and the identifier
    assertThat(lines.get(0).getJsonArray("suback").getList()).containsExactly(1);
    List<JsonObject> messages = lines.stream().filter(l -> l.containsKey("message"))
        .map(l -> l.getJsonObject("message")).toList();
    assertThat(messages).hasSize(1);
    JsonObject m = messages.get(0);
    assertThat(m.getString("payload")).isEqualTo("{}");
    assertThat(m.getString("ContentType")).isEqualTo("application/json");
    assertThat(m.getString("ResponseTopic")).isEqualTo("p/reply");
    assertThat(m.getString("CorrelationData")).isEqualTo("corr-1");
    assertThat(m.getJsonArray("SubscriptionIdentifier").getList()).containsExactly(7);
    assertThat(m.getInteger("MessageExpiryInterval")).isBetween(3590, 3600);
    assertThat(m.getJsonArray("UserProperty").encode()).isEqualTo("[[\"k1\",\"v1\"],[\"k2\",\"v2\"]]");
  }

  @Test
  void aSharedSubscriptionGivesEachMessageToOneMemberOfTheGroup() {
    // GIVEN two members of share group g WHEN 10 messages are published
    List<JsonObject> lines = run("mqtt5_client.py", "shared", "10");
    JsonObject result = lines.get(lines.size() - 1);
    List<Object> a = result.getJsonArray("a").getList();
    List<Object> b = result.getJsonArray("b").getList();
    // THEN every message arrived exactly once, spread over both members
    Set<Object> all = new HashSet<>(a);
    all.addAll(b);
    assertThat(a.size() + b.size()).isEqualTo(10);
    assertThat(all).hasSize(10);
    assertThat(a).isNotEmpty();
    assertThat(b).isNotEmpty();
  }

  @Test
  void aPersistentSessionReceivesWhatWasPublishedWhileItWasAway() {
    // GIVEN a session with expiry 300 s subscribed at QoS 1, then disconnected
    // WHEN 3 messages are published and it reconnects without clean start
    JsonObject result = run("mqtt5_client.py", "persistent").get(0);
    // THEN the session is present and the messages arrive in order
    assertThat(result.getInteger("present")).isEqualTo(1);
    assertThat(result.getJsonArray("payloads").getList()).containsExactly("m0", "m1", "m2");
  }

  @Test
  void aQos2MessageResentAfterALostConnectionIsDeliveredOnce() {
    // GIVEN a subscriber
    Clients.Running sub = Clients.start(List.of("stdbuf", "-oL", "mosquitto_sub", "-h", "127.0.0.1", "-p",
        String.valueOf(broker.plainPort()), "-t", "once/t", "-q", "2", "-C", "2", "-W", "3", "-d", "-i", "once-sub"));
    Clients.awaitOutput(sub, "SUBACK");
    // WHEN a client sends PUBLISH QoS 2, loses the connection before PUBREL, reconnects and resends it
    Clients.Run raw = Clients.python("raw_client.py", "qos2-resend", "127.0.0.1", String.valueOf(broker.plainPort()),
        "once/t").await();
    assertThat(raw.exit()).as(raw.err()).isZero();
    List<JsonObject> steps = raw.lines().stream().map(JsonObject::new).toList();
    // THEN both PUBLISHes got PUBREC (5), the session was present, PUBREL got PUBCOMP (7)
    assertThat(steps.get(0).getInteger("first")).isEqualTo(5);
    assertThat(steps.get(1).getInteger("session_present")).isEqualTo(1);
    assertThat(steps.get(2).getInteger("second")).isEqualTo(5);
    assertThat(steps.get(3).getInteger("complete")).isEqualTo(7);
    // AND the subscriber saw the message exactly once
    Clients.Run received = sub.await();
    assertThat(received.lines().stream().filter(l -> l.equals("once")).count()).isEqualTo(1);
  }

  @Test
  void aSubscriberThatNeverAcknowledgesIsDisconnectedWithQuotaExceeded() {
    // GIVEN an MQTT 5 subscriber with Receive Maximum 1 that never sends PUBACK
    Clients.Running slow = Clients.python("raw_client.py", "slow", "127.0.0.1", String.valueOf(broker.plainPort()),
        "slow/t");
    Clients.awaitOutput(slow, "suback");
    // WHEN more QoS 1 messages are published than the queue limit (5) plus the window (1)
    for (int i = 0; i < 8; i++) {
      Clients.run("mosquitto_pub", "-h", "127.0.0.1", "-p", String.valueOf(broker.plainPort()), "-t", "slow/t",
          "-m", "m" + i, "-q", "1");
    }
    // THEN it got one message and then DISCONNECT 0x97 (quota exceeded), nothing unbounded in between
    JsonObject end = new JsonObject(slow.await().lines().get(1));
    assertThat(end.getInteger("disconnect")).isEqualTo(0x97);
    assertThat(end.getInteger("publishes")).isEqualTo(1);
  }

  @Test
  void aClientBackWithinTheWillDelayCancelsItsWill() {
    // GIVEN a client with a will delayed by 2 s and a session expiry of 60 s
    // WHEN it vanishes without DISCONNECT and reconnects at once
    List<JsonObject> lines = run("mqtt5_client.py", "will-delay", "2");
    // THEN its session is there and the will is never published
    assertThat(lines.get(0).getInteger("present")).isEqualTo(1);
    assertThat(lines.get(1).getInteger("wills")).isZero();
  }
}
