package io.zto.simulator;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.zto.shared.files.SecureFiles;
import io.zto.shared.pki.FactoryCa;
import io.zto.shared.pki.Pem;
import io.zto.shared.pki.Serials;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.IntStream;

/**
 * {@code zto simulate}: a fleet of device agents in one JVM on one Vert.x instance (no thread per
 * device), onboarded against a running platform with bounded concurrency, measured phase by phase.
 *
 * <p>Before the clock starts it makes the key pool, a customer CA and one LDevID per device, registers
 * the CA as trust anchor and imports the enrollments. Then it starts devices (at most
 * {@code --max-in-flight} onboarding at once, at most {@code --ramp} new ones per second), follows each
 * through its agent's events (provisioning answer, EST enroll, operational connect), optionally sends
 * commands and revokes a share, keeps everybody connected for {@code --hold}, checks the platform's
 * view, and writes {@code result.json} and {@code report.html}.
 */
public final class Simulator {

  static final int IMPORT_CHUNK = 2_000;
  static final int FAILED_DEVICES_LISTED = 100;
  /** How long a set-up step (import, API calls, client start) may take before the run is given up. */
  private static final Duration SETUP_TIMEOUT = Duration.ofMinutes(10);
  static final Duration AFTERMATH_TIMEOUT = Duration.ofMinutes(3);
  static final int METRICS_ATTEMPTS = 10;

  private final SimulationOptions options;
  private final PrintStream out;
  private final ProgressLine progress;
  private final Latencies latencies = new Latencies();
  private final Map<String, Long> failures = new TreeMap<>();
  private final AtomicLong telemetry = new AtomicLong();
  private final AtomicLong unexpectedDrops = new AtomicLong();
  private final List<Context> lanes = new CopyOnWriteArrayList<>();
  private final CompletableFuture<Void> allDone = new CompletableFuture<>();
  private final JsonObject preparation = new JsonObject();
  private Vertx vertx;
  private PlatformApi api;
  private KeyPool keys;
  private SimulatedDevice[] devices;
  private Timeline timeline;
  private long clockStart;
  private long lastOnboardedNanos;
  private int nextIndex;
  private boolean launching = true;
  private int inFlight;
  private int onboarded;
  private int failed;
  private volatile String stage = "onboarding";
  private final AtomicInteger metricsFailures = new AtomicInteger();

  Simulator(SimulationOptions options, PrintStream out, boolean terminal) {
    this.options = options;
    this.out = out;
    this.progress = new ProgressLine(out, terminal);
  }

  /** Runs the command; returns the process exit code. */
  public static int run(String[] args, PrintStream out, PrintStream err) {
    if (args.length > 0 && ("handshake-server".equals(args[0]) || "handshake-ceiling".equals(args[0]))) {
      return HandshakeCeiling.run(args[0], Arrays.copyOfRange(args, 1, args.length), out, err);
    }
    if (args.length > 0 && "report".equals(args[0])) {
      return report(Arrays.copyOfRange(args, 1, args.length), out, err);
    }
    SimulationOptions options;
    try {
      options = SimulationOptions.parse(args);
    } catch (IllegalArgumentException e) {
      err.println("zto simulate: " + e.getMessage());
      err.print(SimulationOptions.USAGE);
      return 2;
    }
    if (Arrays.asList(args).contains("--help") || Arrays.asList(args).contains("-h")) {
      out.print(SimulationOptions.USAGE);
      return 0;
    }
    try {
      JsonObject result = new Simulator(options, out, System.console() != null).simulate();
      return result.getBoolean("passed") ? 0 : 1;
    } catch (RuntimeException e) {
      err.println("zto simulate: " + e.getMessage());
      return 1;
    }
  }

  /** {@code zto simulate report RESULT.json [REPORT.html]}: the report made again from a saved result. */
  static int report(String[] args, PrintStream out, PrintStream err) {
    if (args.length < 1 || args.length > 2 || args[0].startsWith("-")) {
      err.println("usage: zto simulate report RESULT.json [REPORT.html]");
      return 2;
    }
    Path result = Path.of(args[0]);
    Path html = args.length == 2 ? Path.of(args[1]) : result.resolveSibling("report.html");
    try {
      SecureFiles.writeAtomically(html, HtmlReport.render(new JsonObject(SecureFiles.readString(result))));
      out.println("zto simulate: wrote " + html);
      return 0;
    } catch (RuntimeException e) {
      err.println("zto simulate report: " + e.getMessage());
      return 1;
    }
  }

  /** The whole run; the result as written to {@code result.json}. */
  JsonObject simulate() {
    String startedAt = Instant.now().toString();
    try {
      prepare();
      onboardAll();
      JsonObject commands = options.commands() > 0 ? sendCommands() : null;
      JsonObject revocations = options.revoked() > 0 ? revokeShare() : null;
      hold();
      JsonObject result = result(startedAt, commands, revocations);
      write(result);
      return result;
    } finally {
      shutdown();
    }
  }

  // ---- before the clock

  private void prepare() {
    long t0 = System.nanoTime();
    String token = options.token() != null ? options.token()
        : SecureFiles.readString(options.dataDir().resolve("admin-token")).strip();
    JsonObject credentials = new JsonObject(SecureFiles.readString(options.dataDir().resolve("provisioning-credentials.json")));
    String root = SecureFiles.readString(options.dataDir().resolve("root-ca.pem"));
    int n = options.devices();
    // one LDevID key and one operational key per device, plus a re-enrollment for each revoked one and slack
    int poolSize = 2 * n + options.revoked() + n / 10 + 16;
    out.println("zto simulate: " + n + " devices, making " + poolSize + " device keys"
        + (options.keys() != null ? " (pool file " + options.keys() + ")" : "") + " ...");
    keys = options.keys() != null ? KeyPool.loadOrGenerate(options.keys(), poolSize) : KeyPool.generate(poolSize);
    preparation.put("keysSeconds", seconds(System.nanoTime() - t0));

    long t1 = System.nanoTime();
    FactoryCa customer = FactoryCa.create("zto simulate customer CA " + options.prefix(), "zto simulate");
    FactoryConfig[] configs = new FactoryConfig[n];
    FactoryCa.Issued[] identities = new FactoryCa.Issued[n];
    IntStream.range(0, n).parallel().forEach(i -> {
      String id = deviceId(i);
      identities[i] = customer.ldevid(id, keys.get());
      configs[i] = new FactoryConfig(id, options.provisioningUrl(), credentials.getString("username"),
          credentials.getString("password"), root, null, null, null, null);
    });
    preparation.put("certificatesSeconds", seconds(System.nanoTime() - t1));

    Tls.useClientEngine(options.clientTlsEngine());
    vertx = Vertx.vertx(Lanes.vertxOptions(options.eventLoops()));
    api = new PlatformApi(vertx, options.api(), token);
    long t2 = System.nanoTime();
    await(api.trustAnchor("zto simulate " + options.prefix(), Pem.encode(customer.certificate())), "registering the customer CA");
    importEnrollments();
    preparation.put("importSeconds", seconds(System.nanoTime() - t2));
    out.println("zto simulate: registered " + n + " devices (" + options.prefix() + "...) through the bulk import in "
        + preparation.getDouble("importSeconds") + " s");

    devices = new SimulatedDevice[n];
    AgentOptions agentOptions = AgentOptions.defaults().withTelemetryInterval(options.telemetryInterval())
        .withMaxAttempts(options.attempts()).withBackoff(Duration.ofMillis(500), Duration.ofSeconds(10));
    for (int i = 0; i < n; i++) {
      SimulatedDevice device = new SimulatedDevice(configs[i].deviceId(), i);
      device.agent = new DeviceAgent(vertx, configs[i], List.of(identities[i].certificate()),
          identities[i].keyPair().getPrivate(), keys, agentOptions, event -> onEvent(device, event));
      devices[i] = device;
    }
    lanes.addAll(await(Lanes.deploy(vertx, options.eventLoops()), "starting the simulator's event loops"));
  }

  private void importEnrollments() {
    int n = options.devices();
    for (int from = 0; from < n; from += IMPORT_CHUNK) {
      StringBuilder lines = new StringBuilder();
      int to = Math.min(n, from + IMPORT_CHUNK);
      for (int i = from; i < to; i++) {
        lines.append(new JsonObject().put("deviceId", deviceId(i)).put("approval", "auto")
            .put("reprovisionPolicy", "allow").encode()).append('\n');
      }
      JsonObject answer = await(api.importEnrollments(lines.toString()), "importing enrollments");
      if (answer.getInteger("imported", 0) != to - from) {
        throw new IllegalStateException("the bulk import took " + answer.getInteger("imported") + " of " + (to - from)
            + " enrollments: " + answer.getJsonArray("errors", new JsonArray()).stream().limit(3).toList());
      }
    }
  }

  private String deviceId(int index) {
    return String.format("%s%06d", options.prefix(), index + 1);
  }

  // ---- the clock runs

  private void onboardAll() {
    clockStart = System.nanoTime();
    timeline = new Timeline(clockStart);
    vertx.setPeriodic(1_000, id -> sample());
    vertx.setPeriodic(500, id -> progress.show(figures(), System.nanoTime()));
    vertx.setPeriodic(20, id -> fill());
    fill();
    try {
      allDone.get(options.timeout().toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      synchronized (this) {
        launching = false;
      }
      for (SimulatedDevice device : devices) {
        if (device.gaveUp("not onboarded within " + options.timeout())) {
          failed();
        }
      }
    } catch (Exception e) {
      throw new IllegalStateException("interrupted", e);
    }
    progress.finish(figures());
  }

  /** Starts devices while the in-flight bound and the ramp allow. */
  private synchronized void fill() {
    if (!launching) {
      return;
    }
    long now = System.nanoTime();
    int allowed = options.ramp() > 0
        ? (int) Math.min(devices.length, 1 + (now - clockStart) / 1e9 * options.ramp()) : devices.length;
    while (nextIndex < allowed && inFlight < options.maxInFlight()) {
      SimulatedDevice device = devices[nextIndex++];
      inFlight++;
      lanes.get(device.index % lanes.size()).runOnContext(ignored -> {
        device.started(System.nanoTime());
        device.agent.start().onFailure(failure -> {
          if (device.gaveUp(reason(device, failure.getMessage()))) {
            failed();
          }
        });
      });
    }
  }

  private void onEvent(SimulatedDevice device, AgentEvent event) {
    long now = System.nanoTime();
    switch (event.kind()) {
      case PROVISIONING -> device.attempt(now);
      case PROVISIONED -> record(Latencies.Phase.PROVISIONING, device.provisioned(now));
      case ENROLLED -> record(Latencies.Phase.EST, device.enrolled(now));
      case CONNECTED -> connected(device, now);
      case DISCONNECTED -> {
        device.disconnected();
        long drop = device.droppedAfterRevocation(now);
        if (drop >= 0) {
          record(Latencies.Phase.REVOCATION_DROP, drop);
        } else if (device.isOnboarded() && !"shutdown".equals(stage)) {
          unexpectedDrops.incrementAndGet();
        }
      }
      case FAILED -> {
        synchronized (failures) {
          failures.merge(reason(device, event.detail()), 1L, Long::sum);
        }
        timeline.count("failed", now);
      }
      case COMMAND -> record(Latencies.Phase.COMMAND, device.commandArrived(now));
      case TELEMETRY -> telemetry.incrementAndGet();
      default -> {
        // REJECTED is followed by FAILED with the reason; renewals and re-provisioning show in CONNECTED
      }
    }
  }

  private void connected(SimulatedDevice device, long now) {
    device.connected();
    if (device.firstOnboarded()) {
      record(Latencies.Phase.CONNECT, device.connectPhase(now));
      record(Latencies.Phase.TOTAL, device.total(now));
      timeline.count("onboarded", now);
      synchronized (this) {
        onboarded++;
        inFlight--;
        lastOnboardedNanos = now;
        checkDone();
      }
      fill();
      return;
    }
    long again = device.reconnectedAfterRevocation(now);
    if (again >= 0) {
      record(Latencies.Phase.REPROVISION, again);
      timeline.count("reprovisioned", now);
    }
  }

  private void failed() {
    synchronized (this) {
      failed++;
      inFlight--;
      checkDone();
    }
    fill();
  }

  private void checkDone() {
    if (onboarded + failed == devices.length) {
      allDone.complete(null);
    }
  }

  private void record(Latencies.Phase phase, long nanos) {
    if (nanos >= 0) {
      latencies.record(phase, nanos);
    }
  }

  /** A failure's reason without the device's own id, so that equal causes count together. */
  private static String reason(SimulatedDevice device, String detail) {
    String text = detail == null ? "unknown" : detail.replace(device.id, "<device>").replaceAll("\\s+", " ").strip();
    return text.length() > 160 ? text.substring(0, 157) + "..." : text;
  }

  private synchronized ProgressLine.Figures figures() {
    long now = System.nanoTime();
    return new ProgressLine.Figures(onboarded, inFlight, devices.length - nextIndex, failed,
        timeline.ratePerSecond("onboarded", now, 5), latencies.p99Millis(Latencies.Phase.TOTAL),
        (now - clockStart) / 1e9, stage);
  }

  /** Once a second: in flight, the simulator's CPU, and the server's CPU and heap if reachable. */
  private void sample() {
    long now = System.nanoTime();
    synchronized (this) {
      timeline.gauge("in-flight", now, inFlight);
    }
    if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
      double load = os.getProcessCpuLoad();
      if (load >= 0) {
        timeline.gauge("simulator-cpu", now, load);
      }
    }
    if (options.sampleMetrics() && metricsFailures.get() < METRICS_ATTEMPTS) {
      api.metrics(options.metricsUrl()).onSuccess(text -> {
        metricsFailures.set(0);
        ServerMetrics metrics = ServerMetrics.parse(text);
        metrics.cpu().ifPresent(cpu -> timeline.gauge("server-cpu", now, cpu));
        metrics.heapBytes().ifPresent(heap -> timeline.gauge("server-heap", now, heap));
      }).onFailure(failure -> {
        // a busy server may miss a scrape or two; only a server that never answers is given up on
        if (metricsFailures.incrementAndGet() == METRICS_ATTEMPTS) {
          out.println("zto simulate: the server's metrics (" + options.metricsUrl() + ") did not answer "
              + METRICS_ATTEMPTS + " times in a row (" + failure.getMessage() + "); no more server CPU and heap");
        }
      });
    }
  }

  // ---- after onboarding

  private JsonObject sendCommands() {
    stage = "commands";
    List<SimulatedDevice> chosen = spread(options.commands(), 0);
    List<Future<String>> sent = new ArrayList<>();
    for (SimulatedDevice device : chosen) {
      device.commandSent(System.nanoTime());
      sent.add(api.sendCommand(device.id, "ping"));
    }
    awaitQuietly(Future.join(sent));
    long ok = sent.stream().filter(Future::succeeded).count();
    awaitCondition(() -> chosen.stream().allMatch(SimulatedDevice::commandAnswered), AFTERMATH_TIMEOUT);
    long answered = chosen.stream().filter(SimulatedDevice::commandAnswered).count();
    out.println("zto simulate: commands: " + ok + " sent through the API, " + answered + " answered by the devices");
    return new JsonObject().put("sent", ok).put("answered", answered).put("asked", chosen.size());
  }

  private JsonObject revokeShare() {
    stage = "revoking";
    List<SimulatedDevice> chosen = spread(options.revoked(), 1);
    List<Future<Void>> revoked = new ArrayList<>();
    for (SimulatedDevice device : chosen) {
      X509Certificate certificate = device.agent.certificate();
      device.revoked(System.nanoTime());
      revoked.add(api.revoke(Serials.hex(certificate.getSerialNumber())));
    }
    awaitQuietly(Future.join(revoked));
    awaitCondition(() -> chosen.stream().allMatch(SimulatedDevice::wasReconnected), AFTERMATH_TIMEOUT);
    long dropped = chosen.stream().filter(SimulatedDevice::wasDropped).count();
    long reconnected = chosen.stream().filter(SimulatedDevice::wasReconnected).count();
    out.println("zto simulate: revoked " + chosen.size() + " certificates: " + dropped + " devices dropped, "
        + reconnected + " provisioned and connected again");
    return new JsonObject().put("revoked", chosen.size())
        .put("accepted", revoked.stream().filter(Future::succeeded).count())
        .put("dropped", dropped).put("reconnected", reconnected);
  }

  /** {@code count} onboarded devices spread over the fleet (every k-th, starting at {@code offset}). */
  private List<SimulatedDevice> spread(int count, int offset) {
    List<SimulatedDevice> ready = Arrays.stream(devices).filter(SimulatedDevice::isOnboarded).toList();
    List<SimulatedDevice> chosen = new ArrayList<>();
    if (ready.isEmpty()) {
      return chosen;
    }
    double step = ready.size() / (double) Math.min(count, ready.size());
    for (int i = 0; i < Math.min(count, ready.size()); i++) {
      chosen.add(ready.get((int) Math.min(ready.size() - 1, Math.floor(i * step) + (step >= 2 ? offset : 0))));
    }
    return chosen;
  }

  private void hold() {
    stage = "holding";
    long until = System.nanoTime() + options.hold().toNanos();
    while (System.nanoTime() < until) {
      sleep(Math.min(500, Math.max(1, (until - System.nanoTime()) / 1_000_000)));
    }
    progress.finish(figures());
  }

  private JsonObject result(String startedAt, JsonObject commands, JsonObject revocations) {
    long connectedAtEnd = Arrays.stream(devices).filter(SimulatedDevice::isConnected).count();
    Integer provisioned = awaitQuietly(api.countProvisioned(options.prefix()));
    double onboardingSeconds = onboarded == 0 ? 0 : seconds(lastOnboardedNanos - clockStart);
    JsonArray failedDevices = new JsonArray();
    Arrays.stream(devices).filter(device -> device.failure() != null).limit(FAILED_DEVICES_LISTED)
        .forEach(device -> failedDevices.add(new JsonObject().put("deviceId", device.id).put("reason", device.failure())));
    JsonArray checks = new JsonArray()
        .add(check("every device onboarded", onboarded == devices.length, onboarded + " of " + devices.length))
        .add(check("every device connected at the end", connectedAtEnd == devices.length,
            connectedAtEnd + " of " + devices.length + " connected to the operational listener"))
        .add(check("the platform lists every device as provisioned", provisioned != null && provisioned == devices.length,
            provisioned == null ? "the device listing failed" : provisioned + " of " + devices.length));
    if (commands != null) {
      checks.add(check("every command answered", commands.getLong("answered") == options.commands(),
          commands.getLong("answered") + " of " + options.commands()));
    }
    if (revocations != null) {
      checks.add(check("every revoked device dropped and provisioned again",
          revocations.getLong("reconnected") == options.revoked() && revocations.getLong("dropped") == options.revoked(),
          revocations.getLong("dropped") + " dropped, " + revocations.getLong("reconnected") + " connected again, of "
              + options.revoked()));
    }
    boolean passed = checks.stream().allMatch(check -> ((JsonObject) check).getBoolean("passed"));
    JsonObject failureJson = new JsonObject();
    synchronized (failures) {
      failures.forEach(failureJson::put);
    }
    return new JsonObject().put("tool", "zto simulate").put("startedAt", startedAt).put("finishedAt", Instant.now().toString())
        .put("options", options.toJson()).put("devices", devices.length).put("onboarded", onboarded).put("failed", failed)
        .put("connectedAtEnd", connectedAtEnd).put("serverProvisioned", provisioned)
        .put("onboardingSeconds", onboardingSeconds)
        .put("onboardingsPerSecond", onboardingSeconds == 0 ? 0 : Math.round(onboarded / onboardingSeconds * 10) / 10.0)
        .put("peakPerSecond", timeline.peak("onboarded")).put("preparation", preparation)
        .put("keyPool", new JsonObject().put("size", keys.size()).put("madeLate", keys.madeLate()))
        .put("latency", latencies.toJson()).put("failures", failureJson).put("failedDevices", failedDevices)
        .put("telemetry", new JsonObject().put("sent", telemetry.get()))
        .put("unexpectedDisconnects", unexpectedDrops.get())
        .put("commands", commands).put("revocations", revocations)
        .put("timeline", timeline.toJson()).put("checks", checks).put("passed", passed);
  }

  private static JsonObject check(String name, boolean passed, String detail) {
    return new JsonObject().put("name", name).put("passed", passed).put("detail", detail);
  }

  private void write(JsonObject result) {
    Path dir = options.out();
    SecureFiles.ensureDirectory(dir);
    SecureFiles.writeAtomically(dir.resolve("result.json"), result.encodePrettily());
    SecureFiles.writeAtomically(dir.resolve("report.html"), HtmlReport.render(result));
    JsonObject total = result.getJsonObject("latency").getJsonObject("total");
    out.println("zto simulate: " + result.getInteger("onboarded") + " of " + result.getInteger("devices")
        + " onboarded in " + result.getDouble("onboardingSeconds") + " s (" + result.getDouble("onboardingsPerSecond")
        + "/s, peak " + result.getLong("peakPerSecond") + "/s), " + result.getInteger("failed") + " failed"
        + (total == null ? "" : ", total p50 " + total.getDouble("p50") + " ms p99 " + total.getDouble("p99") + " ms"));
    for (Object item : result.getJsonArray("checks")) {
      JsonObject check = (JsonObject) item;
      out.println("  " + (check.getBoolean("passed") ? "ok     " : "FAILED ") + check.getString("name") + ": "
          + check.getString("detail"));
    }
    out.println("zto simulate: wrote " + dir.resolve("result.json") + " and " + dir.resolve("report.html"));
  }

  private void shutdown() {
    stage = "shutdown";
    if (vertx == null) {
      return;
    }
    if (devices != null) {
      List<Future<Void>> stops = new ArrayList<>();
      for (SimulatedDevice device : devices) {
        if (device != null) {
          stops.add(device.agent.stop());
        }
      }
      awaitQuietly(Future.join(stops));
    }
    if (api != null) {
      api.close();
    }
    awaitQuietly(vertx.close());
  }

  // ---- helpers

  private static <T> T await(Future<T> future, String what) {
    return MainThread.await(future, SETUP_TIMEOUT, what);
  }

  private static <T> T awaitQuietly(Future<T> future) {
    return MainThread.awaitQuietly(future, AFTERMATH_TIMEOUT);
  }

  private static void awaitCondition(java.util.function.BooleanSupplier condition, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!condition.getAsBoolean() && System.nanoTime() < deadline) {
      sleep(100);
    }
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static double seconds(long nanos) {
    return Math.round(nanos / 1e7) / 100.0;
  }
}
