package io.zto.shared.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * Settings of clustering.
 *
 * @param enabled whether to join a cluster ({@code cluster.enabled})
 * @param members seed members as {@code host[:port]} ({@code cluster.members})
 * @param host this node's cluster address ({@code cluster.host})
 * @param port the membership port ({@code cluster.port})
 * @param name the cluster name ({@code cluster.name})
 * @param secretFile the file holding the cluster secret, or null ({@code cluster.secretFile})
 * @param leaseTtl time to live of leader leases ({@code cluster.leaseTtl})
 * @param eventBusPort the event bus port between nodes ({@code cluster.eventBusPort})
 * @param eventBusTls mutual TLS on the event bus ({@code cluster.eventBusTls})
 */
public record ClusterConfig(boolean enabled, List<String> members, String host, int port, String name,
                            Path secretFile, Duration leaseTtl, int eventBusPort, boolean eventBusTls) {

  /** Copies the members into an unmodifiable list. */
  public ClusterConfig {
    members = List.copyOf(members);
  }

  /**
   * A seed member address.
   *
   * @param host host name or IP (IPv6 without brackets)
   * @param port port
   */
  public record Member(String host, int port) {

    /**
     * @param text {@code host}, {@code host:port}, {@code [v6]} or {@code [v6]:port}
     * @param defaultPort the port when none is given
     * @return the address
     * @throws IllegalArgumentException naming the text
     */
    public static Member parse(String text, int defaultPort) {
      String s = text.trim();
      String host = s;
      String port = null;
      if (s.startsWith("[")) {
        int end = s.indexOf(']');
        host = end < 0 ? "" : s.substring(1, end);
        String rest = end < 0 ? "" : s.substring(end + 1);
        port = rest.startsWith(":") ? rest.substring(1) : rest.isEmpty() ? null : "";
      } else if (s.indexOf(':') >= 0 && s.indexOf(':') == s.lastIndexOf(':')) {
        host = s.substring(0, s.indexOf(':'));
        port = s.substring(s.indexOf(':') + 1);
      }
      if (host.isBlank() || host.contains(" ")) {
        throw new IllegalArgumentException("'" + text + "' is not host[:port]");
      }
      try {
        return new Member(host, port == null ? defaultPort : (Integer) ConfigType.PORT.parse(port));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("'" + text + "' is not host[:port]: " + e.getMessage());
      }
    }

    @Override
    public String toString() {
      return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
    }
  }

  /**
   * @param config the validated configuration
   * @return the cluster settings
   */
  public static ClusterConfig from(LoadedConfig config) {
    return new ClusterConfig(config.bool(ConfigKeys.CLUSTER_ENABLED), config.list(ConfigKeys.CLUSTER_MEMBERS),
      config.string(ConfigKeys.CLUSTER_HOST), config.integer(ConfigKeys.CLUSTER_PORT),
      config.string(ConfigKeys.CLUSTER_NAME),
      config.string(ConfigKeys.CLUSTER_SECRET_FILE).isBlank() ? null : Path.of(config.string(ConfigKeys.CLUSTER_SECRET_FILE)),
      config.duration(ConfigKeys.CLUSTER_LEASE_TTL), config.integer(ConfigKeys.CLUSTER_EVENT_BUS_PORT),
      config.bool(ConfigKeys.CLUSTER_EVENT_BUS_TLS));
  }

  /** @return the seed members, with {@link #port()} where none is given */
  public List<Member> memberAddresses() {
    return members.stream().map(m -> Member.parse(m, port)).toList();
  }

  void writeTo(ConfigJson out) {
    out.put(ConfigKeys.CLUSTER_ENABLED, enabled)
      .put(ConfigKeys.CLUSTER_MEMBERS, members)
      .put(ConfigKeys.CLUSTER_HOST, host)
      .put(ConfigKeys.CLUSTER_PORT, port)
      .put(ConfigKeys.CLUSTER_NAME, name)
      .put(ConfigKeys.CLUSTER_SECRET_FILE, secretFile == null ? "" : secretFile.toString())
      .put(ConfigKeys.CLUSTER_LEASE_TTL, leaseTtl)
      .put(ConfigKeys.CLUSTER_EVENT_BUS_PORT, eventBusPort)
      .put(ConfigKeys.CLUSTER_EVENT_BUS_TLS, eventBusTls);
  }
}
