package io.zto.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import io.zto.shared.store.Database;
import io.zto.shared.store.DatabaseOptions;
import io.zto.shared.testing.Await;
import io.zto.simulator.AgentEvent;
import io.zto.simulator.AgentOptions;
import io.zto.simulator.DeviceAgent;
import io.zto.simulator.Endpoints;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A node lost under load: 500 devices onboard through three nodes (at most 32 at a time), one node is killed
 * with SIGKILL a third of the way through, and the agents carry on through the other two.
 */
// longer than the suite's default timeout: its own deadline of 10 minutes fails first, with a better message
@Timeout(value = 12, unit = TimeUnit.MINUTES)
class ClusterFaultIT {

  private static final int DEVICES = 500;
  private static final int IN_FLIGHT = 32;
  private static final int KILL_AFTER = DEVICES / 3;
  private static final int KILLED = 1;

  @TempDir
  Path tmp;

  private ZtoCluster cluster;
  private Vertx devices;
  private Process subscriber;
  private final List<DeviceAgent> agents = new ArrayList<>();

  @AfterEach
  void stop() throws InterruptedException {
    agents.forEach(agent -> Await.result(agent.stop()));
    if (subscriber != null) {
      subscriber.destroy();
    }
    if (devices != null) {
      Await.result(devices.close());
    }
    if (cluster != null) {
      cluster.close();
    }
  }

  @Test
  void whenANodeIsKilledDuringOnboardingEveryDeviceStillOnboardsExactlyOnceAndNoAcknowledgedMessageIsLost()
      throws Exception {
    // GIVEN three nodes, 500 registered devices, and a back end subscribed to all telemetry on node 0
    cluster = ZtoCluster.start(tmp, Path.of("target", "it-logs", "ClusterFaultIT"), 3);
    Path factory = cluster.registeredDevices(tmp, DEVICES, 0);
    Path received = tmp.resolve("telemetry.out");
    subscriber = new ProcessBuilder("stdbuf", "-oL", "mosquitto_sub", "-d", "-h", "127.0.0.1", "-p",
        Integer.toString(cluster.plain(0)), "-q", "1", "-t", "devices/+/telemetry", "-F", "%t")
        .redirectErrorStream(true).redirectOutput(received.toFile()).start();
    awaitContains(received, "SUBACK");
    // WHEN the devices onboard, each publishing one QoS 1 sample once connected, and node 1 is killed on the way
    devices = Vertx.vertx();
    Endpoints endpoints = cluster.endpoints();
    AgentOptions options = AgentOptions.defaults().withTelemetryInterval(Duration.ZERO).withMaxAttempts(0)
        .withBackoff(Duration.ofMillis(200), Duration.ofSeconds(2));
    Map<String, Set<String>> provisionedBy = new ConcurrentHashMap<>();
    Map<String, AtomicInteger> acknowledged = new ConcurrentHashMap<>();
    AtomicInteger onboarded = new AtomicInteger();
    CountDownLatch done = new CountDownLatch(DEVICES);
    Semaphore slots = new Semaphore(IN_FLIGHT);
    boolean killed = false;
    for (int i = 0; i < DEVICES; i++) {
      slots.acquire();
      if (!killed && onboarded.get() >= KILL_AFTER) {
        cluster.node(KILLED).kill();
        killed = true;
      }
      DeviceAgent agent = new DeviceAgent(devices, ZtoCluster.device(factory, i), options, endpoints.rotated(i), event -> {
        if (event.kind() == AgentEvent.Kind.PROVISIONED) {
          provisionedBy.computeIfAbsent(event.deviceId(), id -> ConcurrentHashMap.newKeySet()).add(event.detail());
        }
      });
      agents.add(agent);
      agent.start().onComplete(started -> {
        slots.release();
        onboarded.incrementAndGet();
        done.countDown();
        agent.publishTelemetry().onSuccess(acked ->
            acknowledged.computeIfAbsent(agent.deviceId(), id -> new AtomicInteger()).incrementAndGet());
      });
    }
    assertThat(done.await(10, TimeUnit.MINUTES)).as("all devices onboarded").isTrue();
    assertThat(killed).isTrue();
    // THEN every device is provisioned once (one requestId answered), with exactly one certificate, the one it holds
    Map<String, List<String>> certificates = certificatesByDevice();
    for (DeviceAgent agent : agents) {
      assertThat(provisionedBy.get(agent.deviceId())).as("requestIds provisioned for %s", agent.deviceId()).hasSize(1);
      assertThat(certificates.get(agent.deviceId())).as("certificates of %s", agent.deviceId())
          .containsExactly(agent.certificate().getSerialNumber().toString(16));
    }
    assertThat(certificates).hasSize(DEVICES);
    // AND every sample a broker acknowledged reached the back end on node 0
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    Map<String, Integer> missing;
    do {
      missing = missing(received, acknowledged);
      Thread.sleep(200);
    } while (!missing.isEmpty() && System.nanoTime() < deadline);
    assertThat(missing).as("acknowledged samples that never arrived, per device").isEmpty();
    assertThat(acknowledged).isNotEmpty();
  }

  /** Every certificate row, by device, read straight from the PostgreSQL the nodes share. */
  private Map<String, List<String>> certificatesByDevice() {
    Database db = Await.result(Database.open(devices, new DatabaseOptions().setUrl(cluster.dbUrl())));
    try {
      Map<String, List<String>> byDevice = new HashMap<>();
      for (Row row : Await.result(db.query("SELECT device_id, serial FROM certificates", Tuple.tuple()))) {
        byDevice.computeIfAbsent(row.getString("device_id"), id -> new ArrayList<>()).add(row.getString("serial"));
      }
      return byDevice;
    } finally {
      Await.result(db.close());
    }
  }

  /** Devices with fewer samples received than acknowledged, and how many are missing. */
  private static Map<String, Integer> missing(Path received, Map<String, AtomicInteger> acknowledged) throws Exception {
    Map<String, Integer> seen = new HashMap<>();
    for (String line : Files.readAllLines(received)) {
      if (line.startsWith("devices/")) {
        seen.merge(line.split("/")[1], 1, Integer::sum);
      }
    }
    Map<String, Integer> missing = new HashMap<>();
    acknowledged.forEach((device, count) -> {
      int gap = count.get() - seen.getOrDefault(device, 0);
      if (gap > 0) {
        missing.put(device, gap);
      }
    });
    return missing;
  }

  private static void awaitContains(Path file, String text) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
    while (!Files.exists(file) || !Files.readString(file).contains(text)) {
      assertThat(System.nanoTime()).as("'%s' in %s", text, file).isLessThan(deadline);
      Thread.sleep(50);
    }
  }
}
