package io.zto.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The contract tested by a device made only of openssl, curl, mosquitto clients and jq
 * ({@code deploy/src/test/scripts/shell-device.sh}) against the shaded {@code target/zto.jar} running as a
 * process on free ports, with identities from {@code zto factory}: registration through the operator API,
 * provisioning, EST enrollment, operational MQTT, a verified signed command answered, and issue 5's bad
 * inputs refused and audited.
 */
class ShellDeviceIT {

  private static final Path JAR = Path.of("target", "zto.jar");
  private static final Path SCRIPT = Path.of("src", "test", "scripts", "shell-device.sh");

  @TempDir
  Path tmp;

  private final List<Process> processes = new ArrayList<>();

  @AfterEach
  void kill() throws InterruptedException {
    for (Process process : processes) {
      process.destroy();
      if (!process.waitFor(20, TimeUnit.SECONDS)) {
        process.destroyForcibly();
      }
    }
  }

  @Test
  void aShellDeviceOnboardsAndItsBadInputsAreRefused() throws Exception {
    // GIVEN zto.jar on an empty data dir and free ports
    Path data = tmp.resolve("zto-data");
    int[] ports = freePorts(4);
    int http = ports[0];
    int provisioning = ports[3];
    Process zto = new ProcessBuilder(java(), "-jar", JAR.toString(), "--data-dir", data.toString(),
        "--set", "http.port=" + http, "--set", "est.port=" + ports[1],
        "--set", "mqtt.operational.port=" + ports[2], "--set", "mqtt.provisioning.port=" + provisioning)
        .redirectErrorStream(true).redirectOutput(tmp.resolve("zto.log").toFile()).start();
    processes.add(zto);
    awaitUp(zto, http);
    // AND three factory-made devices pointing at its provisioning listener
    Path factory = tmp.resolve("factory");
    assertThat(run(List.of(java(), "-jar", JAR.toString(), "factory", "--out", factory.toString(), "--count", "3",
        "--platform-data-dir", data.toString(), "--provisioning-url", "mqtts://localhost:" + provisioning),
        Map.of(), 120).exitCode).isZero();
    // WHEN the shell device runs the contract
    Path work = Files.createDirectory(tmp.resolve("work"));
    Result result = run(List.of("bash", SCRIPT.toString()), Map.of("ZTO_API", "http://127.0.0.1:" + http,
        "ZTO_DATA_DIR", data.toString(), "FACTORY", factory.toString(), "WORK", work.toString()), 300);
    // THEN every step passed
    System.out.println(result.output);
    assertThat(result.exitCode).as(result.output + "\n--- zto.log (tail) ---\n" + tail(tmp.resolve("zto.log")))
        .isZero();
    assertThat(result.output).contains("ALL SHELL DEVICE CHECKS PASSED");
  }

  private record Result(int exitCode, String output) {}

  private static Result run(List<String> command, Map<String, String> env, int timeoutSeconds) throws Exception {
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
    builder.environment().putAll(env);
    Process process = builder.start();
    process.getOutputStream().close();
    // read on another thread so that the timeout holds even if the process never closes its output
    StringBuilder output = new StringBuilder();
    Thread reader = new Thread(() -> {
      try {
        output.append(new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
      } catch (IOException e) {
        output.append("(output unreadable: ").append(e).append(')');
      }
    });
    reader.start();
    if (!process.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
      process.descendants().forEach(ProcessHandle::destroyForcibly);
      process.destroyForcibly();
      reader.join(5_000);
      throw new AssertionError(command + " did not finish within " + timeoutSeconds + " s:\n" + output);
    }
    reader.join(10_000);
    return new Result(process.exitValue(), output.toString());
  }

  private static void awaitUp(Process zto, int http) throws Exception {
    HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
    while (System.nanoTime() < deadline) {
      if (!zto.isAlive()) {
        throw new AssertionError("zto.jar exited with " + zto.exitValue());
      }
      try {
        HttpResponse<String> health = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + http
            + "/health")).timeout(Duration.ofSeconds(3)).build(), HttpResponse.BodyHandlers.ofString());
        if (health.statusCode() == 200) {
          return;
        }
      } catch (IOException notYet) {
        // not listening yet
      }
      Thread.sleep(250);
    }
    throw new AssertionError("zto.jar did not report UP on /health within 90 s");
  }

  /** Distinct free loopback ports (the sockets are closed before zto binds them). */
  private static int[] freePorts(int count) throws IOException {
    Set<Integer> ports = new HashSet<>();
    List<ServerSocket> sockets = new ArrayList<>();
    try {
      while (ports.size() < count) {
        ServerSocket socket = new ServerSocket(0);
        sockets.add(socket);
        ports.add(socket.getLocalPort());
      }
    } finally {
      for (ServerSocket socket : sockets) {
        socket.close();
      }
    }
    return ports.stream().mapToInt(Integer::intValue).toArray();
  }

  private static String tail(Path log) {
    try {
      List<String> lines = Files.readAllLines(log);
      return String.join("\n", lines.subList(Math.max(0, lines.size() - 60), lines.size()));
    } catch (IOException e) {
      return "(no log: " + e + ")";
    }
  }

  private static String java() {
    return ProcessHandle.current().info().command().orElse("java");
  }
}
