package io.zto.shared.config;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;

/**
 * One configuration key: its dotted path, type, default, description and constraints.
 * Every key is declared once, in {@link ConfigKeys}.
 */
public final class ConfigKey {

  /** The prefix of every environment variable that sets a key. */
  public static final String ENV_PREFIX = "ZTO_";

  /**
   * A constraint beyond the type, e.g. a range or a URL scheme.
   */
  @FunctionalInterface
  public interface Check {
    /**
     * @param value the typed value
     * @return null when the value is fine, else a one-line reason
     */
    String problem(Object value);
  }

  private final String path;
  private final ConfigType type;
  private final String defaultText;
  private final Object defaultValue;
  private final String description;
  private final List<String> choices;
  private final Check check;

  private ConfigKey(String path, ConfigType type, String defaultText, String description, List<String> choices, Check check) {
    this.path = Objects.requireNonNull(path);
    this.type = Objects.requireNonNull(type);
    this.defaultText = Objects.requireNonNull(defaultText);
    this.description = Objects.requireNonNull(description);
    this.choices = List.copyOf(choices);
    this.check = check;
    // a bad default is a programming error: fail at class initialisation, not in front of an operator
    this.defaultValue = parse(type == ConfigType.OBJECT_LIST ? List.of() : defaultText);
  }

  /**
   * @param path the dotted path, segments in camelCase
   * @param type the type
   * @param defaultText the default, written as in a config file ({@code 30m}, {@code 8080}, {@code a,b}, or empty)
   * @param description one line for {@code --help} and the docs
   * @return the key
   */
  public static ConfigKey of(String path, ConfigType type, String defaultText, String description) {
    return new ConfigKey(path, type, defaultText, description, List.of(), null);
  }

  /**
   * @param values the allowed values (for strings and lists of strings; matched case-insensitively)
   * @return a copy of this key restricted to those values
   */
  public ConfigKey withChoices(String... values) {
    return new ConfigKey(path, type, defaultText, description, List.of(values), check);
  }

  /**
   * @param extra an additional constraint
   * @return a copy of this key with that constraint
   */
  public ConfigKey withCheck(Check extra) {
    return new ConfigKey(path, type, defaultText, description, choices, extra);
  }

  /** @return the dotted path, e.g. {@code mqtt.plain.enabled} */
  public String path() {
    return path;
  }

  /** @return the type */
  public ConfigType type() {
    return type;
  }

  /** @return the default as written in a config file; may be empty */
  public String defaultText() {
    return defaultText;
  }

  /** @return the typed default */
  public Object defaultValue() {
    return defaultValue;
  }

  /** @return the one-line description */
  public String description() {
    return description;
  }

  /** @return the allowed values, empty when any value of the type is allowed */
  public List<String> choices() {
    return choices;
  }

  /** @return the environment variable, e.g. {@code ZTO_MQTT_PLAIN_ALLOWANONYMOUS} */
  public String envName() {
    return ENV_PREFIX + path.replace('.', '_').toUpperCase(Locale.ROOT);
  }

  /**
   * @return every accepted environment variable: {@link #envName()} and, for camelCase segments, the
   *   spelling with the words split ({@code ZTO_MQTT_PLAIN_ALLOW_ANONYMOUS}), because people write both
   */
  public List<String> envNames() {
    Set<String> names = new LinkedHashSet<>();
    names.add(envName());
    names.add(ENV_PREFIX + path.replaceAll("([a-z0-9])([A-Z])", "$1_$2").replace('.', '_').toUpperCase(Locale.ROOT));
    return new ArrayList<>(names);
  }

  /**
   * Converts and checks a raw value for this key.
   *
   * @param raw text or a value from a YAML/JSON parser
   * @return the typed value
   * @throws IllegalArgumentException with a one-line reason
   */
  public Object parse(Object raw) {
    Object value = type.parse(raw);
    if (!choices.isEmpty()) {
      value = value instanceof List<?> list ? list.stream().map(this::choice).toList() : choice(value);
    }
    String problem = check == null ? null : check.problem(value);
    if (problem != null) {
      throw new IllegalArgumentException(problem);
    }
    return value;
  }

  private String choice(Object value) {
    String lower = String.valueOf(value).toLowerCase(Locale.ROOT);
    if (!choices.contains(lower)) {
      throw new IllegalArgumentException("'" + value + "' is not one of " + String.join(", ", choices));
    }
    return lower;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ConfigKey other && other.path.equals(path);
  }

  @Override
  public int hashCode() {
    return path.hashCode();
  }

  @Override
  public String toString() {
    return path;
  }
}
