package io.zto.simulator;

import java.util.OptionalDouble;

/**
 * The two figures the simulation report plots from the server's Prometheus text exposition
 * ({@code /metrics}): the process CPU usage (Micrometer's {@code process_cpu_usage}, 0..1 of all
 * cores) and the heap in use (the sum of {@code jvm_memory_used_bytes} with {@code area="heap"}).
 */
record ServerMetrics(OptionalDouble cpu, OptionalDouble heapBytes) {

  /** Reads the two figures from a scrape; either is empty when the text lacks it. */
  static ServerMetrics parse(String text) {
    Double cpu = null;
    Double heap = null;
    for (String line : text.split("\n")) {
      if (line.startsWith("#") || line.isBlank()) {
        continue;
      }
      String name = metricName(line);
      if ("process_cpu_usage".equals(name)) {
        cpu = value(line);
      } else if ("jvm_memory_used_bytes".equals(name) && line.contains("area=\"heap\"")) {
        Double value = value(line);
        if (value != null) {
          heap = (heap == null ? 0 : heap) + value;
        }
      }
    }
    return new ServerMetrics(cpu == null ? OptionalDouble.empty() : OptionalDouble.of(cpu),
        heap == null ? OptionalDouble.empty() : OptionalDouble.of(heap));
  }

  private static String metricName(String line) {
    int end = 0;
    while (end < line.length() && line.charAt(end) != '{' && line.charAt(end) != ' ') {
      end++;
    }
    return line.substring(0, end);
  }

  /** The sample value: the first field after the labels (a timestamp may follow). */
  private static Double value(String line) {
    int labelsEnd = line.lastIndexOf('}');
    String rest = line.substring(labelsEnd >= 0 ? labelsEnd + 1 : line.indexOf(' ')).strip();
    String number = rest.split("\\s+")[0];
    try {
      double value = Double.parseDouble(number);
      return Double.isNaN(value) ? null : value;
    } catch (NumberFormatException e) {
      return null;
    }
  }
}
