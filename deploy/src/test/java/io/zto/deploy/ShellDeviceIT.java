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
 * provisioning with an {@code idevidProof} made by openssl ({@code idevid-proof.sh}), EST enrollment, operational MQTT, a verified signed command answered, and issue 5's bad
 * inputs refused and audited.
 */
class ShellDeviceIT {

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
    ZtoProcess zto = ZtoProcess.start(data, tmp.resolve("zto.log"));
    processes.add(zto.process());
    int http = zto.http();
    int provisioning = zto.provisioning();
    // AND three factory-made devices pointing at its provisioning listener
    Path factory = tmp.resolve("factory");
    assertThat(run(List.of(ZtoProcess.java(), "-jar", ZtoProcess.JAR.toString(), "factory", "--out", factory.toString(), "--count", "3",
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

  private static String tail(Path log) {
    try {
      List<String> lines = Files.readAllLines(log);
      return String.join("\n", lines.subList(Math.max(0, lines.size() - 60), lines.size()));
    } catch (IOException e) {
      return "(no log: " + e + ")";
    }
  }

}
