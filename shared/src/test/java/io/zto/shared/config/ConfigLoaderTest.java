package io.zto.shared.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigLoaderTest {

  @TempDir
  Path dir;

  private Path write(String name, String content) throws IOException {
    return Files.writeString(dir.resolve(name), content);
  }

  private static List<String> problems(ConfigLoader loader) {
    try {
      loader.load();
    } catch (ConfigException e) {
      return e.problems();
    }
    throw new AssertionError("expected a ConfigException");
  }

  @Test
  void defaultsApplyWhenNothingIsSet() {
    // GIVEN no file, no environment, no overrides
    // WHEN loading
    LoadedConfig loaded = new ConfigLoader().load();
    // THEN every key has its registered default, from source "default", and nothing is warned about
    for (ConfigKey key : ConfigKeys.all()) {
      assertThat(loaded.value(key)).as(key.path()).isEqualTo(key.defaultValue());
      assertThat(loaded.source(key)).isEqualTo("default");
    }
    assertThat(loaded.warnings()).isEmpty();
    assertThat(loaded.integer(ConfigKeys.HTTP_PORT)).isEqualTo(8080);
    assertThat(loaded.string(ConfigKeys.HTTP_HOST)).isEqualTo("127.0.0.1");
    assertThat(loaded.duration(ConfigKeys.EST_CERTIFICATE_VALIDITY)).isEqualTo(Duration.ofDays(90));
    assertThat(loaded.byteSize(ConfigKeys.MQTT_MAX_MESSAGE_SIZE)).isEqualTo(256 * 1024);
    assertThat(loaded.list(ConfigKeys.ROLES)).containsExactly("broker", "provisioning", "est", "crl");
    assertThat(loaded.bool(ConfigKeys.MQTT_PLAIN_ENABLED)).isFalse();
  }

  @Test
  void yamlFileAcceptsNestedAndFlatDottedKeys() throws IOException {
    // GIVEN a YAML file mixing nested sections and top-level dotted keys
    Path file = write("zto.yaml", """
      publicHost: gw.example.com
      http.port: 9090
      mqtt:
        plain:
          enabled: true
          allowAnonymous: yes
        maxMessageSize: 1MiB
      est:
        certificateValidity: PT720H
      """);
    // WHEN loading it
    LoadedConfig loaded = new ConfigLoader().file(file).load();
    // THEN both spellings are read, typed, and attributed to the file
    assertThat(loaded.string(ConfigKeys.PUBLIC_HOST)).isEqualTo("gw.example.com");
    assertThat(loaded.integer(ConfigKeys.HTTP_PORT)).isEqualTo(9090);
    assertThat(loaded.bool(ConfigKeys.MQTT_PLAIN_ENABLED)).isTrue();
    assertThat(loaded.bool(ConfigKeys.MQTT_PLAIN_ALLOW_ANONYMOUS)).isTrue();
    assertThat(loaded.byteSize(ConfigKeys.MQTT_MAX_MESSAGE_SIZE)).isEqualTo(1 << 20);
    assertThat(loaded.duration(ConfigKeys.EST_CERTIFICATE_VALIDITY)).isEqualTo(Duration.ofDays(30));
    assertThat(loaded.source(ConfigKeys.HTTP_PORT)).isEqualTo("config file " + file);
  }

  @Test
  void jsonFileIsReadWhenNamedDotJson() throws IOException {
    // GIVEN a JSON config file
    Path file = write("zto.json", """
      {"http": {"port": 9091}, "cluster": {"enabled": true, "members": ["a:5701", "b"], "secretFile": "/run/secrets/zto-cluster"}, "db.url": "postgres://u:p@db/zto"}
      """);
    // WHEN loading it
    LoadedConfig loaded = new ConfigLoader().file(file).load();
    // THEN its values are used
    assertThat(loaded.integer(ConfigKeys.HTTP_PORT)).isEqualTo(9091);
    assertThat(loaded.bool(ConfigKeys.CLUSTER_ENABLED)).isTrue();
    assertThat(loaded.list(ConfigKeys.CLUSTER_MEMBERS)).containsExactly("a:5701", "b");
    assertThat(loaded.string(ConfigKeys.DB_URL)).isEqualTo("postgres://u:p@db/zto");
  }

  @Test
  void environmentOverridesTheFile() throws IOException {
    // GIVEN a file and an environment setting the same key
    Path file = write("zto.yaml", "http:\n  port: 9090\n");
    // WHEN loading both
    LoadedConfig loaded = new ConfigLoader().file(file).environment(Map.of("ZTO_HTTP_PORT", "9191")).load();
    // THEN the environment wins and is named as the source
    assertThat(loaded.integer(ConfigKeys.HTTP_PORT)).isEqualTo(9191);
    assertThat(loaded.source(ConfigKeys.HTTP_PORT)).isEqualTo("ZTO_HTTP_PORT");
  }

  @Test
  void commandLineOverridesTheEnvironment() {
    // GIVEN the environment and the command line setting the same keys
    CommandLine cli = CommandLine.parse("--set", "http.port=9292", "--data-dir", "/var/lib/zto");
    Map<String, String> env = Map.of("ZTO_HTTP_PORT", "9191", "ZTO_DATADIR", "/tmp/x");
    // WHEN loading
    LoadedConfig loaded = ConfigLoader.load(cli, env);
    // THEN the command line wins
    assertThat(loaded.integer(ConfigKeys.HTTP_PORT)).isEqualTo(9292);
    assertThat(loaded.string(ConfigKeys.DATA_DIR)).isEqualTo("/var/lib/zto");
    assertThat(loaded.source(ConfigKeys.HTTP_PORT)).isEqualTo("--set http.port");
  }

  @Test
  void camelCaseSplitEnvironmentSpellingIsAccepted() {
    // GIVEN both spellings for different keys
    Map<String, String> env = Map.of("ZTO_MQTT_PLAIN_ALLOW_ANONYMOUS", "true", "ZTO_MQTT_PLAIN_ENABLED", "true",
      "ZTO_DATA_DIR", "/data");
    // WHEN loading
    LoadedConfig loaded = new ConfigLoader().environment(env).load();
    // THEN both are understood
    assertThat(loaded.bool(ConfigKeys.MQTT_PLAIN_ALLOW_ANONYMOUS)).isTrue();
    assertThat(loaded.string(ConfigKeys.DATA_DIR)).isEqualTo("/data");
    assertThat(loaded.warnings()).isEmpty();
  }

  @Test
  void bothEnvironmentSpellingsWithDifferentValuesAreAnError() {
    // GIVEN the two spellings of one key disagreeing
    Map<String, String> env = Map.of("ZTO_MQTT_PLAIN_ALLOW_ANONYMOUS", "true", "ZTO_MQTT_PLAIN_ALLOWANONYMOUS", "false");
    // WHEN loading THEN the conflict is reported
    assertThat(problems(new ConfigLoader().environment(env)))
      .containsExactly("ZTO_MQTT_PLAIN_ALLOWANONYMOUS and ZTO_MQTT_PLAIN_ALLOW_ANONYMOUS both set "
        + "mqtt.plain.allowAnonymous, to different values");
  }

  @Test
  void unknownFileKeyIsAnErrorWithSuggestion() throws IOException {
    // GIVEN a typo in a file key
    Path file = write("zto.yaml", "mqtt:\n  plian:\n    enabled: true\n");
    // WHEN loading THEN the error names the file, the key and the likely intended key
    assertThat(problems(new ConfigLoader().file(file)))
      .containsExactly("config file " + file + ": unknown key 'mqtt.plian.enabled' (did you mean 'mqtt.plain.enabled'?)");
  }

  @Test
  void sectionGivenAValueIsExplained() throws IOException {
    // GIVEN a value where a section of keys belongs
    Path file = write("zto.yaml", "mqtt:\n  plain: true\n");
    // WHEN loading THEN the error lists the keys of that section
    assertThat(problems(new ConfigLoader().file(file))).singleElement().asString()
      .contains("'mqtt.plain' is a section, not a key (keys: mqtt.plain.enabled, mqtt.plain.port, mqtt.plain.allowAnonymous)");
  }

  @Test
  void badTypeNamesTheKeyAndTheSource() throws IOException {
    // GIVEN a bad port in the file, the environment and the command line
    Path file = write("zto.yaml", "est:\n  port: 70000\n");
    ConfigLoader loader = new ConfigLoader().file(file)
      .environment(Map.of("ZTO_HTTP_PORT", "abc"))
      .overrides(Map.of("mqtt.plain.enabled", "maybe"));
    // WHEN loading THEN all three are reported, each with its source and key
    assertThat(problems(loader)).containsExactly(
      "config file " + file + ": est.port: '70000' is not a port (1-65535, or 0 for any free port)",
      "ZTO_HTTP_PORT: 'abc' is not a port (1-65535, or 0 for any free port)",
      "--set mqtt.plain.enabled: 'maybe' is not a boolean (true or false)");
  }

  @Test
  void missingFileIsAClearError() {
    // GIVEN a file that does not exist
    Path file = dir.resolve("x/y.yaml");
    // WHEN loading THEN the message says so in one line
    assertThat(problems(new ConfigLoader().file(file)))
      .containsExactly("cannot read config file " + file + ": No such file or directory");
  }

  @Test
  void directoryAsFileIsAClearError() {
    // GIVEN a directory where a file is expected
    // WHEN loading THEN the message names it
    assertThat(problems(new ConfigLoader().file(dir))).singleElement().asString()
      .startsWith("cannot read config file " + dir + ": ");
  }

  @Test
  void invalidYamlNamesTheLine() throws IOException {
    // GIVEN broken YAML
    Path file = write("zto.yaml", "http:\n  port: 8080\n port: 1\n");
    // WHEN loading THEN the message names the file and the position, in one line
    assertThat(problems(new ConfigLoader().file(file))).singleElement().asString()
      .startsWith("config file " + file + ": invalid YAML at line 3").doesNotContain("\n");
  }

  @Test
  void yamlDuplicateKeysAreRefused() throws IOException {
    // GIVEN the same key twice
    Path file = write("zto.yaml", "http:\n  port: 1\n  port: 2\n");
    // WHEN loading THEN it is an error rather than a silent last-wins
    assertThat(problems(new ConfigLoader().file(file))).singleElement().asString().contains("duplicate key port");
  }

  @Test
  void nestedAndFlatSpellingOfOneKeyIsAnError() throws IOException {
    // GIVEN one key both nested and dotted
    Path file = write("zto.yaml", "http.port: 1\nhttp:\n  port: 2\n");
    // WHEN loading THEN the duplicate is reported
    assertThat(problems(new ConfigLoader().file(file))).containsExactly("config file " + file + ": 'http.port' is set twice");
  }

  @Test
  void yamlTagsThatInstantiateClassesAreRefused() throws IOException {
    // GIVEN a YAML payload asking for an arbitrary Java type
    Path file = write("zto.yaml", "x: !!javax.script.ScriptEngineManager [!!java.net.URLClassLoader [[!!java.net.URL [\"http://e\"]]]]\n");
    // WHEN loading THEN SafeConstructor refuses it
    assertThat(problems(new ConfigLoader().file(file))).singleElement().asString().contains("invalid YAML");
  }

  @Test
  void invalidJsonIsAClearError() throws IOException {
    // GIVEN broken JSON
    Path file = write("zto.json", "{\"http\": ");
    // WHEN loading THEN the message says invalid JSON, in one line
    assertThat(problems(new ConfigLoader().file(file))).singleElement().asString()
      .startsWith("config file " + file + ": invalid JSON").doesNotContain("\n");
  }

  @Test
  void listsComeFromCommaSeparatedEnvironmentAndFromYamlLists() throws IOException {
    // GIVEN a YAML list and a comma-separated variable
    Path file = write("zto.yaml", "cluster:\n  members:\n    - a.example:5701\n    - b.example\n");
    Map<String, String> env = Map.of("ZTO_ROLES", " broker , EST,");
    // WHEN loading
    LoadedConfig loaded = new ConfigLoader().file(file).environment(env).load();
    // THEN both become lists, trimmed, blanks dropped, choices normalised to lower case
    assertThat(loaded.list(ConfigKeys.CLUSTER_MEMBERS)).containsExactly("a.example:5701", "b.example");
    assertThat(loaded.list(ConfigKeys.ROLES)).containsExactly("broker", "est");
  }

  @Test
  void commaSeparatedListInYamlIsAccepted() throws IOException {
    // GIVEN a list written as one string in the file
    Path file = write("zto.yaml", "roles: broker,crl\n");
    // WHEN loading THEN it is split like an environment variable
    assertThat(new ConfigLoader().file(file).load().list(ConfigKeys.ROLES)).containsExactly("broker", "crl");
  }

  @Test
  void unknownZtoEnvironmentVariableIsOnlyAWarning() {
    // GIVEN leaked variables, one a likely typo
    Map<String, String> env = Map.of("ZTO_TEST_PG_URL", "postgresql://x", "ZTO_HTTP_PROT", "1", "PATH", "/bin");
    // WHEN loading
    LoadedConfig loaded = new ConfigLoader().environment(env).load();
    // THEN loading succeeds and each is a warning; non-ZTO variables are not mentioned
    assertThat(loaded.warnings()).containsExactly(
      "ZTO_HTTP_PROT: not a configuration key, ignored (did you mean 'ZTO_HTTP_PORT'?)",
      "ZTO_TEST_PG_URL: not a configuration key, ignored");
  }

  @Test
  void configFileCanBeNamedByTheEnvironment() throws IOException {
    // GIVEN ZTO_CONFIG pointing at a file
    Path file = write("zto.yaml", "http.port: 9393\n");
    // WHEN loading without an explicit file
    LoadedConfig loaded = new ConfigLoader().environment(Map.of("ZTO_CONFIG", file.toString())).load();
    // THEN that file is read and ZTO_CONFIG is not warned about
    assertThat(loaded.integer(ConfigKeys.HTTP_PORT)).isEqualTo(9393);
    assertThat(loaded.warnings()).isEmpty();
  }

  @Test
  void serviceAccountsComeFromTheFileOnly() throws IOException {
    // GIVEN service accounts in YAML
    Path file = write("zto.yaml", """
      mqtt:
        serviceAccounts:
          - username: backend
            passwordHash: "$argon2id$v=19$x"
            allow: ["devices/+/telemetry", "$share/g/devices/#"]
      """);
    // WHEN loading
    LoadedConfig loaded = new ConfigLoader().file(file).load();
    // THEN they are read as objects
    assertThat(loaded.objects(ConfigKeys.MQTT_SERVICE_ACCOUNTS)).singleElement()
      .satisfies(a -> assertThat(a).containsEntry("username", "backend"));
    // AND setting them from the environment is an error, not silently ignored
    assertThat(problems(new ConfigLoader().environment(Map.of("ZTO_MQTT_SERVICEACCOUNTS", "x"))))
      .containsExactly("ZTO_MQTT_SERVICEACCOUNTS: a list of objects can only be set in a config file");
  }

  @Test
  void malformedServiceAccountIsExplained() throws IOException {
    // GIVEN an account with a misspelt field
    Path file = write("zto.yaml", "mqtt.serviceAccounts:\n  - {username: a, passwordHash: h, alow: []}\n");
    // WHEN loading THEN the account and the field are named
    assertThat(problems(new ConfigLoader().file(file))).containsExactly("config file " + file
      + ": mqtt.serviceAccounts: service account 1: unknown field 'alow' (did you mean 'allow'?)");
  }

  @Test
  void aServiceAccountPublishListThatIsNotAListIsExplained() throws IOException {
    // GIVEN an account whose publish filters are one string instead of a list
    Path file = write("zto.yaml", "mqtt.serviceAccounts:\n  - {username: a, passwordHash: h, publish: backend/#}\n");
    // WHEN loading THEN the account and the field are named
    assertThat(problems(new ConfigLoader().file(file))).containsExactly("config file " + file
      + ": mqtt.serviceAccounts: service account 1: 'publish' must be a list of topic filters");
  }

  @Test
  void twoListenersOnOnePortAreAnError() {
    // GIVEN the plain MQTT listener moved onto the EST port
    Map<String, String> env = Map.of("ZTO_MQTT_PLAIN_ENABLED", "true", "ZTO_MQTT_PLAIN_PORT", "8443");
    // WHEN loading THEN the clash is reported with where each value came from
    assertThat(problems(new ConfigLoader().environment(env)))
      .containsExactly("port 8443 is used by both est.port (default) and mqtt.plain.port (ZTO_MQTT_PLAIN_PORT)");
  }

  @Test
  void portZeroNeverClashes() {
    // GIVEN every listener on port 0, as tests do
    Map<String, String> set = Map.of("http.port", "0", "est.port", "0", "mqtt.operational.port", "0",
      "mqtt.provisioning.port", "0");
    // WHEN loading THEN it is fine
    assertThat(new ConfigLoader().overrides(set).load().integer(ConfigKeys.EST_PORT)).isZero();
  }

  @Test
  void unknownCommandLineKeyIsAnErrorWithSuggestion() {
    // GIVEN --set of a misspelt key
    // WHEN loading THEN the suggestion is given
    assertThat(problems(new ConfigLoader().overrides(Map.of("http.prot", "1"))))
      .containsExactly("--set: unknown key 'http.prot' (did you mean 'http.port'?)");
  }

  @Test
  void constraintsBeyondTheTypeAreChecked() {
    // GIVEN values of the right type but out of range
    Map<String, String> set = Map.of("mqtt.maxClientIdLength", "23", "db.url", "mysql://x", "log.level", "loud");
    // WHEN loading THEN each is explained
    assertThat(problems(new ConfigLoader().overrides(set))).containsExactlyInAnyOrder(
      "--set mqtt.maxClientIdLength: must be between 64 and 65535, got 23",
      "--set db.url: 'mysql://x' is not a database URL (empty for embedded, sqlite:PATH, or postgresql://user:pass@host:port/db)",
      "--set log.level: 'loud' is not one of trace, debug, info, warn, error");
  }

  @Test
  void httpListenerLimitsHaveDefaultsOverridesAndBounds() {
    // GIVEN nothing configured THEN the operator API and EST listeners get their documented limits
    ZtoConfig defaults = ZtoConfig.defaults();
    assertThat(defaults.http().maxJsonBodySize()).isEqualTo(256 * 1024);
    assertThat(defaults.http().maxBodySize()).isEqualTo(16 * 1024 * 1024);
    assertThat(defaults.http().limits())
        .isEqualTo(new HttpServerLimits(Duration.ofMinutes(5), 8192, 4096, Duration.ofSeconds(30)));
    assertThat(defaults.est().limits())
        .isEqualTo(new HttpServerLimits(Duration.ofSeconds(60), 8192, 4096, Duration.ofSeconds(30)));
    // WHEN overridden THEN the values reach the records
    ZtoConfig set = new ConfigLoader().overrides(Map.of("http.idleTimeout", "2s", "est.maxHeaderSize", "16KiB",
        "http.maxJsonBodySize", "1MiB")).load().toZtoConfig();
    assertThat(set.http().limits().idleTimeout()).isEqualTo(Duration.ofSeconds(2));
    assertThat(set.est().limits().maxHeaderSize()).isEqualTo(16 * 1024);
    assertThat(set.http().maxJsonBodySize()).isEqualTo(1024 * 1024);
    // AND values that would disable a bound or overflow the server option are refused with the reason
    assertThat(problems(new ConfigLoader().overrides(Map.of("est.idleTimeout", "0s", "http.maxHeaderSize", "10",
        "http.idleTimeout", "30d")))).containsExactlyInAnyOrder(
      "--set est.idleTimeout: must be between 1s and 1d, got 0s",
      "--set http.maxHeaderSize: must be between 1024 and 1048576, got 10",
      "--set http.idleTimeout: must be between 1s and 1d, got 30d");
  }

  @Test
  void databasePasswordIsNotEchoedInErrors() {
    // GIVEN a PostgreSQL URL without a host
    // WHEN loading THEN the message hides the password
    assertThat(problems(new ConfigLoader().overrides(Map.of("db.url", "postgresql://u:secret@/db"))))
      .singleElement().asString().doesNotContain("secret").contains("u:***@");
  }

  @Test
  void emptyYamlValueMeansNotSet() throws IOException {
    // GIVEN a key with nothing after it
    Path file = write("zto.yaml", "http:\n  port:\n");
    // WHEN loading THEN the default stays
    assertThat(new ConfigLoader().file(file).load().integer(ConfigKeys.HTTP_PORT)).isEqualTo(8080);
  }

  @Test
  void aClusterOnTheEmbeddedDatabaseIsRefused() {
    // GIVEN cluster.enabled on the embedded database
    List<String> problems = problems(new ConfigLoader().environment(Map.of("ZTO_CLUSTER_ENABLED", "true")));
    // THEN the start is refused, naming what is missing
    assertThat(problems).anySatisfy(p -> assertThat(p).contains("needs db.url").contains("PostgreSQL"));
    // AND on PostgreSQL with a secret file it loads, the lease time defaulting to 15 s
    LoadedConfig loaded = new ConfigLoader().environment(Map.of("ZTO_CLUSTER_ENABLED", "true",
        "ZTO_DB_URL", "postgresql://u:p@db/zto", "ZTO_CLUSTER_SECRETFILE", "/run/secrets/zto-cluster")).load();
    assertThat(ClusterConfig.from(loaded).secretFile()).hasToString("/run/secrets/zto-cluster");
    assertThat(ClusterConfig.from(loaded).leaseTtl()).hasSeconds(15);
  }
}
