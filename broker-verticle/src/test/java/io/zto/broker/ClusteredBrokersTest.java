package io.zto.broker;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.zto.shared.bus.Addresses;
import io.zto.shared.bus.DeliverMessage;
import io.zto.shared.bus.RevocationEvent;
import io.zto.shared.domain.Device;
import io.zto.shared.pki.PlatformPki;
import io.zto.shared.testing.TestPki;
import io.zto.shared.testing.ThrowawayPostgres;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three clustered broker nodes in one JVM (each its own Vert.x and Hazelcast member on loopback) over one
 * PostgreSQL behave as one broker for real MQTT clients: delivery, retained messages, persistent sessions,
 * takeover, session ownership and revocation across nodes.
 */
class ClusteredBrokersTest {

  static final String DEVICE = "dev-roaming-1";
  static final String PASSWORD = "s3cret-roaming-password";

  @TempDir
  static Path dir;
  static TestCluster cluster;
  static OperationalDevices devices;

  @BeforeAll
  static void start() throws IOException {
    PlatformPki pki = TestPki.create(dir.resolve("data"));
    cluster = TestCluster.start(3, ThrowawayPostgres.newDatabase(), pki);
    TestCluster.Node a = cluster.node(0);
    devices = new OperationalDevices(pki, a.platform().db(), a.vertx(), dir);
    devices.create(DEVICE, Device.State.PROVISIONED, PASSWORD);
  }

  @AfterAll
  static void stop() {
    if (cluster != null) {
      cluster.close();
    }
  }

  private static List<String> plain(String tool, TestCluster.Node node, String... more) {
    List<String> command = new ArrayList<>(List.of("stdbuf", "-oL", tool, "-h", "127.0.0.1", "-p",
        String.valueOf(node.plainPort())));
    command.addAll(List.of(more));
    return command;
  }

  /** Publishes at QoS 1 on {@code node}; a null {@code message} is an empty one. */
  private static Clients.Run pub(TestCluster.Node node, String topic, String message, String... flags) {
    List<String> command = plain("mosquitto_pub", node, "-t", topic, "-q", "1");
    command.addAll(message == null ? List.of("-n") : List.of("-m", message));
    command.addAll(List.of(flags));
    Clients.Run run = Clients.run(command);
    assertThat(run.exit()).as(run.err()).isZero();
    return run;
  }

  /** The messages a fresh subscriber on {@code node} gets for {@code filter} within a second ("topic payload"). */
  private static List<String> retainedOn(TestCluster.Node node, String filter) {
    return Clients.run(plain("mosquitto_sub", node, "-t", filter, "-v", "-W", "1")).lines();
  }

  @Test
  void crossNodePublishIsDelivered() {
    TestCluster.Node a = cluster.node(0);
    TestCluster.Node b = cluster.node(1);
    // GIVEN a subscriber on node A
    Clients.Running sub = Clients.start(plain("mosquitto_sub", a, "-t", "cross/#", "-q", "1", "-v", "-d", "-W", "6"));
    Clients.awaitOutput(sub, "SUBACK");
    // WHEN a client on node B publishes, and the platform publishes through node B's event bus
    pub(b, "cross/client", "from-client");
    b.vertx().eventBus().publish(Addresses.BROKER_DELIVER, new DeliverMessage("cross/platform",
        Buffer.buffer("from-platform"), 1, false, new JsonObject()).toJson());
    // THEN the subscriber gets each message exactly once
    List<String> got = sub.await().lines().stream().filter(l -> l.startsWith("cross/")).toList();
    assertThat(got).containsExactlyInAnyOrder("cross/client from-client", "cross/platform from-platform");
  }

  @Test
  void sharedGroupDeliversOncePerNodeWithMembers() {
    TestCluster.Node a = cluster.node(0);
    TestCluster.Node b = cluster.node(1);
    TestCluster.Node c = cluster.node(2);
    // GIVEN two members of one shared group on node A and one on node B
    List<Clients.Running> onA = List.of(
        Clients.start(plain("mosquitto_sub", a, "-t", "$share/g/sh/#", "-q", "1", "-v", "-d", "-W", "6")),
        Clients.start(plain("mosquitto_sub", a, "-t", "$share/g/sh/#", "-q", "1", "-v", "-d", "-W", "6")));
    Clients.Running onB = Clients.start(plain("mosquitto_sub", b, "-t", "$share/g/sh/#", "-q", "1", "-v", "-d", "-W",
        "6"));
    onA.forEach(member -> Clients.awaitOutput(member, "SUBACK"));
    Clients.awaitOutput(onB, "SUBACK");
    // WHEN a message is published on node C
    pub(c, "sh/x", "one");
    // THEN each node gives it to one of its own members: one of A's two, and B's
    long onATotal = onA.stream().mapToLong(m -> m.await().lines().stream().filter("sh/x one"::equals).count()).sum();
    assertThat(onATotal).isEqualTo(1);
    assertThat(onB.await().lines()).filteredOn(l -> l.startsWith("sh/")).containsExactly("sh/x one");
  }

  @Test
  void retainedMessageSeenFromOtherNode() {
    TestCluster.Node a = cluster.node(0);
    TestCluster.Node b = cluster.node(1);
    TestCluster.Node c = cluster.node(2);
    // WHEN a retained message is set on node B, and the platform retains one through node C
    pub(b, "ret/state", "on", "-r");
    c.vertx().eventBus().publish(Addresses.BROKER_DELIVER, new DeliverMessage("ret/config",
        Buffer.buffer("v2"), 1, true, new JsonObject()).toJson());
    // THEN a new subscriber on node A gets both current values
    Clients.awaitTrue(() -> retainedOn(a, "ret/#").containsAll(List.of("ret/state on", "ret/config v2")),
        "retained messages of B and C seen on A");
    // WHEN node B clears the topic
    pub(b, "ret/state", null, "-r");
    // THEN a new subscriber on node A gets only what is still retained
    Clients.awaitTrue(() -> retainedOn(a, "ret/#").equals(List.of("ret/config v2")), "cleared retained message gone on A");
  }

  @Test
  void persistentSessionResumesOnOtherNode() {
    TestCluster.Node a = cluster.node(0);
    TestCluster.Node b = cluster.node(1);
    TestCluster.Node c = cluster.node(2);
    // GIVEN a persistent session subscribed to keep/# on node A, now offline
    Clients.Run first = Clients.python("mqtt5_client.py", "persist-phase1", "127.0.0.1",
        String.valueOf(a.plainPort())).await();
    assertThat(first.exit()).as(first.out() + first.err()).isZero();
    // AND two QoS 1 messages published on node C, queued once: by node A, which holds the session
    pub(c, "keep/a", "m0");
    pub(c, "keep/a", "m1");
    Clients.awaitTrue(() -> a.onBroker(() -> a.verticle().node().broker().session("keeper").window().waiting().size())
        == 2, "both messages queued on node A");
    assertThat(b.onBroker(() -> b.verticle().node().broker().session("keeper"))).isNull();
    assertThat(c.onBroker(() -> c.verticle().node().broker().session("keeper"))).isNull();
    // WHEN the client reconnects to node B without a clean start
    Clients.Run second = Clients.python("mqtt5_client.py", "persist-phase2", "127.0.0.1",
        String.valueOf(b.plainPort())).await();
    // THEN its session is present, with its subscription and both queued messages in order
    assertThat(second.exit()).as(second.out() + second.err()).isZero();
    JsonObject result = new JsonObject(second.lines().get(0));
    assertThat(result.getInteger("present")).isEqualTo(1);
    assertThat(result.getJsonArray("payloads").getList()).containsExactly("m0", "m1", "live");
    // AND node A handed the session over: only node B holds it
    assertThat(a.onBroker(() -> a.verticle().node().broker().session("keeper"))).isNull();
    assertThat(b.onBroker(() -> b.verticle().node().broker().session("keeper"))).isNotNull();
  }

  @Test
  void unacknowledgedMessageIsSentAgainOnOtherNode() {
    TestCluster.Node a = cluster.node(0);
    TestCluster.Node b = cluster.node(1);
    TestCluster.Node c = cluster.node(2);
    // GIVEN a 3.1.1 persistent session on node A that took a QoS 1 message from node C without acknowledging it
    Clients.Running raw = Clients.python("raw_client.py", "unacked", "127.0.0.1", String.valueOf(a.plainPort()),
        "infl/#");
    Clients.awaitOutput(raw, "suback");
    pub(c, "infl/x", "unacked");
    assertThat(raw.await().out()).contains("\"received\": \"unacked\"");
    Clients.awaitTrue(() -> a.onBroker(() -> {
      Session session = a.verticle().node().broker().session("raw-unacked");
      return session != null && !session.online();
    }), "session offline on node A");
    // WHEN the client resumes its session on node B
    Clients.Run resumed = Clients.run(plain("mosquitto_sub", b, "-i", "raw-unacked", "-c", "-q", "1", "-t", "infl/#",
        "-C", "1", "-W", "10", "-v"));
    // THEN node B sends the unacknowledged message again
    assertThat(resumed.lines()).containsExactly("infl/x unacked");
  }

  @Test
  void sessionsOfAStoppedNodeAreTakenOverByAnother() {
    TestCluster.Node a = cluster.node(0);
    TestCluster.Node b = cluster.node(1);
    // GIVEN a fourth node holding an offline persistent session subscribed to orphan/#
    TestCluster.Node d = cluster.addNode();
    Clients.Run first = Clients.python("mqtt5_client.py", "persist-phase1", "127.0.0.1",
        String.valueOf(d.plainPort()), "orphan", "orphan/#").await();
    assertThat(first.exit()).as(first.out() + first.err()).isZero();
    // WHEN that node stops
    cluster.stop(d);
    // THEN one of the others takes the session over from the store
    Clients.awaitTrue(() -> cluster.nodes.stream().filter(n -> n.onBroker(() ->
        n.verticle().node().broker().session("orphan")) != null).count() == 1, "session of the stopped node adopted once");
    // AND a message published meanwhile on node A is queued for it and delivered when it reconnects to node B
    pub(a, "orphan/x", "while-away");
    Clients.Run second = Clients.python("mqtt5_client.py", "persist-phase2", "127.0.0.1",
        String.valueOf(b.plainPort()), "orphan", "orphan/live", "1").await();
    assertThat(second.exit()).as(second.out() + second.err()).isZero();
    JsonObject result = new JsonObject(second.lines().get(0));
    assertThat(result.getInteger("present")).isEqualTo(1);
    assertThat(result.getJsonArray("payloads").getList()).containsExactly("while-away", "live");
  }

  @Test
  void takeoverAcrossNodesDropsOldConnection() {
    TestCluster.Node a = cluster.node(0);
    TestCluster.Node b = cluster.node(1);
    // GIVEN client "twin" connected to node A
    Clients.Running old = Clients.start(plain("mosquitto_sub", a, "-V", "mqttv5", "-i", "twin", "-t", "twin/#",
        "-d", "-W", "20"));
    Clients.awaitOutput(old, "SUBACK");
    // WHEN a client with the same id connects to node B
    Clients.Run other = Clients.run(plain("mosquitto_pub", b, "-V", "mqttv5", "-i", "twin", "-t", "else/x", "-m", "hi"));
    assertThat(other.exit()).as(other.err()).isZero();
    // THEN node A drops the old connection with DISCONNECT 0x8E = 142 (session taken over)
    Clients.Run ended = old.await();
    assertThat(ended.out()).contains("Received DISCONNECT (142)");
    assertThat(ended.err()).doesNotContain("Timed out");
    Clients.awaitTrue(() -> a.onBroker(() -> a.verticle().node().broker().session("twin")) == null,
        "old session gone from node A");
  }

  @Test
  void revocationOnOneNodeDropsSessionOnOther() {
    TestCluster.Node a = cluster.node(0);
    TestCluster.Node c = cluster.node(2);
    // GIVEN the device connected to node A's operational listener
    Clients.Running sub = Clients.start(devices.tls("mosquitto_sub", a.operationalPort(), DEVICE, "mqttv5", "-i",
        DEVICE, "-u", DEVICE, "-P", PASSWORD, "-t", "devices/" + DEVICE + "/commands/#", "-d", "-W", "25"));
    Clients.awaitOutput(sub, "SUBACK");
    // WHEN node C announces that the device is blocked
    long announced = System.nanoTime();
    c.vertx().eventBus().publish(Addresses.REVOCATION_EVENTS, new RevocationEvent(RevocationEvent.Kind.DEVICE,
        RevocationEvent.Action.BLOCKED, null, null, DEVICE, "disabled by operator", Instant.now()).toJson());
    // THEN node A has closed the device's connection within a second
    while (a.onBroker(() -> a.verticle().node().connections().stream()
        .anyMatch(conn -> DEVICE.equals(conn.identity().deviceId())))) {
      assertThat(System.nanoTime() - announced).as("connection still open on node A")
          .isLessThan(TimeUnit.SECONDS.toNanos(1));
      Thread.onSpinWait();
    }
    // AND told it why: DISCONNECT 0x98 = 152 (administrative action)
    Clients.Run ended = sub.await();
    assertThat(ended.out()).contains("Received DISCONNECT (152)");
  }

  @Test
  void aSessionHeldOnAnotherNodeIsNotResumedByAnotherIdentity() {
    TestCluster.Node a = cluster.node(0);
    TestCluster.Node b = cluster.node(1);
    TestCluster.Node c = cluster.node(2);
    // GIVEN the service account's persistent session "shared-worker" on node A, offline, subscribed to backend/jobs
    List<String> account = List.of("--cafile", devices.rootPem().toString(), "-V", "mqttv311", "-i", "shared-worker",
        "-u", TestCluster.ACCOUNT, "-P", TestCluster.ACCOUNT_PASSWORD, "-c", "-q", "1", "-t", "backend/jobs");
    List<String> first = new ArrayList<>(List.of("mosquitto_sub", "-h", "127.0.0.1", "-p",
        String.valueOf(a.operationalPort())));
    first.addAll(account);
    first.add("-E");
    Clients.Run subscribed = Clients.run(first);
    assertThat(subscribed.exit()).as(subscribed.err()).isZero();
    // AND a job queued for it
    pub(b, "backend/jobs", "job-across-nodes");
    // WHEN an anonymous client connects to node B with the same client id, asking for the session
    Clients.Run stolen = Clients.run(plain("mosquitto_sub", b, "-V", "mqttv311", "-i", "shared-worker", "-c", "-q", "1",
        "-t", "backend/jobs", "-C", "1", "-W", "5"));
    // THEN node B, which holds nothing, refuses it by the owner in the store: identifier rejected, nothing received
    assertThat(stolen.err()).contains("identifier rejected");
    assertThat(stolen.out()).doesNotContain("job-across-nodes");
    // AND the account resumes its session on node C with the job
    List<String> resume = new ArrayList<>(List.of("mosquitto_sub", "-h", "127.0.0.1", "-p",
        String.valueOf(c.operationalPort())));
    resume.addAll(account);
    resume.addAll(List.of("-C", "1", "-W", "10"));
    assertThat(Clients.run(resume).out().strip()).isEqualTo("job-across-nodes");
  }

  @Test
  void aRefusedClientIdDoesNotDisconnectItsOwnerOnAnotherNode() {
    TestCluster.Node a = cluster.node(0);
    TestCluster.Node b = cluster.node(1);
    // GIVEN the service account connected on node A with a persistent session "live-worker"
    Clients.Running owner = Clients.start(List.of("stdbuf", "-oL", "mosquitto_sub", "-h", "127.0.0.1", "-p",
        String.valueOf(a.operationalPort()), "--cafile", devices.rootPem().toString(), "-V", "mqttv311", "-i",
        "live-worker", "-u", TestCluster.ACCOUNT, "-P", TestCluster.ACCOUNT_PASSWORD, "-c", "-q", "1", "-t",
        "backend/live", "-C", "1", "-W", "20", "-d"));
    Clients.awaitOutput(owner, "SUBACK");
    // WHEN an anonymous client connects to node B with that client id
    Clients.Run stolen = Clients.run(plain("mosquitto_sub", b, "-V", "mqttv311", "-i", "live-worker", "-c", "-q", "1",
        "-t", "backend/live", "-W", "3"));
    // THEN it is refused before anything is taken: the owner's connection stays up (one CONNECT) and gets the next job
    assertThat(stolen.err()).contains("identifier rejected");
    pub(b, "backend/live", "still-mine");
    Clients.Run ended = owner.await();
    assertThat(ended.out()).contains("still-mine");
    assertThat(ended.out().split("sending CONNECT", -1)).hasSize(2);
  }
}
