package io.zto.broker;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Broker semantics over the plain listener, with Debian's mosquitto_pub / mosquitto_sub (MQTT 3.1.1 and 5). */
class PlainListenerTest {

  @TempDir
  static Path dataDir;
  static TestBroker broker;

  @BeforeAll
  static void start() {
    broker = TestBroker.start(dataDir.resolve("data"), Map.of());
  }

  @AfterAll
  static void stop() {
    broker.close();
  }

  private static List<String> sub(String version, String clientId, int count, String... filtersAndFlags) {
    List<String> command = new ArrayList<>(List.of("stdbuf", "-oL", "-eL", "mosquitto_sub", "-h", "127.0.0.1", "-p",
        String.valueOf(broker.plainPort()), "-V", version, "-i", clientId, "-C", String.valueOf(count), "-W", "20",
        "-v", "-d"));
    command.addAll(List.of(filtersAndFlags));
    return command;
  }

  private static Clients.Run pub(String version, String topic, String message, String... flags) {
    List<String> command = new ArrayList<>(List.of("mosquitto_pub", "-h", "127.0.0.1", "-p",
        String.valueOf(broker.plainPort()), "-V", version, "-t", topic, "-m", message));
    command.addAll(List.of(flags));
    return Clients.run(command);
  }

  private static List<String> messages(Clients.Run run) {
    return run.lines().stream().filter(l -> !l.startsWith("Client ") && !l.startsWith("Subscribed")).toList();
  }

  @Test
  void messagesArriveAtEveryQosOnBothProtocolLevels() {
    for (String version : List.of("mqttv311", "mqttv5")) {
      for (String qos : List.of("0", "1", "2")) {
        // GIVEN a subscriber at that QoS
        Clients.Running sub = Clients.start(sub(version, "sub-" + version + qos, 1, "-q", qos, "-t", "qos/" + qos));
        Clients.awaitOutput(sub, "SUBACK");
        // WHEN a publisher sends at that QoS
        Clients.Run published = pub(version, "qos/" + qos, "hello-" + qos, "-q", qos);
        // THEN the subscriber gets it exactly once
        assertThat(published.exit()).as(published.err()).isZero();
        Clients.Run received = sub.await();
        assertThat(messages(received)).as(received.err()).containsExactly("qos/" + qos + " hello-" + qos);
      }
    }
  }

  @Test
  void wildcardsMatchLevelsButNotDollarTopics() {
    // GIVEN subscribers to a '+' filter and to '#'
    Clients.Running plus = Clients.start(sub("mqttv311", "plus", 1, "-t", "site/+/temp"));
    Clients.Running hash = Clients.start(sub("mqttv311", "hash", 1, "-t", "#"));
    Clients.awaitOutput(plus, "SUBACK");
    Clients.awaitOutput(hash, "SUBACK");
    // WHEN a $-topic and then an ordinary topic are published
    pub("mqttv311", "$internal/x", "hidden");
    pub("mqttv311", "site/a/temp", "21");
    // THEN '#' saw only the ordinary one, and '+' matched one level
    assertThat(messages(plus.await())).containsExactly("site/a/temp 21");
    assertThat(messages(hash.await())).containsExactly("site/a/temp 21");
  }

  @Test
  void aRetainedMessageReachesLaterSubscribersAndAnEmptyOneClearsIt() {
    // GIVEN a retained message
    pub("mqttv5", "retained/a", "kept", "-r", "-q", "1");
    // WHEN a client subscribes afterwards
    Clients.Run first = Clients.run(sub("mqttv5", "late", 1, "-t", "retained/+"));
    // THEN it gets the retained message
    assertThat(messages(first)).containsExactly("retained/a kept");
    // AND after an empty retained message nothing is retained any more
    pub("mqttv5", "retained/a", "", "-r", "-q", "1");
    Clients.Run second = Clients.run(sub("mqttv5", "later", 1, "-t", "retained/+", "-W", "1"));
    assertThat(messages(second)).isEmpty();
  }

  @Test
  void theWillIsPublishedWhenAClientVanishes() {
    // GIVEN a watcher of the will topic and a client with a will
    Clients.Running watcher = Clients.start(sub("mqttv311", "watcher", 1, "-t", "wills/#"));
    Clients.awaitOutput(watcher, "SUBACK");
    Clients.Running client = Clients.start(sub("mqttv311", "mortal", 1, "-t", "nothing", "--will-topic",
        "wills/mortal", "--will-payload", "gone", "-W", "25"));
    Clients.awaitOutput(client, "SUBACK");
    // WHEN the client dies without DISCONNECT
    client.kill();
    // THEN the watcher receives the will
    assertThat(messages(watcher.await())).containsExactly("wills/mortal gone");
  }

  @Test
  void aNormalDisconnectDiscardsTheWill() {
    // GIVEN a watcher and a client with a will that disconnects normally after one message
    Clients.Running watcher = Clients.start(sub("mqttv311", "watcher2", 1, "-t", "wills2/#", "-W", "3"));
    Clients.awaitOutput(watcher, "SUBACK");
    Clients.Running client = Clients.start(sub("mqttv311", "polite", 1, "-t", "polite/in", "--will-topic",
        "wills2/polite", "--will-payload", "gone"));
    Clients.awaitOutput(client, "SUBACK");
    pub("mqttv311", "polite/in", "bye");
    assertThat(messages(client.await())).containsExactly("polite/in bye");
    // THEN no will arrives
    assertThat(messages(watcher.await())).isEmpty();
  }

  @Test
  void anonymousClientsCannotUseTheReservedZtoTree() {
    // GIVEN the development listener with anonymous access (any topic but the platform's zto/ tree)
    String port = String.valueOf(broker.plainPort());
    // WHEN an anonymous client subscribes to zto/# and publishes a forged provisioning answer (MQTT 5, QoS 1)
    Clients.Run subscribed = Clients.run("mosquitto_sub", "-h", "127.0.0.1", "-p", port, "-V", "mqttv5", "-i",
        "anon-zto-1", "-t", "zto/#", "-W", "3", "-d");
    Clients.Run forged = Clients.run("mosquitto_pub", "-h", "127.0.0.1", "-p", port, "-V", "mqttv5", "-i",
        "anon-zto-2", "-q", "1", "-d", "-t", "zto/v1/gw-1/provision/response", "-m", "{\"status\":\"provisioned\"}");
    // THEN both are refused with 0x87 (135), while other topics stay open to it
    assertThat(subscribed.out()).contains("Subscribed (mid: 1): 135");
    assertThat(forged.out()).contains("received PUBACK (Mid: 1, RC:135)");
    Clients.Run elsewhere = Clients.run("mosquitto_pub", "-h", "127.0.0.1", "-p", port, "-V", "mqttv5", "-i",
        "anon-zto-3", "-q", "1", "-d", "-t", "anything/else", "-m", "x");
    assertThat(elsewhere.out()).contains("received PUBACK (Mid: 1, RC:0)");
  }
}
