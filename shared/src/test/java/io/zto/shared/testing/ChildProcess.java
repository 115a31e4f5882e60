package io.zto.shared.testing;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs a child process in a test with a deadline. Its output goes to temp files rather than pipes, so a
 * child that writes much, or never ends, cannot block the test on a read; when the deadline passes the
 * child and everything it started are killed and the test fails with the output so far.
 */
public final class ChildProcess {

  /** How long a killed child gets to go before the test stops waiting for it. */
  private static final Duration KILL_GRACE = Duration.ofSeconds(10);

  private ChildProcess() {
  }

  /**
   * Exit code and output of one finished run: {@code output} is stdout, with stderr merged into it when
   * the builder said {@link ProcessBuilder#redirectErrorStream(boolean) redirectErrorStream(true)}.
   */
  public record Result(int exitCode, String output, String errors) {
  }

  /** Runs {@code command} with stderr merged into stdout and stdin closed. */
  public static Result run(Duration timeout, String... command) {
    return run(new ProcessBuilder(command).redirectErrorStream(true), "", timeout);
  }

  /**
   * Runs {@code bash -o pipefail -c script} with stderr merged into stdout and stdin closed.
   */
  public static Result bash(Duration timeout, String script) {
    return run(timeout, "bash", "-o", "pipefail", "-c", script);
  }

  /**
   * Starts {@code builder} (its own output redirects are replaced), writes {@code stdin} and closes it,
   * and waits at most {@code timeout} for the child to end.
   *
   * @throws AssertionError when the child is still running at the deadline (it is killed first)
   */
  public static Result run(ProcessBuilder builder, String stdin, Duration timeout) {
    Path out = null;
    Path err = null;
    try {
      out = Files.createTempFile("zto-child-", ".out");
      err = Files.createTempFile("zto-child-", ".err");
      builder.redirectOutput(out.toFile());
      if (!builder.redirectErrorStream()) {
        builder.redirectError(err.toFile());
      }
      Process process = builder.start();
      writeStdin(process, stdin);
      if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        kill(process);
        throw new AssertionError("still running after " + timeout + ", killed: " + builder.command()
            + "\n" + Files.readString(out) + Files.readString(err));
      }
      return new Result(process.exitValue(), Files.readString(out), Files.readString(err));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot run " + builder.command(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting for " + builder.command(), e);
    } finally {
      deleteQuietly(out);
      deleteQuietly(err);
    }
  }

  /**
   * Kills {@code process} and every process it started (a {@code bash -c} pipeline's members outlive
   * their shell), and waits a little for it to go.
   */
  public static void kill(Process process) throws InterruptedException {
    List<ProcessHandle> descendants = process.descendants().toList();
    process.destroyForcibly();
    descendants.forEach(ProcessHandle::destroyForcibly);
    process.waitFor(KILL_GRACE.toMillis(), TimeUnit.MILLISECONDS);
  }

  // written on a thread of its own: a child that does not read its stdin cannot block the test
  private static void writeStdin(Process process, String stdin) throws IOException {
    if (stdin.isEmpty()) {
      process.getOutputStream().close();
      return;
    }
    Thread writer = new Thread(() -> {
      try (OutputStream in = process.getOutputStream()) {
        in.write(stdin.getBytes(StandardCharsets.UTF_8));
      } catch (IOException ignored) {
        // the child closed its stdin or ended early: its exit code and output tell why
      }
    }, "child-stdin");
    writer.setDaemon(true);
    writer.start();
  }

  private static void deleteQuietly(Path file) {
    if (file != null) {
      try {
        Files.deleteIfExists(file);
      } catch (IOException ignored) {
        // a temp file left behind is harmless
      }
    }
  }
}
