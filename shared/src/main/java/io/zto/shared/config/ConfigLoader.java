package io.zto.shared.config;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * Loads the configuration: defaults &lt; config file &lt; {@code ZTO_*} environment &lt; command-line overrides.
 * <p>
 * Every value from every source is validated, even one a later source overrides (a typo in the file is still
 * a typo), and all problems are reported together in one {@link ConfigException}. Unknown {@code ZTO_*}
 * environment variables are only warnings: environments leak unrelated variables such as {@code ZTO_TEST_PG_URL}.
 * <pre>{@code
 * LoadedConfig loaded = new ConfigLoader().file(path).environment(System.getenv()).overrides(cli.overrides()).load();
 * loaded.warnings().forEach(log::warn);
 * ZtoConfig config = loaded.toZtoConfig();
 * }</pre>
 */
public final class ConfigLoader {

  /** Environment variable naming the config file when no {@code --config} is given. */
  public static final String CONFIG_FILE_ENV = "ZTO_CONFIG";

  private Path file;
  private Map<String, String> environment = Map.of();
  private Map<String, String> overrides = Map.of();

  private final Map<ConfigKey, Object> values = new LinkedHashMap<>();
  private final Map<ConfigKey, String> sources = new HashMap<>();
  private final List<String> problems = new ArrayList<>();
  private final List<String> warnings = new ArrayList<>();

  /**
   * @param file the config file (YAML, or JSON when named {@code *.json}); null for none
   * @return this
   */
  public ConfigLoader file(Path file) {
    this.file = file;
    return this;
  }

  /**
   * @param environment the environment, normally {@code System.getenv()}; only {@code ZTO_*} entries are read
   * @return this
   */
  public ConfigLoader environment(Map<String, String> environment) {
    this.environment = Objects.requireNonNull(environment);
    return this;
  }

  /**
   * @param overrides path → value from the command line, e.g. {@link CommandLine#overrides()}
   * @return this
   */
  public ConfigLoader overrides(Map<String, String> overrides) {
    this.overrides = Objects.requireNonNull(overrides);
    return this;
  }

  /**
   * Loads with the file and overrides from a parsed command line.
   *
   * @param commandLine the parsed command line
   * @param environment the environment
   * @return the validated configuration
   * @throws ConfigException listing every problem
   */
  public static LoadedConfig load(CommandLine commandLine, Map<String, String> environment) {
    return new ConfigLoader().file(commandLine.configFile().orElse(null))
      .environment(environment).overrides(commandLine.overrides()).load();
  }

  /**
   * Validates a tree in config-file shape that did not come from a file, e.g. a verticle's deployment config.
   *
   * @param tree nested maps, or flat dotted keys
   * @param label the source name used in messages
   * @return the validated configuration
   * @throws ConfigException listing every problem
   */
  public static LoadedConfig fromTree(Map<String, ?> tree, String label) {
    ConfigLoader loader = new ConfigLoader();
    loader.start();
    loader.applyTree(tree, label);
    return loader.finish();
  }

  /**
   * @return the validated configuration
   * @throws ConfigException listing every problem
   */
  public LoadedConfig load() {
    start();
    Path configFile = file != null ? file : envConfigFile();
    if (configFile != null) {
      try {
        applyTree(ConfigFileReader.read(configFile), "config file " + configFile);
      } catch (ConfigException e) {
        problems.addAll(e.problems()); // keep going: report environment and CLI problems too
      }
    }
    applyEnvironment();
    applyOverrides();
    return finish();
  }

  private Path envConfigFile() {
    String name = environment.get(CONFIG_FILE_ENV);
    return name == null || name.isBlank() ? null : Path.of(name.trim());
  }

  private void start() {
    values.clear();
    sources.clear();
    problems.clear();
    warnings.clear();
    ConfigKeys.all().forEach(k -> values.put(k, k.defaultValue()));
  }

  private LoadedConfig finish() {
    checkPortClashes();
    checkCluster();
    if (!problems.isEmpty()) {
      throw new ConfigException(problems);
    }
    return new LoadedConfig(new LinkedHashMap<>(values), new HashMap<>(sources), warnings);
  }

  private void applyTree(Map<String, ?> tree, String label) {
    Map<String, Object> flat = new LinkedHashMap<>();
    flatten("", tree, flat, label);
    flat.forEach((path, raw) -> {
      ConfigKey key = ConfigKeys.find(path).orElse(null);
      if (key == null) {
        problems.add(label + ": " + unknownKey(path));
      } else if (raw != null) { // `key:` with nothing after it in YAML: treated as not set
        set(key, raw, label, label + ": " + path);
      }
    });
  }

  private void flatten(String prefix, Map<?, ?> map, Map<String, Object> out, String label) {
    map.forEach((k, v) -> {
      String path = prefix.isEmpty() ? String.valueOf(k) : prefix + "." + k;
      if (v instanceof Map<?, ?> nested && ConfigKeys.find(path).isEmpty()) {
        flatten(path, nested, out, label);
      } else if (out.containsKey(path)) {
        // `http.port: 1` next to `http: {port: 2}`
        problems.add(label + ": '" + path + "' is set twice");
      } else {
        out.put(path, v);
      }
    });
  }

  private void applyEnvironment() {
    Map<ConfigKey, String> seen = new HashMap<>();
    new TreeMap<>(environment).forEach((name, value) -> {
      if (!name.startsWith(ConfigKey.ENV_PREFIX) || name.equals(CONFIG_FILE_ENV)) {
        return;
      }
      ConfigKey key = ConfigKeys.findByEnv(name).orElse(null);
      if (key == null) {
        warnings.add(name + ": not a configuration key, ignored" + envSuggestion(name));
        return;
      }
      String other = seen.putIfAbsent(key, name);
      if (other != null && !environment.get(other).equals(value)) {
        problems.add(other + " and " + name + " both set " + key + ", to different values");
        return;
      }
      set(key, value, name, name);
    });
  }

  private void applyOverrides() {
    overrides.forEach((path, value) -> {
      ConfigKey key = ConfigKeys.find(path).orElse(null);
      if (key == null) {
        problems.add("--set: " + unknownKey(path));
      } else {
        set(key, value, "--set " + path, "--set " + path);
      }
    });
  }

  private static String envSuggestion(String name) {
    // compare without the shared prefix, which would make every ZTO_ name look alike
    int prefix = ConfigKey.ENV_PREFIX.length();
    String best = Suggestions.closest(name.substring(prefix),
      ConfigKeys.envNames().stream().map(n -> n.substring(prefix)).toList());
    return best == null ? "" : " (did you mean '" + ConfigKey.ENV_PREFIX + best + "'?)";
  }

  private void set(ConfigKey key, Object raw, String source, String where) {
    try {
      values.put(key, key.parse(raw));
      sources.put(key, source);
    } catch (IllegalArgumentException e) {
      problems.add(where + ": " + e.getMessage());
    }
  }

  private static String unknownKey(String path) {
    List<String> below = ConfigKeys.paths().stream().filter(p -> p.startsWith(path + ".")).toList();
    if (!below.isEmpty()) {
      return "'" + path + "' is a section, not a key (keys: " + String.join(", ", below) + ")";
    }
    return "unknown key '" + path + "'" + Suggestions.didYouMean(path, ConfigKeys.paths());
  }

  /** Two listeners on one port fail at bind time with a less helpful message: say it here. */
  private void checkPortClashes() {
    List<ConfigKey[]> listeners = new ArrayList<>(List.of(
      new ConfigKey[] {ConfigKeys.HTTP_PORT, ConfigKeys.HTTP_HOST},
      new ConfigKey[] {ConfigKeys.EST_PORT, ConfigKeys.EST_HOST},
      new ConfigKey[] {ConfigKeys.MQTT_OPERATIONAL_PORT, ConfigKeys.MQTT_HOST},
      new ConfigKey[] {ConfigKeys.MQTT_PROVISIONING_PORT, ConfigKeys.MQTT_HOST}));
    if (Boolean.TRUE.equals(values.get(ConfigKeys.MQTT_PLAIN_ENABLED))) {
      listeners.add(new ConfigKey[] {ConfigKeys.MQTT_PLAIN_PORT, ConfigKeys.MQTT_HOST});
    }
    if (Boolean.TRUE.equals(values.get(ConfigKeys.CLUSTER_ENABLED))) {
      listeners.add(new ConfigKey[] {ConfigKeys.CLUSTER_PORT, ConfigKeys.CLUSTER_HOST});
    }
    for (int i = 0; i < listeners.size(); i++) {
      for (int j = i + 1; j < listeners.size(); j++) {
        checkClash(listeners.get(i), listeners.get(j));
      }
    }
  }

  /** A cluster shares one database: say so at start rather than with nodes that never see each other's data. */
  private void checkCluster() {
    if (!Boolean.TRUE.equals(values.get(ConfigKeys.CLUSTER_ENABLED))) {
      return;
    }
    String url = String.valueOf(values.get(ConfigKeys.DB_URL));
    if (!url.startsWith("postgresql://") && !url.startsWith("postgres://")) {
      problems.add(describe(ConfigKeys.CLUSTER_ENABLED) + " needs db.url to name the PostgreSQL database every node"
          + " shares; the embedded database belongs to one node");
    }
  }

  private void checkClash(ConfigKey[] a, ConfigKey[] b) {
    Object port = values.get(a[0]);
    String hostA = String.valueOf(values.get(a[1]));
    String hostB = String.valueOf(values.get(b[1]));
    boolean overlap = hostA.equals(hostB) || isWildcard(hostA) || isWildcard(hostB);
    if (overlap && port.equals(values.get(b[0])) && !port.equals(0)) { // 0: each gets its own free port
      problems.add("port " + port + " is used by both " + describe(a[0]) + " and " + describe(b[0]));
    }
  }

  private static boolean isWildcard(String host) {
    return host.isEmpty() || host.equals("0.0.0.0") || host.equals("::") || host.equals("[::]");
  }

  private String describe(ConfigKey key) {
    return key + " (" + sources.getOrDefault(key, LoadedConfig.DEFAULT_SOURCE) + ")";
  }
}
