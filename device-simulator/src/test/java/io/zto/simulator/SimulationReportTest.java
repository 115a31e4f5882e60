package io.zto.simulator;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The numbers behind the report (histograms, per-second counts, /metrics parsing) and the page itself. */
class SimulationReportTest {

  private static final long MS = 1_000_000L;

  @Test
  void percentilesComeFromTheRecordedDurations() {
    // GIVEN 1..100 ms recorded for the EST phase and 5 s once for the total
    Latencies latencies = new Latencies();
    for (int i = 1; i <= 100; i++) {
      latencies.record(Latencies.Phase.EST, i * MS);
    }
    latencies.record(Latencies.Phase.TOTAL, 5_000 * MS);
    // WHEN summarized
    JsonObject json = latencies.toJson();
    // THEN the percentiles are those of the data, within HdrHistogram's 3 significant digits
    JsonObject est = json.getJsonObject("est");
    assertThat(est.getLong("count")).isEqualTo(100);
    assertThat(est.getDouble("p50")).isBetween(49.9, 50.1);
    assertThat(est.getDouble("p95")).isBetween(94.9, 95.1);
    assertThat(est.getDouble("p99")).isBetween(98.9, 99.1);
    assertThat(est.getDouble("max")).isBetween(99.9, 100.1);
    assertThat(json.getJsonObject("total").getDouble("p99")).isBetween(4995.0, 5005.0);
    assertThat(latencies.p99Millis(Latencies.Phase.EST)).isBetween(98.9, 99.1);
    // AND phases nothing was recorded for are left out
    assertThat(json.containsKey("command")).isFalse();
    assertThat(latencies.p99Millis(Latencies.Phase.COMMAND)).isZero();
  }

  @Test
  void countsFallIntoTheSecondTheyHappenedIn() {
    // GIVEN a timeline started at t=0
    Timeline timeline = new Timeline(0);
    // WHEN 3 onboardings happen in second 0, none in second 1 and 2 in second 2
    timeline.count("onboarded", 100 * MS);
    timeline.count("onboarded", 900 * MS);
    timeline.count("onboarded", 999 * MS);
    timeline.count("onboarded", 2_000 * MS);
    timeline.count("onboarded", 2_500 * MS);
    // THEN the buckets say so, the peak is 3 and the rate over the 3 whole seconds before t=3 s is 5/3
    assertThat(timeline.toJson().getJsonObject("counts").getJsonArray("onboarded")).isEqualTo(new JsonArray().add(3L).add(0L).add(2L));
    assertThat(timeline.peak("onboarded")).isEqualTo(3);
    assertThat(timeline.ratePerSecond("onboarded", 3_000 * MS, 3)).isEqualTo(5 / 3.0);
    assertThat(timeline.peak("failed")).isZero();
  }

  @Test
  void serverCpuAndHeapAreReadFromPrometheusText() {
    // GIVEN a scrape as Micrometer's Prometheus registry writes it
    String text = """
        # HELP process_cpu_usage The "recent cpu usage" for the Java Virtual Machine process
        # TYPE process_cpu_usage gauge
        process_cpu_usage 0.4375
        # TYPE jvm_memory_used_bytes gauge
        jvm_memory_used_bytes{area="heap",id="G1 Eden Space"} 1.048576E7
        jvm_memory_used_bytes{area="heap",id="G1 Old Gen"} 2.097152E7
        jvm_memory_used_bytes{area="nonheap",id="Metaspace"} 9.9E7
        process_cpu_usage_total 12
        """;
    // WHEN parsed
    ServerMetrics metrics = ServerMetrics.parse(text);
    // THEN the CPU is the gauge's value and the heap is the sum of the heap pools only
    assertThat(metrics.cpu()).hasValue(0.4375);
    assertThat(metrics.heapBytes()).hasValue(3.145728E7);
    // AND a scrape without them gives nothing rather than zero
    assertThat(ServerMetrics.parse("up 1\n").cpu()).isEmpty();
    assertThat(ServerMetrics.parse("up 1\n").heapBytes()).isEmpty();
  }

  @Test
  void axisEndsAreRoundNumbersJustAboveTheData() {
    assertThat(SvgChart.niceCeiling(0)).isEqualTo(1);
    assertThat(SvgChart.niceCeiling(7)).isEqualTo(8);
    assertThat(SvgChart.niceCeiling(10)).isEqualTo(10);
    assertThat(SvgChart.niceCeiling(11)).isEqualTo(12);
    assertThat(SvgChart.niceCeiling(0.3)).isEqualTo(0.3);
    assertThat(SvgChart.niceCeiling(1106)).isEqualTo(1200);
    assertThat(SvgChart.niceCeiling(1234)).isEqualTo(1500);
    assertThat(SvgChart.niceCeiling(9001)).isEqualTo(10000);
  }

  @Test
  void reportHasTheChartsAndEscapesWhatDevicesAndServersSaid() {
    // GIVEN a result with onboardings over 3 s, four phases, a failure whose text holds markup, and server samples
    Latencies latencies = new Latencies();
    for (Latencies.Phase phase : List.of(Latencies.Phase.PROVISIONING, Latencies.Phase.EST, Latencies.Phase.CONNECT,
        Latencies.Phase.TOTAL)) {
      latencies.record(phase, 20 * MS);
    }
    Timeline timeline = new Timeline(0);
    timeline.count("onboarded", 500 * MS);
    timeline.count("onboarded", 1_500 * MS);
    timeline.gauge("server-cpu", 1_000 * MS, 0.5);
    timeline.gauge("server-heap", 1_000 * MS, 64.0 * 1024 * 1024);
    JsonObject result = new JsonObject().put("devices", 3).put("onboarded", 2).put("failed", 1).put("connectedAtEnd", 2)
        .put("onboardingSeconds", 1.5).put("onboardingsPerSecond", 1.3).put("peakPerSecond", 1)
        .put("options", new JsonObject().put("api", "http://127.0.0.1:8080"))
        .put("latency", latencies.toJson()).put("timeline", timeline.toJson())
        .put("failures", new JsonObject().put("EST answered 401: <script>alert(1)</script>", 4))
        .put("failedDevices", new JsonArray().add(new JsonObject().put("deviceId", "sim-000003").put("reason", "a<b")))
        .put("checks", new JsonArray().add(new JsonObject().put("name", "every device onboarded").put("passed", false)
            .put("detail", "2 of 3")));
    // WHEN rendered
    String html = HtmlReport.render(result);
    // THEN there are five inline charts: rate over time, latency bars, failures, CPU, heap; nothing is loaded
    assertThat(count(html, "<svg ")).isEqualTo(5);
    assertThat(html).doesNotContain("<script").doesNotContain("src=").doesNotContain("href=");
    assertThat(html).contains("&lt;script&gt;alert(1)&lt;/script&gt;").contains("sim-000003: a&lt;b");
    // AND the latency chart has one bar per phase and percentile (4 x 4), the failure chart one bar
    String latency = html.substring(html.indexOf("Onboarding latency per phase"), html.indexOf("</svg>",
        html.indexOf("Onboarding latency per phase")));
    assertThat(count(latency, "<rect class=\"bar\"")).isEqualTo(16);
    assertThat(html).contains("operational connect").contains("FAILED").contains("Server heap in use");
  }

  @Test
  void reportSaysWhenServerMetricsAreMissingAndNothingFailed() {
    JsonObject result = new JsonObject().put("devices", 1).put("onboarded", 1).put("failed", 0)
        .put("timeline", new Timeline(0).toJson()).put("latency", new JsonObject()).put("failures", new JsonObject());
    String html = HtmlReport.render(result);
    assertThat(html).contains("No attempt failed").contains("not reachable").contains("Nothing was timed");
  }

  private static int count(String text, String what) {
    Matcher matcher = Pattern.compile(Pattern.quote(what)).matcher(text);
    int n = 0;
    while (matcher.find()) {
      n++;
    }
    return n;
  }
}
