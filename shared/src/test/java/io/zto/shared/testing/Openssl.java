package io.zto.shared.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs the {@code openssl} CLI in tests (blocking). */
public final class Openssl {

  private Openssl() {
  }

  /** Output (stdout and stderr merged) and exit code of one run. */
  public record Result(int exitCode, String output) {
  }

  /** Whether {@code openssl} is on the PATH. */
  public static boolean available() {
    try {
      return run(null, "version").exitCode() == 0;
    } catch (RuntimeException e) {
      return false;
    }
  }

  /** Runs {@code openssl args...} in {@code dir} (null: current), with stdin closed, 30 s timeout. */
  public static Result run(Path dir, String... args) {
    return runWithInput(dir, "", args);
  }

  /** As {@link #run} with {@code input} on stdin. */
  public static Result runWithInput(Path dir, String input, String... args) {
    List<String> command = new ArrayList<>();
    command.add("openssl");
    command.addAll(List.of(args));
    try {
      ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
      if (dir != null) {
        builder.directory(dir.toFile());
      }
      Process process = builder.start();
      process.getOutputStream().write(input.getBytes(StandardCharsets.UTF_8));
      process.getOutputStream().close();
      byte[] output = process.getInputStream().readAllBytes();
      if (!process.waitFor(30, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        throw new IllegalStateException("openssl timed out: " + command);
      }
      return new Result(process.exitValue(), new String(output, StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new IllegalStateException("cannot run openssl: " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
