package io.zto.shared.config;

import java.time.Duration;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The validated values of every key, where each came from, and the warnings of loading.
 * Produced by {@link ConfigLoader}; turned into records by {@link ZtoConfig#from(LoadedConfig)}.
 */
public final class LoadedConfig {

  /** The source name of a value nobody set. */
  public static final String DEFAULT_SOURCE = "default";

  private final Map<ConfigKey, Object> values;
  private final Map<ConfigKey, String> sources;
  private final List<String> warnings;

  LoadedConfig(Map<ConfigKey, Object> values, Map<ConfigKey, String> sources, List<String> warnings) {
    this.values = Collections.unmodifiableMap(values);
    this.sources = Collections.unmodifiableMap(sources);
    this.warnings = List.copyOf(warnings);
  }

  /**
   * @param key a key
   * @return its typed value (see {@link ConfigType} for the Java types)
   */
  public Object value(ConfigKey key) {
    return Objects.requireNonNull(values.get(key), () -> "not a registered key: " + key);
  }

  /**
   * @param key a key
   * @return where its value came from: {@code default}, {@code config file F}, {@code ZTO_...} or {@code --set ...}
   */
  public String source(ConfigKey key) {
    return sources.getOrDefault(key, DEFAULT_SOURCE);
  }

  /** @return non-fatal findings, e.g. unknown {@code ZTO_*} environment variables */
  public List<String> warnings() {
    return warnings;
  }

  /** @return the typed value of a {@link ConfigType#STRING} key */
  public String string(ConfigKey key) {
    return typed(key, String.class, ConfigType.STRING);
  }

  /** @return the typed value of an {@link ConfigType#INT} or {@link ConfigType#PORT} key */
  public int integer(ConfigKey key) {
    return typed(key, Integer.class, ConfigType.INT, ConfigType.PORT);
  }

  /** @return the typed value of a {@link ConfigType#BOOLEAN} key */
  public boolean bool(ConfigKey key) {
    return typed(key, Boolean.class, ConfigType.BOOLEAN);
  }

  /** @return the typed value of a {@link ConfigType#DURATION} key */
  public Duration duration(ConfigKey key) {
    return typed(key, Duration.class, ConfigType.DURATION);
  }

  /** @return the number of bytes of a {@link ConfigType#BYTE_SIZE} key */
  public long byteSize(ConfigKey key) {
    return typed(key, Long.class, ConfigType.BYTE_SIZE);
  }

  /** @return the typed value of a {@link ConfigType#STRING_LIST} key */
  @SuppressWarnings("unchecked")
  public List<String> list(ConfigKey key) {
    return typed(key, List.class, ConfigType.STRING_LIST);
  }

  /** @return the typed value of an {@link ConfigType#OBJECT_LIST} key */
  @SuppressWarnings("unchecked")
  public List<Map<String, Object>> objects(ConfigKey key) {
    return typed(key, List.class, ConfigType.OBJECT_LIST);
  }

  /** @return the records built from these values */
  public ZtoConfig toZtoConfig() {
    return ZtoConfig.from(this);
  }

  private <T> T typed(ConfigKey key, Class<T> javaType, ConfigType... types) {
    // a mismatch is a programming error in a record factory, never an operator's mistake
    if (!List.of(types).contains(key.type())) {
      throw new IllegalArgumentException(key + " is a " + key.type().label() + ", not read as " + javaType.getSimpleName());
    }
    return javaType.cast(value(key));
  }
}
