package io.zto.simulator;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Counts per second since the simulation's clock started (onboardings, failures, telemetry samples...)
 * and gauges sampled once a second (server CPU and heap, devices in flight). Safe from any thread.
 */
public final class Timeline {

  private final long startNanos;
  private final Map<String, List<Long>> counts = new LinkedHashMap<>();
  private final Map<String, List<double[]>> gauges = new LinkedHashMap<>();

  public Timeline(long startNanos) {
    this.startNanos = startNanos;
  }

  /** Adds one to {@code series} in the second that {@code nanos} (System.nanoTime) falls into. */
  public synchronized void count(String series, long nanos) {
    int second = (int) Math.max(0, (nanos - startNanos) / 1_000_000_000L);
    List<Long> buckets = counts.computeIfAbsent(series, key -> new ArrayList<>());
    while (buckets.size() <= second) {
      buckets.add(0L);
    }
    buckets.set(second, buckets.get(second) + 1);
  }

  /** Records a gauge value at {@code nanos}. */
  public synchronized void gauge(String series, long nanos, double value) {
    gauges.computeIfAbsent(series, key -> new ArrayList<>())
        .add(new double[] {(nanos - startNanos) / 1e9, value});
  }

  /** The count of {@code series} over the {@code seconds} whole seconds before {@code nanos}, per second. */
  public synchronized double ratePerSecond(String series, long nanos, int seconds) {
    List<Long> buckets = counts.getOrDefault(series, List.of());
    int now = (int) ((nanos - startNanos) / 1_000_000_000L);
    long sum = 0;
    int from = Math.max(0, now - seconds);
    for (int second = from; second < now && second < buckets.size(); second++) {
      sum += buckets.get(second);
    }
    return now - from == 0 ? 0 : sum / (double) (now - from);
  }

  /** The highest count of {@code series} in one second. */
  public synchronized long peak(String series) {
    return counts.getOrDefault(series, List.of()).stream().mapToLong(Long::longValue).max().orElse(0);
  }

  /** {@code {"counts": {series: [per second...]}, "gauges": {series: [[seconds, value]...]}}}. */
  public synchronized JsonObject toJson() {
    JsonObject countJson = new JsonObject();
    counts.forEach((series, buckets) -> countJson.put(series, new JsonArray(new ArrayList<>(buckets))));
    JsonObject gaugeJson = new JsonObject();
    gauges.forEach((series, points) -> {
      JsonArray array = new JsonArray();
      points.forEach(point -> array.add(new JsonArray().add(Math.round(point[0] * 10) / 10.0).add(point[1])));
      gaugeJson.put(series, array);
    });
    return new JsonObject().put("counts", countJson).put("gauges", gaugeJson);
  }
}
