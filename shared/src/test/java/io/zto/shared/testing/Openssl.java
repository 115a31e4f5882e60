package io.zto.shared.testing;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** Runs the {@code openssl} CLI in tests (blocking). */
public final class Openssl {

  private static final Duration TIMEOUT = Duration.ofSeconds(30);

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
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
    if (dir != null) {
      builder.directory(dir.toFile());
    }
    ChildProcess.Result result = ChildProcess.run(builder, input, TIMEOUT);
    return new Result(result.exitCode(), result.output());
  }
}
