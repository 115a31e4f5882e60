package io.zto.broker;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Persistent sessions and retained messages survive a restart of the broker verticle on the same database. */
class PersistenceTest {

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

  private static Clients.Run pub(String topic, String message, String... flags) {
    List<String> command = new java.util.ArrayList<>(List.of("mosquitto_pub", "-h", "127.0.0.1", "-p",
        String.valueOf(broker.plainPort()), "-t", topic, "-m", message, "-q", "1"));
    command.addAll(List.of(flags));
    return Clients.run(command);
  }

  @Test
  void queuedMessagesSubscriptionsAndRetainedMessagesSurviveARestart() {
    // GIVEN an offline persistent session subscribed to keep/#, two messages queued for it, a retained message
    Clients.Run first = Clients.python("mqtt5_client.py", "persist-phase1", "127.0.0.1",
        String.valueOf(broker.plainPort())).await();
    assertThat(first.exit()).as(first.out() + first.err()).isZero();
    pub("keep/a", "m0");
    pub("keep/a", "m1");
    pub("kept/r", "still here", "-r");
    // WHEN the broker restarts
    broker.restart();
    // THEN the session is present with its subscription and both messages in order
    Clients.Run second = Clients.python("mqtt5_client.py", "persist-phase2", "127.0.0.1",
        String.valueOf(broker.plainPort())).await();
    assertThat(second.exit()).as(second.out() + second.err()).isZero();
    JsonObject result = new JsonObject(second.lines().get(0));
    assertThat(result.getInteger("present")).isEqualTo(1);
    assertThat(result.getJsonArray("payloads").getList()).containsExactly("m0", "m1", "live");
    // AND the retained message is still there for a new subscriber
    Clients.Run retained = Clients.run("mosquitto_sub", "-h", "127.0.0.1", "-p", String.valueOf(broker.plainPort()),
        "-t", "kept/#", "-C", "1", "-W", "10", "-v");
    assertThat(retained.out().strip()).isEqualTo("kept/r still here");
  }
}
