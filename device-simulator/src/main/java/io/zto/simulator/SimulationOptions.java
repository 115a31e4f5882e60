package io.zto.simulator;

import io.vertx.core.json.JsonObject;
import io.zto.shared.config.Durations;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * What {@code zto simulate} does: how many devices, against which platform, how fast, and what it does
 * with them once they are connected. Parsed from the command line; every option is in {@link #USAGE}.
 */
public record SimulationOptions(String api, Path dataDir, String token, String provisioningUrl, int devices,
                                String prefix, int maxInFlight, double ramp, Duration telemetryInterval,
                                Duration hold, int commands, double revokePercent, int attempts, Path keys,
                                Path out, String metricsUrl, Duration timeout, String clientTlsEngine,
                                int eventLoops) {

  public static final String DEFAULT_API = "http://127.0.0.1:8080";
  public static final String DEFAULT_DATA_DIR = "zto-data";
  public static final String DEFAULT_PROVISIONING_URL = "mqtts://localhost:8884";
  public static final int DEFAULT_DEVICES = 100;
  public static final int DEFAULT_MAX_IN_FLIGHT = 64;
  public static final Duration DEFAULT_TELEMETRY_INTERVAL = Duration.ofSeconds(30);
  public static final Duration DEFAULT_HOLD = Duration.ofSeconds(10);
  public static final int DEFAULT_ATTEMPTS = 3;
  public static final String DEFAULT_OUT = "zto-simulation";
  public static final Duration DEFAULT_TIMEOUT = Duration.ofMinutes(30);
  public static final String DEFAULT_CLIENT_TLS_ENGINE = "jdk";

  static final String USAGE = """
      usage: zto simulate [options]
             zto simulate report RESULT.json [REPORT.html]   (the report again, from a saved result)
             zto simulate handshake-server --help | handshake-ceiling --help
        Registers N simulated devices through the bulk import (their LDevIDs are signed by a customer CA
        made for the run and registered as trust anchor), onboards them all (provisioning answer, EST
        enroll, operational connect) with bounded concurrency, keeps them connected sending telemetry,
        optionally sends commands and revokes a share, then writes result.json and report.html.
        Exit code 0 when every device onboarded (and every check asked for passed), 1 otherwise, 2 for
        a bad command line.

        --devices N             devices to simulate (default 100)
        --api URL               operator API base URL (default http://127.0.0.1:8080)
        --data-dir DIR          the platform's data dir: admin-token, provisioning-credentials.json,
                                root-ca.pem (default ./zto-data)
        --token TOKEN           operator API token (default: DIR/admin-token)
        --provisioning-url URL  provisioning listener (default mqtts://localhost:8884)
        --prefix TEXT           device id prefix (default sim-<time>-, unique per run)
        --max-in-flight N       devices onboarding at the same time (default 64)
        --ramp PER_SECOND       start at most this many devices per second (default 0: no limit)
        --attempts N            provisioning attempts per device before it counts as failed (default 3)
        --telemetry-interval D  time between a device's telemetry samples, 0 for none (default 30s)
        --hold D                keep everybody connected this long after the last onboarding (default 10s)
        --commands N            send a signed command to N devices through the API, await the answers
        --revoke-percent P      revoke the certificates of P % of the devices; check they are dropped and
                                re-provision (default 0)
        --keys FILE             device key pool: loaded if the file exists, else generated and saved there
                                (default: generated in memory before the clock starts)
        --out DIR               where result.json and report.html go (default ./zto-simulation)
        --metrics-url URL       the server's Prometheus /metrics for CPU and heap (default API/metrics;
                                none to skip)
        --timeout D             give up on devices not onboarded after this long (default 30m)
        --client-tls-engine E   the devices' TLS engine: jdk, openssl (BoringSSL) or auto (default jdk)
        --event-loops N         simulator event loops (default: the number of cores)
        Durations: 500ms, 30s, 5m, or a number of seconds.
      """;

  private static final Set<String> KNOWN = Set.of("devices", "api", "data-dir", "token", "provisioning-url", "prefix",
      "max-in-flight", "ramp", "attempts", "telemetry-interval", "hold", "commands", "revoke-percent", "keys", "out",
      "metrics-url", "timeout", "client-tls-engine", "event-loops");

  public SimulationOptions {
    check(devices >= 1, "--devices must be at least 1");
    check(maxInFlight >= 1, "--max-in-flight must be at least 1");
    check(ramp >= 0, "--ramp must not be negative");
    check(attempts >= 1, "--attempts must be at least 1");
    check(commands >= 0 && commands <= devices, "--commands must be between 0 and --devices");
    check(revokePercent >= 0 && revokePercent <= 100, "--revoke-percent must be between 0 and 100");
    check(eventLoops >= 1, "--event-loops must be at least 1");
    check(Set.of("jdk", "openssl", "auto").contains(clientTlsEngine), "--client-tls-engine must be jdk, openssl or auto");
    check(prefix.matches("[A-Za-z0-9._-]{1,40}"), "--prefix may hold only letters, digits, '.', '_' and '-' (1-40)");
  }

  /** Parses the command line; a bad option is an {@link IllegalArgumentException} that names it. */
  public static SimulationOptions parse(String[] args) {
    Map<String, String> o = FactoryTool.options(args);
    o.keySet().stream().filter(key -> !KNOWN.contains(key) && !"help".equals(key)).findFirst().ifPresent(key -> {
      throw new IllegalArgumentException("unknown option --" + key);
    });
    String api = o.getOrDefault("api", DEFAULT_API).replaceAll("/+$", "");
    return new SimulationOptions(api, Path.of(o.getOrDefault("data-dir", DEFAULT_DATA_DIR)), o.get("token"),
        o.getOrDefault("provisioning-url", DEFAULT_PROVISIONING_URL), integer(o, "devices", DEFAULT_DEVICES),
        o.getOrDefault("prefix", "sim-" + Long.toString(System.currentTimeMillis() / 1000, 36) + "-"),
        integer(o, "max-in-flight", DEFAULT_MAX_IN_FLIGHT), number(o, "ramp", 0),
        duration(o, "telemetry-interval", DEFAULT_TELEMETRY_INTERVAL), duration(o, "hold", DEFAULT_HOLD),
        integer(o, "commands", 0), number(o, "revoke-percent", 0), integer(o, "attempts", DEFAULT_ATTEMPTS),
        o.containsKey("keys") ? Path.of(o.get("keys")) : null, Path.of(o.getOrDefault("out", DEFAULT_OUT)),
        o.getOrDefault("metrics-url", api + "/metrics"), duration(o, "timeout", DEFAULT_TIMEOUT),
        o.getOrDefault("client-tls-engine", DEFAULT_CLIENT_TLS_ENGINE).toLowerCase(Locale.ROOT),
        integer(o, "event-loops", Runtime.getRuntime().availableProcessors()));
  }

  /** How many devices get their certificate revoked. */
  public int revoked() {
    return (int) Math.round(devices * revokePercent / 100.0);
  }

  /** True when the server's metrics are to be sampled. */
  public boolean sampleMetrics() {
    return !"none".equalsIgnoreCase(metricsUrl);
  }

  /** The options as the result file records them (no token). */
  public JsonObject toJson() {
    return new JsonObject().put("api", api).put("provisioningUrl", provisioningUrl).put("devices", devices)
        .put("prefix", prefix).put("maxInFlight", maxInFlight).put("ramp", ramp)
        .put("telemetryIntervalMs", telemetryInterval.toMillis()).put("holdMs", hold.toMillis())
        .put("commands", commands).put("revokePercent", revokePercent).put("attempts", attempts)
        .put("clientTlsEngine", clientTlsEngine).put("eventLoops", eventLoops);
  }

  static int integer(Map<String, String> options, String name, int otherwise) {
    String value = options.get(name);
    try {
      return value == null ? otherwise : Integer.parseInt(value.strip().replace("_", ""));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("--" + name + " must be a whole number, not '" + value + "'");
    }
  }

  static double number(Map<String, String> options, String name, double otherwise) {
    String value = options.get(name);
    try {
      return value == null ? otherwise : Double.parseDouble(value.strip());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("--" + name + " must be a number, not '" + value + "'");
    }
  }

  static Duration duration(Map<String, String> options, String name, Duration otherwise) {
    String value = options.get(name);
    if (value == null) {
      return otherwise;
    }
    if (value.strip().matches("\\d+")) {
      return Duration.ofSeconds(Long.parseLong(value.strip()));
    }
    try {
      return Durations.parse(value);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("--" + name + ": " + e.getMessage());
    }
  }

  private static void check(boolean condition, String message) {
    if (!condition) {
      throw new IllegalArgumentException(message);
    }
  }
}
