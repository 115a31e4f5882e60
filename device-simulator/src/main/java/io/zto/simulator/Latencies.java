package io.zto.simulator;

import io.vertx.core.json.JsonObject;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;

/**
 * Latency per phase of the fleet simulation, in HdrHistograms (microsecond resolution, 3 significant
 * digits, up to an hour). Safe to record into from any thread.
 */
public final class Latencies {

  /** What is timed. */
  public enum Phase {
    PROVISIONING("provisioning answer"),
    EST("EST enroll"),
    CONNECT("operational connect"),
    TOTAL("onboarding total"),
    COMMAND("command answered"),
    REVOCATION_DROP("revoked → dropped"),
    REPROVISION("revoked → connected again");

    private final String label;

    Phase(String label) {
      this.label = label;
    }

    public String label() {
      return label;
    }

    /** The key in the result file. */
    public String key() {
      return name().toLowerCase().replace('_', '-');
    }
  }

  private static final long HIGHEST_MICROS = TimeUnit.HOURS.toMicros(1);

  private final Map<Phase, Histogram> histograms = new EnumMap<>(Phase.class);

  public Latencies() {
    for (Phase phase : Phase.values()) {
      histograms.put(phase, new Histogram(HIGHEST_MICROS, 3));
    }
  }

  /** Records one duration; longer than an hour counts as an hour. */
  public synchronized void record(Phase phase, long nanos) {
    histograms.get(phase).recordValue(Math.max(0, Math.min(HIGHEST_MICROS, nanos / 1_000)));
  }

  /** The 99th percentile in milliseconds, 0 when nothing was recorded. */
  public synchronized double p99Millis(Phase phase) {
    Histogram histogram = histograms.get(phase);
    return histogram.getTotalCount() == 0 ? 0 : histogram.getValueAtPercentile(99) / 1000.0;
  }

  public synchronized long count(Phase phase) {
    return histograms.get(phase).getTotalCount();
  }

  /**
   * Per recorded phase: {@code count}, {@code p50}, {@code p95}, {@code p99}, {@code max}, {@code mean}
   * in milliseconds, and {@code label}; phases with nothing recorded are left out.
   */
  public synchronized JsonObject toJson() {
    JsonObject json = new JsonObject();
    histograms.forEach((phase, histogram) -> {
      if (histogram.getTotalCount() > 0) {
        json.put(phase.key(), new JsonObject().put("label", phase.label()).put("count", histogram.getTotalCount())
            .put("p50", millis(histogram.getValueAtPercentile(50))).put("p95", millis(histogram.getValueAtPercentile(95)))
            .put("p99", millis(histogram.getValueAtPercentile(99))).put("max", millis(histogram.getMaxValue()))
            .put("mean", Math.round(histogram.getMean()) / 1000.0));
      }
    });
    return json;
  }

  private static double millis(long micros) {
    return micros / 1000.0;
  }
}
