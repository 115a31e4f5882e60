package io.zto.deploy;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A device agent as an installer runs it, {@code java -jar zto.jar device --factory-config FILE}, in a
 * process of its own; what it reports (one line per event: instant, device id, kind, detail) is read as it
 * comes, for bounded waits.
 */
final class DeviceProcess implements AutoCloseable {

  private final Process process;
  private final String deviceId;
  private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
  private final StringBuilder output = new StringBuilder();

  private DeviceProcess(Process process, String deviceId) {
    this.process = process;
    this.deviceId = deviceId;
    Thread reader = new Thread(this::read, "agent-output-" + deviceId);
    reader.setDaemon(true);
    reader.start();
  }

  /** Starts the agent of {@code devices/<deviceId>/factory.json} under the factory directory. */
  static DeviceProcess start(Path factory, String deviceId) throws IOException {
    Path config = factory.resolve("devices").resolve(deviceId).resolve("factory.json");
    Process process = new ProcessBuilder(List.of(ZtoProcess.java(), "-jar", ZtoProcess.JAR.toString(), "device",
        "--factory-config", config.toString(), "--telemetry-interval", "0"))
        .redirectErrorStream(true).start();
    process.getOutputStream().close();
    return new DeviceProcess(process, deviceId);
  }

  /** Waits until the agent reports {@code kind} (e.g. "connected"); its line, or an AssertionError saying all it said. */
  String await(String kind, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      String line = lines.poll(250, TimeUnit.MILLISECONDS);
      if (line != null && line.contains(" " + deviceId + " " + kind)) {
        return line;
      }
      if (line == null && !process.isAlive() && lines.isEmpty()) {
        break;
      }
    }
    throw new AssertionError(deviceId + "'s agent did not report '" + kind + "' within " + timeout.toSeconds()
        + " s; it said:\n" + said());
  }

  String said() {
    synchronized (output) {
      return output.toString();
    }
  }

  private void read() {
    try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
      for (String line = in.readLine(); line != null; line = in.readLine()) {
        synchronized (output) {
          output.append(line).append('\n');
        }
        lines.add(line);
      }
    } catch (IOException ended) {
      // the process was stopped
    }
  }

  @Override
  public void close() throws InterruptedException {
    process.destroy();
    if (!process.waitFor(20, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      process.waitFor(10, TimeUnit.SECONDS);
    }
  }
}
