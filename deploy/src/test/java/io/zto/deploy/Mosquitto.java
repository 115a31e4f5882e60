package io.zto.deploy;

import io.zto.shared.testing.ChildProcess;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The mosquitto command-line clients (mosquitto_pub, mosquitto_sub, mosquitto_rr), and curl, as a device
 * would run them: each run bounded by a deadline ({@link ChildProcess}); a long-running subscriber's output
 * read from files once it ended (never from a pipe it could block on).
 */
final class Mosquitto {

  /** How a finished run ended. */
  record Run(int exitCode, String out, String err) {
    boolean succeeded() {
      return exitCode == 0;
    }
  }

  /** A client still running (a subscriber), to be waited for or stopped. */
  static final class Running implements AutoCloseable {
    private final Process process;
    private final Path out;
    private final Path err;

    private Running(Process process, Path out, Path err) {
      this.process = process;
      this.out = out;
      this.err = err;
    }

    boolean alive() {
      return process.isAlive();
    }

    /** Waits until it ends by itself; fails if it is still running after {@code within}. */
    Run ended(Duration within) throws Exception {
      if (!process.waitFor(within.toMillis(), TimeUnit.MILLISECONDS)) {
        process.destroyForcibly();
        throw new AssertionError("still running after " + within + ": " + Files.readString(err));
      }
      return new Run(process.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
          Files.readString(err, StandardCharsets.UTF_8));
    }

    @Override
    public void close() throws Exception {
      ChildProcess.kill(process);
    }
  }

  private final Path dir;
  private final Path caFile;
  private int runs;

  /** Clients that trust the root in {@code caFile} and keep their output under {@code dir}. */
  Mosquitto(Path dir, Path caFile) {
    this.dir = dir;
    this.caFile = caFile;
  }

  /** The TLS and login options of a device: certificate chain file (leaf first), key, client id, credentials. */
  List<String> login(int port, Path certChain, Path key, String clientId, String username, String password) {
    List<String> args = new ArrayList<>(List.of("-h", "localhost", "-p", Integer.toString(port), "--cafile",
        caFile.toString(), "--cert", certChain.toString(), "--key", key.toString(), "-i", clientId));
    if (username != null) {
      args.addAll(List.of("-u", username, "-P", password));
    }
    return args;
  }

  /** Runs {@code tool} with {@code args} to its end, within {@code within} (else it is killed and this fails). */
  Run run(Duration within, String tool, List<String> args) {
    List<String> command = new ArrayList<>();
    command.add(tool);
    command.addAll(args);
    ChildProcess.Result result = ChildProcess.run(new ProcessBuilder(command), "", within);
    return new Run(result.exitCode(), result.output(), result.errors());
  }

  /** Starts {@code tool}; the caller waits for it or closes it. */
  Running start(String tool, List<String> args) throws IOException {
    List<String> command = new ArrayList<>();
    command.add(tool);
    command.addAll(args);
    int n = ++runs;
    Path out = dir.resolve(tool + "-" + n + ".out");
    Path err = dir.resolve(tool + "-" + n + ".err");
    Process process = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile())
        .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
    return new Running(process, out, err);
  }
}
