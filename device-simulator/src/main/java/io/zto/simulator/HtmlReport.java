package io.zto.simulator;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The simulation's report as one self-contained HTML page, rendered from the result JSON (so it can be
 * made again from a saved {@code result.json}): the summary, onboardings per second over time, latency
 * per phase (p50/p95/p99/max), failures by reason, and the server's CPU and heap when its metrics were
 * reachable. Charts are inline SVG; the page loads nothing.
 */
final class HtmlReport {

  static final String[] PHASES = {"provisioning", "est", "connect", "total"};

  private HtmlReport() {}

  static String render(JsonObject result) {
    StringBuilder html = new StringBuilder(64 * 1024);
    html.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>zto simulate: ")
        .append(result.getInteger("devices")).append(" devices</title>\n<style>")
        .append("body{font-family:sans-serif;margin:2em;max-width:60em;color:#222}")
        .append("table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;padding:.25em .6em;text-align:right}")
        .append("th{background:#f4f4f4}td.l,th.l{text-align:left}.fail{color:#b00}.ok{color:#070}")
        .append("svg.chart{display:block;margin:1em 0}</style></head><body>\n");
    summary(html, result);
    JsonObject timeline = result.getJsonObject("timeline", new JsonObject());
    JsonObject counts = timeline.getJsonObject("counts", new JsonObject());
    JsonObject gauges = timeline.getJsonObject("gauges", new JsonObject());
    html.append("<h2>Onboardings per second</h2>\n");
    html.append(SvgChart.lines("Devices per second, over the run", "seconds since the clock started", "per second",
        List.of(perSecond("onboarded", counts.getJsonArray("onboarded")), perSecond("failed attempts",
            counts.getJsonArray("failed")), perSecond("reconnected after revocation", counts.getJsonArray("reprovisioned")))));
    html.append("<h2>Latency per phase</h2>\n");
    latency(html, result.getJsonObject("latency", new JsonObject()));
    html.append("<h2>Failures by reason</h2>\n");
    failures(html, result.getJsonObject("failures", new JsonObject()), result.getJsonArray("failedDevices", new JsonArray()));
    html.append("<h2>Server and simulator</h2>\n");
    resources(html, gauges);
    html.append("<h2>Checks</h2>\n<table><tr><th class=\"l\">check</th><th class=\"l\">outcome</th><th class=\"l\">detail</th></tr>\n");
    for (Object item : result.getJsonArray("checks", new JsonArray())) {
      JsonObject check = (JsonObject) item;
      boolean passed = check.getBoolean("passed", false);
      html.append("<tr><td class=\"l\">").append(SvgChart.escape(check.getString("name"))).append("</td><td class=\"l ")
          .append(passed ? "ok\">passed" : "fail\">FAILED").append("</td><td class=\"l\">")
          .append(SvgChart.escape(check.getString("detail", ""))).append("</td></tr>\n");
    }
    html.append("</table>\n<h2>Options</h2>\n<pre>").append(SvgChart.escape(result.getJsonObject("options", new JsonObject())
        .encodePrettily())).append("</pre>\n</body></html>\n");
    return html.toString();
  }

  private static void summary(StringBuilder html, JsonObject result) {
    html.append("<h1>zto simulate: ").append(result.getInteger("devices")).append(" devices</h1>\n<p>")
        .append(SvgChart.escape(result.getString("startedAt", ""))).append(" against ")
        .append(SvgChart.escape(result.getJsonObject("options", new JsonObject()).getString("api", ""))).append("</p>\n");
    html.append("<table>\n");
    row(html, "onboarded", result.getValue("onboarded") + " of " + result.getValue("devices"));
    row(html, "failed devices", String.valueOf(result.getValue("failed")));
    row(html, "connected at the end", String.valueOf(result.getValue("connectedAtEnd")));
    row(html, "onboarding time", SvgChart.fmt(result.getDouble("onboardingSeconds", 0.0)) + " s");
    row(html, "onboardings per second (mean / peak second)", SvgChart.fmt(result.getDouble("onboardingsPerSecond", 0.0))
        + " / " + result.getValue("peakPerSecond"));
    JsonObject telemetry = result.getJsonObject("telemetry", new JsonObject());
    row(html, "telemetry samples acknowledged", String.valueOf(telemetry.getValue("sent", 0)));
    JsonObject commands = result.getJsonObject("commands");
    if (commands != null) {
      row(html, "commands answered", commands.getValue("answered") + " of " + commands.getValue("sent"));
    }
    JsonObject revocations = result.getJsonObject("revocations");
    if (revocations != null) {
      row(html, "revoked: dropped / connected again", revocations.getValue("dropped") + " / "
          + revocations.getValue("reconnected") + " of " + revocations.getValue("revoked"));
    }
    html.append("</table>\n");
  }

  private static void row(StringBuilder html, String name, String value) {
    html.append("<tr><th class=\"l\">").append(SvgChart.escape(name)).append("</th><td>").append(SvgChart.escape(value))
        .append("</td></tr>\n");
  }

  private static SvgChart.Series perSecond(String name, JsonArray buckets) {
    List<double[]> points = new ArrayList<>();
    if (buckets != null) {
      for (int i = 0; i < buckets.size(); i++) {
        points.add(new double[] {i + 0.5, buckets.getLong(i)});
      }
    }
    return new SvgChart.Series(name, points);
  }

  private static void latency(StringBuilder html, JsonObject latency) {
    List<String> labels = new ArrayList<>();
    List<JsonObject> phases = new ArrayList<>();
    for (String key : latency.fieldNames()) {
      phases.add(latency.getJsonObject(key));
      labels.add(latency.getJsonObject(key).getString("label"));
    }
    if (phases.isEmpty()) {
      html.append("<p>Nothing was timed: no device got past its first phase.</p>\n");
      return;
    }
    List<String> onboarding = new ArrayList<>();
    List<SvgChart.Bars> bars = new ArrayList<>();
    for (String percentile : new String[] {"p50", "p95", "p99", "max"}) {
      List<Double> values = new ArrayList<>();
      for (String key : PHASES) {
        JsonObject phase = latency.getJsonObject(key);
        if (phase != null) {
          values.add(phase.getDouble(percentile));
          if (percentile.equals("p50")) {
            onboarding.add(phase.getString("label"));
          }
        }
      }
      bars.add(new SvgChart.Bars(percentile, values.stream().mapToDouble(Double::doubleValue).toArray()));
    }
    html.append(SvgChart.groupedBars("Onboarding latency per phase", "ms", onboarding, bars));
    html.append("<table><tr><th class=\"l\">phase</th><th>count</th><th>p50 ms</th><th>p95 ms</th><th>p99 ms</th>")
        .append("<th>max ms</th><th>mean ms</th></tr>\n");
    for (int i = 0; i < phases.size(); i++) {
      JsonObject phase = phases.get(i);
      html.append("<tr><td class=\"l\">").append(SvgChart.escape(labels.get(i))).append("</td>");
      for (String field : new String[] {"count", "p50", "p95", "p99", "max", "mean"}) {
        html.append("<td>").append(SvgChart.fmt(phase.getDouble(field, 0.0))).append("</td>");
      }
      html.append("</tr>\n");
    }
    html.append("</table>\n");
  }

  private static void failures(StringBuilder html, JsonObject failures, JsonArray failedDevices) {
    if (failures.isEmpty()) {
      html.append("<p class=\"ok\">No attempt failed.</p>\n");
      return;
    }
    List<String> reasons = new ArrayList<>();
    List<Double> values = new ArrayList<>();
    failures.getMap().entrySet().stream()
        .sorted((a, b) -> Long.compare(((Number) b.getValue()).longValue(), ((Number) a.getValue()).longValue()))
        .forEach((Map.Entry<String, Object> entry) -> {
          reasons.add(entry.getKey());
          values.add(((Number) entry.getValue()).doubleValue());
        });
    html.append(SvgChart.horizontalBars("Failed attempts by reason (a device may retry and still onboard)", reasons,
        values.stream().mapToDouble(Double::doubleValue).toArray()));
    if (!failedDevices.isEmpty()) {
      html.append("<p class=\"fail\">Devices that never onboarded (first ").append(failedDevices.size()).append("):</p><ul>\n");
      for (Object item : failedDevices) {
        JsonObject device = (JsonObject) item;
        html.append("<li>").append(SvgChart.escape(device.getString("deviceId") + ": " + device.getString("reason")))
            .append("</li>\n");
      }
      html.append("</ul>\n");
    }
  }

  private static void resources(StringBuilder html, JsonObject gauges) {
    JsonArray serverCpu = gauges.getJsonArray("server-cpu");
    JsonArray simulatorCpu = gauges.getJsonArray("simulator-cpu");
    List<SvgChart.Series> cpu = new ArrayList<>();
    if (serverCpu != null) {
      cpu.add(new SvgChart.Series("server", points(serverCpu, 100)));
    }
    if (simulatorCpu != null) {
      cpu.add(new SvgChart.Series("simulator", points(simulatorCpu, 100)));
    }
    if (!cpu.isEmpty()) {
      html.append(SvgChart.lines("CPU of each process, % of the whole machine (all cores)", "seconds since the clock started",
          "% CPU", cpu));
    }
    JsonArray heap = gauges.getJsonArray("server-heap");
    if (heap != null) {
      html.append(SvgChart.lines("Server heap in use", "seconds since the clock started", "MiB",
          List.of(new SvgChart.Series("heap", points(heap, 1.0 / (1024 * 1024))))));
    } else {
      html.append("<p>The server's /metrics was not reachable (or not asked): no server CPU and heap.</p>\n");
    }
  }

  private static List<double[]> points(JsonArray pairs, double scale) {
    List<double[]> points = new ArrayList<>();
    for (int i = 0; i < pairs.size(); i++) {
      JsonArray pair = pairs.getJsonArray(i);
      points.add(new double[] {pair.getDouble(0), pair.getDouble(1) * scale});
    }
    return points;
  }
}
