package io.zto.shared.config;

/**
 * Settings of logging.
 *
 * @param level the root log level, lower case ({@code log.level})
 */
public record LogConfig(String level) {

  /**
   * @param config the validated configuration
   * @return the log settings
   */
  public static LogConfig from(LoadedConfig config) {
    return new LogConfig(config.string(ConfigKeys.LOG_LEVEL));
  }

  void writeTo(ConfigJson out) {
    out.put(ConfigKeys.LOG_LEVEL, level);
  }
}
