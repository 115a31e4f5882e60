package io.zto.shared.config;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The parsed command line: {@code zto [COMMAND] [OPTIONS] [ARGS]}. Pure parsing: it never exits or prints,
 * so the launcher decides what to do with {@link #help()} and with a {@link ConfigException}.
 * <p>
 * {@code --data-dir}, {@code --public-host} and {@code --roles} are shorthands for {@code --set} of the
 * matching key; every option also accepts the {@code --option=value} form. Later options win.
 */
public final class CommandLine {

  /** The command when none is given. */
  public static final String DEFAULT_COMMAND = "run";

  // option → key it sets; null for options that are not key shorthands
  private static final Map<String, String> SHORTHANDS = Map.of(
    "--data-dir", "dataDir", "--public-host", "publicHost", "--roles", "roles");
  private static final List<String> OPTIONS = List.of("--config", "--data-dir", "--public-host", "--roles", "--set",
    "--help", "-h");

  private String command;
  private final List<String> arguments = new ArrayList<>();
  private Path configFile;
  private final Map<String, String> overrides = new LinkedHashMap<>();
  private boolean help;

  private CommandLine() {
  }

  /**
   * @param args the arguments of {@code main}
   * @return the parsed command line
   * @throws ConfigException listing every bad option
   */
  public static CommandLine parse(String... args) {
    CommandLine cl = new CommandLine();
    List<String> problems = new ArrayList<>();
    boolean optionsEnded = false;
    for (int i = 0; i < args.length; i++) {
      String arg = args[i];
      if (optionsEnded || !arg.startsWith("-") || arg.equals("-")) {
        cl.positional(arg);
      } else if (arg.equals("--")) {
        optionsEnded = true; // everything after -- is positional, even when it starts with a dash
      } else {
        i = cl.option(args, i, problems);
      }
    }
    if (!problems.isEmpty()) {
      throw new ConfigException(problems);
    }
    return cl;
  }

  private void positional(String arg) {
    if (command == null) {
      command = arg;
    } else {
      arguments.add(arg);
    }
  }

  /** Handles the option at {@code args[i]}; returns the index of the last argument it consumed. */
  private int option(String[] args, int i, List<String> problems) {
    String arg = args[i];
    int eq = arg.indexOf('=');
    String name = eq > 0 ? arg.substring(0, eq) : arg;
    String inline = eq > 0 ? arg.substring(eq + 1) : null;
    if (!OPTIONS.contains(name)) {
      problems.add(unknownOption(name, inline));
      return i;
    }
    if (name.equals("--help") || name.equals("-h")) {
      if (inline != null) {
        problems.add(name + " takes no value");
      }
      help = true;
      return i;
    }
    String value = inline;
    if (value == null) {
      if (i + 1 >= args.length) {
        problems.add("option " + name + " needs a value");
        return i;
      }
      value = args[++i];
    }
    apply(name, value, problems);
    return i;
  }

  private void apply(String name, String value, List<String> problems) {
    switch (name) {
      case "--config" -> configFile = Path.of(value);
      case "--set" -> {
        int eq = value.indexOf('=');
        if (eq <= 0) {
          problems.add("--set needs KEY=VALUE, got '" + value + "'");
        } else {
          overrides.put(value.substring(0, eq).trim(), value.substring(eq + 1));
        }
      }
      default -> overrides.put(SHORTHANDS.get(name), value);
    }
  }

  private static String unknownOption(String name, String inline) {
    String bare = name.replaceFirst("^-+", "");
    if (ConfigKeys.find(bare).isPresent()) {
      // people try --http.port=9090; point them at the generic form
      return "unknown option '" + name + "' (did you mean '--set " + bare + "=" + (inline == null ? "VALUE" : inline) + "'?)";
    }
    return "unknown option '" + name + "'" + Suggestions.didYouMean(name, OPTIONS) + "; see --help";
  }

  /** @return the first positional argument, {@value #DEFAULT_COMMAND} when none */
  public String command() {
    return command == null ? DEFAULT_COMMAND : command;
  }

  /** @return the positional arguments after the command */
  public List<String> arguments() {
    return Collections.unmodifiableList(arguments);
  }

  /** @return the {@code --config} file */
  public Optional<Path> configFile() {
    return Optional.ofNullable(configFile);
  }

  /** @return path → value from {@code --set} and the shorthands, in command-line order, for {@link ConfigLoader} */
  public Map<String, String> overrides() {
    return Collections.unmodifiableMap(overrides);
  }

  /** @return whether {@code --help} or {@code -h} was given */
  public boolean help() {
    return help;
  }

  /**
   * @param program the program name shown in the usage line, e.g. {@code java -jar zto.jar}
   * @return the help text: options, then every configuration key with type, default, environment variable
   *   and description
   */
  public static String usage(String program) {
    StringBuilder sb = new StringBuilder();
    sb.append("Usage: ").append(program).append(" [COMMAND] [OPTIONS]\n\n")
      .append("COMMAND defaults to '").append(DEFAULT_COMMAND).append("': start the roles of this node.\n\n")
      .append("Options:\n")
      .append("  --config FILE       YAML or JSON (*.json) config file; also ZTO_CONFIG\n")
      .append("  --data-dir DIR      same as --set dataDir=DIR\n")
      .append("  --public-host NAME  same as --set publicHost=NAME\n")
      .append("  --roles LIST        same as --set roles=LIST, e.g. broker,est\n")
      .append("  --set KEY=VALUE     set any key below; repeatable\n")
      .append("  -h, --help          print this help\n")
      .append("Every option also accepts --option=value.\n\n")
      .append("Precedence: defaults < config file < environment < command line.\n")
      .append("In a config file keys nest (http: {port: 8080}) or stay dotted (http.port: 8080).\n\n")
      .append("Configuration keys:\n");
    for (ConfigKey key : ConfigKeys.all()) {
      sb.append("  ").append(key.path()).append(" (").append(key.type().label());
      if (!key.defaultText().isEmpty()) {
        sb.append(", default ").append(key.defaultText());
      }
      sb.append(")\n      ").append(key.description()).append('\n');
      sb.append("      env: ").append(key.type().settableFromText() ? String.join(" or ", key.envNames()) : "(config file only)")
        .append('\n');
    }
    return sb.toString();
  }
}
