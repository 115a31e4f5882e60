package io.zto.deploy;

import io.netty.handler.codec.mqtt.MqttQoS;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.mqtt.MqttClient;
import io.vertx.mqtt.MqttClientOptions;
import io.zto.shared.testing.Await;
import io.zto.simulator.AgentOptions;
import io.zto.simulator.DeviceAgent;
import io.zto.simulator.Endpoints;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;

/**
 * Benchmark, not a test (runs only with {@code -Dzto.bench=true}, see {@code bench/cluster-bench.sh}): device
 * onboardings per second (provision, EST enroll, operational connect; 32 devices at a time, spread evenly over the
 * nodes) with 1, 2 and 3 nodes, each cluster fresh on its own PostgreSQL database; then, on the 3-node cluster, the
 * QoS 1 publish-to-delivery latency from a publisher on the subscriber's node and from one on another node.
 * Nodes, PostgreSQL and the device agents all share this machine's cores.
 */
@EnabledIfSystemProperty(named = "zto.bench", matches = "true")
class ClusterBenchIT {

  private static final int DEVICES = Integer.getInteger("zto.bench.devices", 150);
  private static final int IN_FLIGHT = 32;
  private static final int MESSAGES = 300;

  @TempDir
  Path tmp;

  @Test
  void onboardingRateByNodeCountAndCrossNodeLatency() throws Exception {
    StringBuilder report = new StringBuilder("cluster benchmark (" + Runtime.getRuntime().availableProcessors()
        + " cores shared by nodes, PostgreSQL and agents; " + DEVICES + " devices per run, " + IN_FLIGHT + " in flight)\n");
    double single = 0;
    for (int nodes = 1; nodes <= 3; nodes++) {
      Path dir = Files.createDirectories(tmp.resolve("nodes-" + nodes));
      try (ZtoCluster cluster = ZtoCluster.start(dir, Path.of("target", "it-logs", "ClusterBench-" + nodes), nodes)) {
        double rate = onboardingRate(cluster, dir);
        single = nodes == 1 ? rate : single;
        report.append(String.format(Locale.ROOT, "  %d node(s): %6.1f onboardings/s  (x%.2f of 1 node)%n", nodes, rate,
            rate / single));
        if (nodes == 3) {
          double[] same = latencies(cluster, 0, 0);
          double[] cross = latencies(cluster, 1, 0);
          report.append(String.format(Locale.ROOT, "  QoS 1 latency, same node : median %.2f ms, p99 %.2f ms%n",
              same[0], same[1]));
          report.append(String.format(Locale.ROOT, "  QoS 1 latency, cross node: median %.2f ms, p99 %.2f ms"
              + "  (median x%.2f of same node)%n", cross[0], cross[1], cross[0] / same[0]));
        }
      }
    }
    System.out.print(report);
    Files.writeString(Path.of("target", "cluster-bench.txt"), report);
  }

  private static double onboardingRate(ZtoCluster cluster, Path dir) throws Exception {
    Path factory = cluster.registeredDevices(dir, DEVICES, 0);
    Vertx devices = Vertx.vertx();
    List<DeviceAgent> agents = new ArrayList<>();
    try {
      Endpoints endpoints = cluster.endpoints();
      AgentOptions options = AgentOptions.defaults().withTelemetryInterval(Duration.ZERO).withMaxAttempts(0)
          .withBackoff(Duration.ofMillis(100), Duration.ofSeconds(1));
      Semaphore slots = new Semaphore(IN_FLIGHT);
      CountDownLatch done = new CountDownLatch(DEVICES);
      long start = System.nanoTime();
      for (int i = 0; i < DEVICES; i++) {
        slots.acquire();
        DeviceAgent agent = new DeviceAgent(devices, ZtoCluster.device(factory, i), options, endpoints.rotated(i), event -> { });
        agents.add(agent);
        agent.start().onComplete(ignored -> {
          slots.release();
          done.countDown();
        });
      }
      if (!done.await(10, TimeUnit.MINUTES)) {
        throw new AssertionError("devices did not onboard within 10 minutes");
      }
      return DEVICES / ((System.nanoTime() - start) / 1e9);
    } finally {
      agents.forEach(agent -> Await.result(agent.stop()));
      Await.result(devices.close());
    }
  }

  /** Median and p99 in ms of QoS 1 messages from a client on node {@code from} to a subscriber on node {@code to}. */
  private static double[] latencies(ZtoCluster cluster, int from, int to) throws Exception {
    Vertx vertx = Vertx.vertx();
    try {
      BlockingQueue<Long> arrivals = new ArrayBlockingQueue<>(MESSAGES);
      String topic = "bench/latency/" + from + "-" + to;
      MqttClient subscriber = MqttClient.create(vertx, new MqttClientOptions().setClientId("bench-sub-" + from));
      subscriber.publishHandler(message -> arrivals.add(System.nanoTime() - message.payload().getLong(0)));
      Await.result(subscriber.connect(cluster.plain(to), "127.0.0.1")
          .compose(ok -> subscriber.subscribe(topic, MqttQoS.AT_LEAST_ONCE.value())));
      MqttClient publisher = MqttClient.create(vertx, new MqttClientOptions().setClientId("bench-pub-" + from));
      Await.result(publisher.connect(cluster.plain(from), "127.0.0.1"));
      double[] millis = new double[MESSAGES];
      for (int i = 0; i < MESSAGES; i++) {
        // one at a time: the latency of a message, not of a queue
        Future<Integer> sent = publisher.publish(topic, Buffer.buffer().appendLong(System.nanoTime()),
            MqttQoS.AT_LEAST_ONCE, false, false);
        Long nanos = arrivals.poll(10, TimeUnit.SECONDS);
        if (nanos == null) {
          throw new AssertionError("message " + i + " from node " + from + " never reached node " + to);
        }
        Await.result(sent);
        millis[i] = nanos / 1e6;
      }
      Await.result(publisher.disconnect());
      Await.result(subscriber.disconnect());
      Arrays.sort(millis);
      return new double[] {millis[MESSAGES / 2], millis[(int) (MESSAGES * 0.99)]};
    } finally {
      Await.result(vertx.close());
    }
  }
}
