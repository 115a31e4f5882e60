package io.zto.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.zto.shared.pki.KeyPairs;
import io.zto.shared.testing.Await;
import io.zto.simulator.AgentEvent;
import io.zto.simulator.AgentOptions;
import io.zto.simulator.DeviceAgent;
import io.zto.simulator.DeviceSteps;
import io.zto.simulator.Endpoints;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three zto.jar processes clustered on loopback over one PostgreSQL, with devices spread over them by their
 * agents (device i connects to node i first): what one node does reaches devices and clients on the others.
 * One cluster for the whole class (starting three JVMs is the expensive part); the last test kills a node.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ClusterIT {

  private static final Duration LEASE_TTL = Duration.ofSeconds(3);
  /** Devices run by agents, device i on node i first. */
  private static final int AGENTS = 3;
  /** Devices driven step by step by the idempotence tests, after the agents' ones. */
  private static final int STEPPED = 8;

  @TempDir
  static Path tmp;

  private ZtoCluster cluster;
  private Vertx devices;
  private Path factory;
  private final List<DeviceAgent> agents = new ArrayList<>();
  private final BlockingQueue<AgentEvent> events = new LinkedBlockingQueue<>();
  private final Map<Process, Path> outputs = new HashMap<>();

  @BeforeAll
  void startCluster() throws Exception {
    cluster = ZtoCluster.start(tmp, Path.of("target", "it-logs", "ClusterIT"), 3, "cluster.leaseTtl=" + LEASE_TTL.toSeconds() + "s");
    devices = Vertx.vertx();
  }

  @AfterAll
  void stopCluster() throws InterruptedException {
    agents.forEach(agent -> Await.result(agent.stop()));
    if (devices != null) {
      Await.result(devices.close());
    }
    if (cluster != null) {
      cluster.close();
    }
  }

  @Test
  @Order(1)
  void nodesStartedTogetherShareOneCaOneTokenAndOneCrlLeader() throws Exception {
    // GIVEN three nodes started at the same moment on empty data dirs and an empty database
    // THEN they agree on the root CA, the operator token and the provisioning credentials
    for (int i = 1; i < 3; i++) {
      assertThat(read(i, "root-ca.pem")).isEqualTo(read(0, "root-ca.pem"));
      assertThat(read(i, "admin-token")).isEqualTo(read(0, "admin-token"));
      assertThat(read(i, "provisioning-credentials.json")).isEqualTo(read(0, "provisioning-credentials.json"));
    }
    // AND exactly one of them renews CRLs, which every node names
    Set<String> leaders = new HashSet<>();
    int leading = 0;
    for (int i = 0; i < 3; i++) {
      JsonObject crl = cluster.component(i, "crl");
      leaders.add(crl.getString("leader"));
      leading += crl.getBoolean("isLeader") ? 1 : 0;
    }
    assertThat(leading).isEqualTo(1);
    assertThat(leaders).hasSize(1);
  }

  @Test
  @Order(2)
  void devicesOnDifferentNodesOnboardAndAnswerCommandsSentThroughAnotherNode() throws Exception {
    // GIVEN three registered devices, device i knowing node i first (and more for the tests driving steps)
    factory = cluster.registeredDevices(tmp, AGENTS + STEPPED, 2);
    // WHEN their agents start
    startAgents(factory, AGENTS);
    // THEN each node's broker holds one of them
    for (int i = 0; i < 3; i++) {
      assertThat(cluster.component(i, "broker").getInteger("connections")).as("connections on node %d", i).isEqualTo(1);
    }
    // AND a command created through the API of the next node reaches the device and its answer comes back
    for (int i = 0; i < 3; i++) {
      OperatorClient other = cluster.operator((i + 1) % 3);
      String id = OperatorClient.json(other.api("POST", "/api/v1/devices/" + agents.get(i).deviceId() + "/commands",
          "application/json", new JsonObject().put("name", "ping").encode())).getString("id");
      assertThat(other.awaitCommand(id).getString("status")).as("command to %s", agents.get(i).deviceId())
          .isEqualTo("completed");
    }
  }

  @Test
  @Order(3)
  void aMessagePublishedOnOneNodeReachesASubscriberOnAnother() throws Exception {
    // GIVEN mosquitto_sub subscribed on node 0
    Process subscriber = subscribe(0, "plant/line-1/#", "-C", "1");
    // WHEN mosquitto_pub publishes at QoS 1 on node 1
    assertThat(run("mosquitto_pub", "-h", "127.0.0.1", "-p", Integer.toString(cluster.plain(1)), "-q", "1",
        "-t", "plant/line-1/temp", "-m", "21.5")).isZero();
    // THEN the subscriber on node 0 receives it
    assertThat(output(subscriber)).contains("plant/line-1/temp 21.5");
  }

  @Test
  @Order(4)
  void revocationThroughNodeTwoDropsTheSessionOnNodeZeroWithinASecond() throws Exception {
    // GIVEN device 0 connected to node 0
    DeviceAgent device = agents.get(0);
    String serial = device.certificate().getSerialNumber().toString(16);
    events.clear();
    // WHEN its certificate is revoked through node 2's API
    assertThat(cluster.operator(2).api("POST", "/api/v1/certificates/" + serial + "/revoke", "application/json",
        new JsonObject().put("reason", "keyCompromise").encode()).statusCode()).isEqualTo(200);
    Instant revoked = Instant.now();
    // THEN node 0 drops it within a second of the revocation's answer
    AgentEvent dropped = awaitEvent(device.deviceId(), AgentEvent.Kind.DISCONNECTED);
    assertThat(Duration.between(revoked, dropped.at())).isLessThan(Duration.ofSeconds(1));
    // AND the device asks to provision again, which waits for an operator since the key was compromised
    awaitEvent(device.deviceId(), AgentEvent.Kind.REPROVISIONING);
    OperatorClient operator = cluster.operator(1);
    String pending = operator.awaitPending(device.deviceId());
    assertThat(OperatorClient.json(operator.api("GET", "/api/v1/devices/" + device.deviceId(), null, null))
        .getJsonObject("pending").getString("reason")).contains("revoked for keyCompromise");
    // AND once approved through node 1, the answer reaches it on node 0's provisioning listener and it comes
    // back with a new certificate
    assertThat(operator.api("POST", "/api/v1/provisioning-requests/" + pending + "/approve", null, null).statusCode())
        .isEqualTo(200);
    awaitEvent(device.deviceId(), AgentEvent.Kind.CONNECTED);
    assertThat(device.certificate().getSerialNumber().toString(16)).isNotEqualTo(serial);
  }

  /** Needs the broker's cross-node session resume (issue 8, broker part). */
  @Test
  @Order(5)
  void aPersistentSessionLeftOnOneNodeResumesOnAnotherWithWhatWasQueued() throws Exception {
    // GIVEN a client with a persistent session subscribed on node 0 and gone
    String client = "resume-" + System.nanoTime();
    assertThat(run("mosquitto_sub", "-h", "127.0.0.1", "-p", Integer.toString(cluster.plain(0)), "-V", "mqttv311",
        "-i", client, "-c", "-q", "1", "-t", "fleet/notices", "-E")).isZero();
    // WHEN a QoS 1 message is published on node 1 while it is away
    assertThat(run("mosquitto_pub", "-h", "127.0.0.1", "-p", Integer.toString(cluster.plain(1)), "-q", "1",
        "-t", "fleet/notices", "-m", "queued-while-away")).isZero();
    // THEN reconnecting to node 2 with the same client id resumes the session and delivers it
    Process resumed = start("mosquitto_sub", "-h", "127.0.0.1", "-p", Integer.toString(cluster.plain(2)), "-V", "mqttv311",
        "-i", client, "-c", "-q", "1", "-t", "fleet/notices", "-C", "1", "-W", "15");
    assertThat(output(resumed)).contains("queued-while-away");
  }

  @Test
  @Order(6)
  void aRepeatedRequestIdIsAnsweredTheSameOnAnotherNode() throws Exception {
    // GIVEN a registered device that asked node 0's provisioning listener with a requestId and got its answer
    Endpoints endpoints = cluster.endpoints();
    DeviceSteps device = steps(0);
    String requestId = UUID.randomUUID().toString();
    JsonObject first = Await.result(device.provision(endpoints.provisioning().get(0), requestId));
    assertThat(first.getString("status")).as(first.encode()).isEqualTo("provisioned");
    // WHEN it asks node 1's provisioning listener with the same requestId (it lost the answer, then the node)
    JsonObject again = Await.result(device.provision(endpoints.provisioning().get(1), requestId));
    // THEN node 1 answers the same, secrets included: the same EST challenge and MQTT password
    JsonObject config = first.getJsonObject("config");
    assertThat(again.getJsonObject("config").getJsonObject("est").getString("challengePassword"))
        .isEqualTo(config.getJsonObject("est").getString("challengePassword"));
    assertThat(again.getJsonObject("config").getJsonObject("mqtt").getString("password"))
        .isEqualTo(config.getJsonObject("mqtt").getString("password"));
    assertThat(again).isEqualTo(first);
    // AND one provisioning is recorded: one request of the device, counted once by its enrollment
    OperatorClient operator = cluster.operator(2);
    assertThat(requestsOf(operator, device.deviceId())).extracting(request -> request.getString("requestId"))
        .containsExactly(requestId);
    String enrollment = OperatorClient.json(operator.api("GET", "/api/v1/devices/" + device.deviceId(), null, null))
        .getString("enrollmentId");
    assertThat(OperatorClient.json(operator.api("GET", "/api/v1/enrollments/" + enrollment, null, null))
        .getInteger("provisionCount")).isEqualTo(1);
  }

  @Test
  @Order(7)
  void aChallengeIsSingleUseAcrossNodes() throws Exception {
    // GIVEN a device provisioned through node 0, holding its one-time EST challenge
    Endpoints endpoints = cluster.endpoints();
    DeviceSteps device = steps(1);
    JsonObject config = Await.result(device.provision(endpoints.provisioning().get(0), UUID.randomUUID().toString()))
        .getJsonObject("config");
    // AND enrolled with it at node 0's EST
    KeyPair keys = KeyPairs.ecP256();
    X509Certificate issued = Await.result(device.enroll(endpoints.est().get(0), config, keys));
    // WHEN a CSR for another key with the same challenge goes to node 1's EST
    Throwable refused = Await.failure(device.enroll(endpoints.est().get(1), config, KeyPairs.ecP256()));
    // THEN node 1 refuses it as used, and audits the refusal
    assertThat(refused).hasMessageContaining("answered 403").hasMessageContaining("already used");
    OperatorClient operator = cluster.operator(2);
    assertThat(audit(operator, device.deviceId(), "est.simpleenroll", "refused"))
        .anySatisfy(event -> assertThat(event.getString("reason")).contains("already used"));
    // AND a retry with the first key (its answer lost) on node 2 gets the certificate issued before
    X509Certificate retried = Await.result(device.enroll(endpoints.est().get(2), config, keys));
    assertThat(retried.getSerialNumber()).isEqualTo(issued.getSerialNumber());
    // AND the platform holds exactly that one certificate for the device
    assertThat(certificates(operator, "?deviceId=" + device.deviceId()))
        .extracting(certificate -> certificate.getString("serial"))
        .containsExactly(issued.getSerialNumber().toString(16));
  }

  @Test
  @Order(8)
  void serialsAreUniqueAcrossNodes() throws Exception {
    // GIVEN six devices, each provisioned through node i and enrolling at node i + 1
    Endpoints endpoints = cluster.endpoints();
    int count = STEPPED - 2;
    List<Future<JsonObject>> provisioned = new ArrayList<>();
    List<DeviceSteps> fleet = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      fleet.add(steps(2 + i));
      provisioned.add(fleet.get(i).provision(endpoints.provisioning().get(i % 3), UUID.randomUUID().toString()));
    }
    List<KeyPair> keys = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      keys.add(KeyPairs.ecP256());
    }
    // WHEN they enroll at the same time
    List<Future<X509Certificate>> enrolled = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      int device = i;
      enrolled.add(provisioned.get(i).compose(answer -> fleet.get(device)
          .enroll(endpoints.est().get((device + 1) % 3), answer.getJsonObject("config"), keys.get(device))));
    }
    Await.result(Future.all(enrolled));
    // THEN each got its own serial
    Set<String> serials = new HashSet<>();
    for (Future<X509Certificate> certificate : enrolled) {
      serials.add(certificate.result().getSerialNumber().toString(16));
    }
    assertThat(serials).hasSize(count);
    // AND every certificate the cluster issued so far has a serial of its own
    List<String> listed = certificates(cluster.operator(1), "").stream().map(c -> c.getString("serial")).toList();
    assertThat(listed).doesNotHaveDuplicates().containsAll(serials);
  }

  @Test
  @Order(9)
  void aCommandIsCompletedOnceAcrossNodes() throws Exception {
    // GIVEN the device whose agent connected to node 1
    DeviceAgent agent = agents.get(1);
    String deviceId = agent.deviceId();
    // WHEN a command is created through node 0's API
    String id = OperatorClient.json(cluster.operator(0).api("POST", "/api/v1/devices/" + deviceId + "/commands",
        "application/json", new JsonObject().put("name", "ping").encode())).getString("id");
    // THEN the device's reply through node 1 completes it, which node 2 shows
    JsonObject completed = cluster.operator(2).awaitCommand(id);
    assertThat(completed.getString("status")).isEqualTo("completed");
    // WHEN the device, now on node 2, replies again with another outcome
    Await.result(agent.stop());
    Await.result(new DeviceSteps(devices, ZtoCluster.device(factory, 1)).publish(cluster.endpoints().mqtt().get(2),
        agent.config(), agent.certificate(), agent.privateKey(), "devices/" + deviceId + "/commands/" + id + "/reply",
        new JsonObject().put("status", "failed").put("result", "a second reply").toBuffer()));
    // THEN that reply is refused once, as one to a finished command (one node recorded each reply)
    OperatorClient operator = cluster.operator(0);
    List<JsonObject> refusals = awaitRefusedReplies(operator, deviceId, id);
    assertThat(refusals).hasSize(1);
    assertThat(refusals.get(0).getString("reason")).contains("already finished");
    // AND every node shows the command as the first reply left it
    for (int i = 0; i < 3; i++) {
      assertThat(OperatorClient.json(cluster.operator(i).api("GET", "/api/v1/commands/" + id, null, null)))
          .as("command on node %d", i).isEqualTo(completed);
    }
  }

  @Test
  @Order(10)
  void whenTheCrlLeaderIsKilledAnotherNodeTakesOverWithinItsLease() throws Exception {
    // GIVEN the node that leads CRL renewal
    int leader = -1;
    for (int i = 0; i < 3; i++) {
      if (cluster.component(i, "crl").getBoolean("isLeader")) {
        leader = i;
      }
    }
    assertThat(leader).isNotNegative();
    String killed = cluster.health(leader).getString("node");
    // WHEN it is killed with SIGKILL (no goodbye, the lease is left to expire)
    long start = System.nanoTime();
    cluster.node(leader).kill();
    // THEN one of the others leads within the lease plus one renewal interval (and some scheduling slack)
    Duration bound = LEASE_TTL.plus(LEASE_TTL.dividedBy(3)).plusSeconds(2);
    String next = null;
    while (next == null && System.nanoTime() - start < bound.toNanos()) {
      for (int i = 0; i < 3; i++) {
        if (i != leader && cluster.component(i, "crl").getBoolean("isLeader")) {
          next = cluster.health(i).getString("node");
        }
      }
      Thread.sleep(100);
    }
    assertThat(next).as("a new CRL leader within %s", bound).isNotNull().isNotEqualTo(killed);
  }

  /** Step-by-step access to the {@code index}-th device registered after the agents' ones. */
  private DeviceSteps steps(int index) {
    return new DeviceSteps(devices, ZtoCluster.device(factory, AGENTS + index));
  }

  private static List<JsonObject> requestsOf(OperatorClient operator, String deviceId) throws Exception {
    return items(operator, "/api/v1/provisioning-requests?limit=500").stream()
        .filter(request -> deviceId.equals(request.getString("deviceId"))).toList();
  }

  private static List<JsonObject> certificates(OperatorClient operator, String query) throws Exception {
    return items(operator, "/api/v1/certificates" + (query.isEmpty() ? "?" : query + "&") + "limit=500");
  }

  private static List<JsonObject> audit(OperatorClient operator, String subject, String action, String outcome)
      throws Exception {
    return items(operator, "/api/v1/audit?limit=500&subject=" + subject + "&action=" + action + "&outcome=" + outcome);
  }

  /** The refused replies to command {@code id}, once there is one (within 15 s). */
  private static List<JsonObject> awaitRefusedReplies(OperatorClient operator, String deviceId, String id)
      throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
    while (true) {
      List<JsonObject> refusals = audit(operator, deviceId, "command.reply", "refused").stream()
          .filter(event -> id.equals(event.getJsonObject("details", new JsonObject()).getString("commandId"))).toList();
      if (!refusals.isEmpty() || System.nanoTime() > deadline) {
        return refusals;
      }
      Thread.sleep(100);
    }
  }

  /** The items of one page of a list endpoint, as objects; the page must be the last one. */
  private static List<JsonObject> items(OperatorClient operator, String path) throws Exception {
    JsonObject page = OperatorClient.json(operator.api("GET", path, null, null));
    assertThat(page.getString("nextCursor")).as("one page of %s", path).isNull();
    JsonArray items = page.getJsonArray("items");
    List<JsonObject> out = new ArrayList<>();
    for (int i = 0; i < items.size(); i++) {
      out.add(items.getJsonObject(i));
    }
    return out;
  }

  private void startAgents(Path factory, int count) {
    Endpoints endpoints = cluster.endpoints();
    AgentOptions options = AgentOptions.defaults().withTelemetryInterval(Duration.ZERO).withMaxAttempts(5)
        .withBackoff(Duration.ofMillis(200), Duration.ofSeconds(2));
    for (int i = 0; i < count; i++) {
      agents.add(new DeviceAgent(devices, ZtoCluster.device(factory, i), options, endpoints.rotated(i), event -> {
        System.out.println("agent event: " + event); // in the failsafe output, for a failure in CI
        events.add(event);
      }));
    }
    agents.forEach(agent -> Await.result(agent.start()));
  }

  private AgentEvent awaitEvent(String deviceId, AgentEvent.Kind kind) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (System.nanoTime() < deadline) {
      AgentEvent event = events.poll(1, TimeUnit.SECONDS);
      if (event != null && event.deviceId().equals(deviceId) && event.kind() == kind) {
        return event;
      }
    }
    throw new AssertionError(deviceId + " never reported " + kind);
  }

  private String read(int node, String file) throws IOException {
    return Files.readString(cluster.node(node).dataDir().resolve(file));
  }

  /**
   * mosquitto_sub on node {@code node}, printing "topic payload", once it has its SUBACK (line-buffered: a file
   * gets stdio's full buffering, and the SUBACK would show only when it exits).
   */
  private Process subscribe(int node, String filter, String... extra) throws Exception {
    List<String> command = new ArrayList<>(List.of("stdbuf", "-oL", "mosquitto_sub", "-d", "-h", "127.0.0.1", "-p",
        Integer.toString(cluster.plain(node)), "-q", "1", "-t", filter, "-F", "%t %p", "-W", "15"));
    command.addAll(List.of(extra));
    Process process = start(command.toArray(String[]::new));
    Path out = outputFile(process);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
    while (!Files.readString(out).contains("SUBACK")) {
      assertThat(System.nanoTime()).as("mosquitto_sub subscribed").isLessThan(deadline);
      Thread.sleep(50);
    }
    return process;
  }


  private Process start(String... command) throws IOException {
    Path out = Files.createTempFile(tmp, "client", ".out");
    Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(out.toFile()).start();
    outputs.put(process, out);
    return process;
  }

  private Path outputFile(Process process) {
    return outputs.get(process);
  }

  private String output(Process process) throws Exception {
    if (!process.waitFor(20, TimeUnit.SECONDS)) {
      process.destroyForcibly();
    }
    return Files.readString(outputFile(process));
  }

  private int run(String... command) throws Exception {
    Process process = start(command);
    if (!process.waitFor(20, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      throw new AssertionError(String.join(" ", command) + " did not finish: " + output(process));
    }
    return process.exitValue();
  }
}
