package io.zto.deploy;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import io.zto.shared.config.CommandLine;
import io.zto.shared.config.ConfigException;
import io.zto.shared.config.ConfigLoader;
import io.zto.shared.config.LoadedConfig;
import io.zto.shared.config.ZtoConfig;
import io.zto.simulator.DeviceCommand;
import io.zto.simulator.FactoryTool;
import io.zto.simulator.Simulator;
import java.io.PrintStream;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.LoggerFactory;
import org.slf4j.bridge.SLF4JBridgeHandler;

/**
 * {@code java -jar zto.jar [run] [options]}: parses the command line and config, starts a node and
 * keeps it running until the process is told to stop. Errors are one line each on stderr, with a
 * non-zero exit code: 2 for a bad command line or config, 1 for a node that could not start.
 */
public final class Zto {

  static final String PROGRAM = "zto";
  static final int EXIT_OK = 0;
  static final int EXIT_START_FAILED = 1;
  static final int EXIT_USAGE = 2;
  /** A tool that keeps running (the device agent): the process must not exit. */
  static final int RUNNING = -1;
  private static final long START_TIMEOUT_SECONDS = 120;

  private Zto() {}

  public static void main(String[] args) {
    SLF4JBridgeHandler.removeHandlersForRootLogger();
    SLF4JBridgeHandler.install();
    Launch launch = launch(args, System.getenv(), System.out, System.err);
    if (launch.exitCode() == RUNNING) {
      return;
    }
    if (launch.node() == null) {
      System.exit(launch.exitCode());
    }
    Node node = launch.node();
    Runtime.getRuntime().addShutdownHook(new Thread(() -> awaitQuietly(node), "zto-shutdown"));
  }

  /** The outcome of a launch: a running node, or the exit code to end the process with. */
  record Launch(Node node, int exitCode) {}

  /** Parses, configures and starts; never exits the JVM, so tests can call it. */
  static Launch launch(String[] args, Map<String, String> env, PrintStream out, PrintStream err) {
    if (args.length > 0 && "factory".equals(args[0])) {
      return new Launch(null, FactoryTool.run(Arrays.copyOfRange(args, 1, args.length), out, err));
    }
    if (args.length > 0 && "simulate".equals(args[0])) {
      return new Launch(null, Simulator.run(Arrays.copyOfRange(args, 1, args.length), out, err));
    }
    if (args.length > 0 && "device".equals(args[0])) {
      Integer exit = DeviceCommand.run(Arrays.copyOfRange(args, 1, args.length), out, err);
      return new Launch(null, exit == null ? RUNNING : exit);
    }
    LoadedConfig loaded;
    CommandLine commandLine;
    try {
      commandLine = CommandLine.parse(args);
      if (commandLine.help()) {
        out.print(CommandLine.usage(PROGRAM));
        out.println();
        out.println("Other commands:");
        out.println("  zto factory --out DIR [--count N] ...   make test device identities and factory configs"
            + " (zto factory --help)");
        out.println("  zto device --factory-config FILE         run a device agent (zto device --help)");
        out.println("  zto simulate --devices N ...             onboard a simulated fleet and report (zto simulate --help)");
        return new Launch(null, EXIT_OK);
      }
      if (!CommandLine.DEFAULT_COMMAND.equals(commandLine.command())) {
        throw new ConfigException("unknown command '" + commandLine.command() + "' (known: run, factory, device, simulate); see --help");
      }
      loaded = ConfigLoader.load(commandLine, env);
    } catch (ConfigException e) {
      e.problems().forEach(problem -> err.println(PROGRAM + ": " + problem));
      return new Launch(null, EXIT_USAGE);
    }
    loaded.warnings().forEach(warning -> err.println(PROGRAM + ": warning: " + warning));
    ZtoConfig config = loaded.toZtoConfig();
    setLogLevel(config.log().level());
    try {
      Node node = Node.start(config).toCompletionStage().toCompletableFuture()
          .get(START_TIMEOUT_SECONDS, TimeUnit.SECONDS);
      out.print(Banner.of(node));
      out.flush();
      return new Launch(node, EXIT_OK);
    } catch (ExecutionException e) {
      err.println(PROGRAM + ": cannot start: " + oneLine(e.getCause()));
      return new Launch(null, EXIT_START_FAILED);
    } catch (TimeoutException e) {
      err.println(PROGRAM + ": cannot start: not ready within " + START_TIMEOUT_SECONDS + " s");
      return new Launch(null, EXIT_START_FAILED);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return new Launch(null, EXIT_START_FAILED);
    }
  }

  private static String oneLine(Throwable failure) {
    String message = failure.getMessage() == null ? failure.getClass().getSimpleName() : failure.getMessage();
    return message.replaceAll("\\s*\\R\\s*", " ");
  }

  private static void setLogLevel(String level) {
    if (LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME) instanceof Logger root) {
      root.setLevel(Level.toLevel(level, Level.INFO));
    }
  }

  private static void awaitQuietly(Node node) {
    try {
      node.stop().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      System.err.println(PROGRAM + ": unclean stop: " + oneLine(e));
    }
  }
}
