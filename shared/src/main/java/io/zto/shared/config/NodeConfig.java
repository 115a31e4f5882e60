package io.zto.shared.config;

import java.nio.file.Path;
import java.util.Collections;
import java.util.EnumSet;
import java.util.Objects;
import java.util.Set;

/**
 * Settings of the node as a whole.
 *
 * @param dataDir directory of the node's state ({@code dataDir})
 * @param publicHost host name devices use to reach the platform ({@code publicHost})
 * @param roles what this node runs ({@code roles})
 */
public record NodeConfig(Path dataDir, String publicHost, Set<Role> roles) {

  /** Validates and copies the roles into an unmodifiable set. */
  public NodeConfig {
    Objects.requireNonNull(dataDir, "dataDir");
    Objects.requireNonNull(publicHost, "publicHost");
    roles = Collections.unmodifiableSet(roles.isEmpty() ? EnumSet.noneOf(Role.class) : EnumSet.copyOf(roles));
  }

  /**
   * @param config the validated configuration
   * @return the node settings
   */
  public static NodeConfig from(LoadedConfig config) {
    return new NodeConfig(Path.of(config.string(ConfigKeys.DATA_DIR)), config.string(ConfigKeys.PUBLIC_HOST),
      Role.parseAll(config.list(ConfigKeys.ROLES)));
  }

  /**
   * @param role a role
   * @return whether this node runs it
   */
  public boolean hasRole(Role role) {
    return roles.contains(role);
  }

  /**
   * @param fileName a file name
   * @return that file inside the data dir
   */
  public Path dataFile(String fileName) {
    return dataDir.resolve(fileName);
  }

  /** @return the public host as it goes into a URL: IPv6 literals in brackets */
  public String publicHostForUrl() {
    return publicHost.contains(":") && !publicHost.startsWith("[") ? "[" + publicHost + "]" : publicHost;
  }

  /**
   * Resolves a file key whose empty value means "a file of this name in the data dir".
   *
   * @param configured the configured value, maybe empty
   * @param defaultName the file name inside the data dir
   * @return the effective path
   */
  Path fileOrDefault(String configured, String defaultName) {
    return configured.isBlank() ? dataFile(defaultName) : Path.of(configured);
  }

  void writeTo(ConfigJson out) {
    out.put(ConfigKeys.DATA_DIR, dataDir)
      .put(ConfigKeys.PUBLIC_HOST, publicHost)
      .put(ConfigKeys.ROLES, roles.stream().map(Role::label).toList());
  }
}
