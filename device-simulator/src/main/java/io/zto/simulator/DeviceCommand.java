package io.zto.simulator;

import io.vertx.core.Vertx;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * {@code zto device --factory-config FILE}: runs one device agent until the process is stopped, printing
 * what happens to it.
 */
public final class DeviceCommand {

  static final String USAGE = """
      usage: zto device --factory-config FILE [--telemetry-interval 30] [--attempts N]
        Runs a device agent: provisions, enrolls over EST, connects, sends telemetry (seconds between
        samples, 0 for none), answers signed commands, renews, and re-provisions when revoked.
      """;

  private DeviceCommand() {}

  /** Starts the agent; returns null while it runs, or an exit code if it could not start. */
  public static Integer run(String[] args, PrintStream out, PrintStream err) {
    Map<String, String> options;
    FactoryConfig factory;
    try {
      options = FactoryTool.options(args);
      if (options.containsKey("help")) {
        out.print(USAGE);
        return 0;
      }
      String file = options.get("factory-config");
      if (file == null) {
        throw new IllegalArgumentException("--factory-config is required");
      }
      factory = FactoryConfig.read(Path.of(file));
    } catch (RuntimeException e) {
      err.println("zto device: " + e.getMessage());
      err.print(USAGE);
      return 2;
    }
    AgentOptions agentOptions = AgentOptions.defaults()
        .withTelemetryInterval(Duration.ofSeconds(Long.parseLong(options.getOrDefault("telemetry-interval", "30"))))
        .withMaxAttempts(Integer.parseInt(options.getOrDefault("attempts", "0")));
    Vertx vertx = Vertx.vertx();
    DeviceAgent agent = new DeviceAgent(vertx, factory, agentOptions,
        event -> out.println(event.at() + " " + event.deviceId() + " " + event.kind().name().toLowerCase()
            + (event.detail() == null ? "" : " " + event.detail())));
    agent.start().onFailure(failure -> {
      err.println("zto device: gave up: " + failure.getMessage());
      vertx.close();
      Runtime.getRuntime().halt(1);
    });
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      try {
        agent.stop().compose(ignored -> vertx.close()).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
      } catch (Exception ignored) {
        // exiting anyway
      }
    }));
    return null;
  }
}
