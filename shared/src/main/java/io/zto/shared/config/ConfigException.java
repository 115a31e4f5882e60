package io.zto.shared.config;

import java.util.List;

/**
 * The configuration is invalid. Carries every problem found, each a one-line message that names the
 * source (config file, environment variable or command-line option) and the key.
 */
public class ConfigException extends RuntimeException {

  private final List<String> problems;

  /**
   * @param problems the problems, at least one
   */
  public ConfigException(List<String> problems) {
    super(message(problems));
    this.problems = List.copyOf(problems);
  }

  /**
   * @param problem a single problem
   */
  public ConfigException(String problem) {
    this(List.of(problem));
  }

  /** @return every problem, one line each */
  public List<String> problems() {
    return problems;
  }

  private static String message(List<String> problems) {
    if (problems.size() == 1) {
      return problems.get(0);
    }
    return "invalid configuration, " + problems.size() + " problems:\n  " + String.join("\n  ", problems);
  }
}
