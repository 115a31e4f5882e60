package io.zto.broker;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Independent MQTT clients run as processes: Debian's mosquitto clients and paho-mqtt scripts. */
final class Clients {

  /** Upper bound of any one client run. */
  static final long TIMEOUT_SECONDS = 30;

  private Clients() {}

  /** The result of a finished client process. */
  record Run(int exit, String out, String err) {
    List<String> lines() {
      return out.isBlank() ? List.of() : Arrays.asList(out.strip().split("\n"));
    }
  }

  /** A client process still running (a subscriber). */
  static final class Running {
    private final Process process;
    private final Path out;
    private final Path err;

    Running(Process process, Path out, Path err) {
      this.process = process;
      this.out = out;
      this.err = err;
    }

    Run await() {
      try {
        if (!process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
          process.destroyForcibly();
          process.waitFor(5, TimeUnit.SECONDS);
          return new Run(-1, Files.readString(out), Files.readString(err) + "\n(timed out)");
        }
        return new Run(process.exitValue(), Files.readString(out), Files.readString(err));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
    }

    /** Current output so far. */
    String output() {
      try {
        return Files.readString(out, StandardCharsets.UTF_8);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    void kill() {
      process.destroyForcibly();
    }
  }

  static Running start(List<String> command) {
    try {
      Path out = Files.createTempFile("mqtt-client", ".out");
      Path err = Files.createTempFile("mqtt-client", ".err");
      Process process = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
      return new Running(process, out, err);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static Run run(List<String> command) {
    return start(command).await();
  }

  static Run run(String... command) {
    return run(List.of(command));
  }

  /** A paho-mqtt script from the test resources with its arguments, under Debian's python. */
  static Running python(String script, String... args) {
    List<String> command = new ArrayList<>(List.of("/usr/bin/python3", "-u", resource(script)));
    command.addAll(List.of(args));
    return start(command);
  }

  static String resource(String name) {
    try {
      return Path.of(Clients.class.getResource("/" + name).toURI()).toString();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  /** Waits, bounded, until {@code running}'s output contains {@code text} (a subscriber is ready). */
  static void awaitOutput(Running running, String text) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(TIMEOUT_SECONDS);
    while (!running.output().contains(text)) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("no '" + text + "' within " + TIMEOUT_SECONDS + " s; output so far: " + running.output());
      }
      pause();
    }
  }

  /** Waits, bounded, until {@code condition} holds. */
  static void awaitTrue(java.util.function.BooleanSupplier condition, String what) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(TIMEOUT_SECONDS);
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("not within " + TIMEOUT_SECONDS + " s: " + what);
      }
      pause();
    }
  }

  private static void pause() {
    try {
      Thread.sleep(50);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
