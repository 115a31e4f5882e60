package io.zto.shared.config;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Settings of the MQTT broker and its three listeners.
 *
 * @param host bind address of all listeners ({@code mqtt.host})
 * @param operational the operational TLS listener ({@code mqtt.operational.*})
 * @param provisioning the provisioning TLS listener ({@code mqtt.provisioning.*})
 * @param plain the plain-TCP development listener ({@code mqtt.plain.*})
 * @param maxMessageSize largest packet in bytes ({@code mqtt.maxMessageSize}); an int, since MQTT caps it below 256MiB
 * @param maxClientIdLength longest client id ({@code mqtt.maxClientIdLength}), at least 64
 * @param sessionExpiryMax upper bound of a requested session expiry ({@code mqtt.sessionExpiryMax})
 * @param offlineQueueMax messages queued per offline session ({@code mqtt.offlineQueueMax})
 * @param clientQueueMax QoS 1/2 messages waiting per connected client ({@code mqtt.clientQueueMax})
 * @param receiveMaximum the broker's Receive Maximum ({@code mqtt.receiveMaximum})
 * @param limits bounds on topics, subscriptions, retained messages and wills ({@code mqtt.max*})
 * @param serviceAccounts back-end accounts ({@code mqtt.serviceAccounts})
 * @param proxyProtocol whether the TLS listeners expect a PROXY protocol header ({@code mqtt.proxyProtocol})
 */
public record MqttConfig(String host, Listener operational, Listener provisioning, PlainListener plain,
                         int maxMessageSize, int maxClientIdLength, Duration sessionExpiryMax, int offlineQueueMax,
                         int clientQueueMax, int receiveMaximum, MqttLimits limits,
                         List<ServiceAccount> serviceAccounts, boolean proxyProtocol) {

  /** Copies the service accounts into an unmodifiable list. */
  public MqttConfig {
    serviceAccounts = List.copyOf(serviceAccounts);
  }

  /**
   * A TLS listener.
   *
   * @param port port; 0 for any free port
   */
  public record Listener(int port) {
  }

  /**
   * The plain-TCP listener, off by default.
   *
   * @param enabled whether it runs ({@code mqtt.plain.enabled})
   * @param port port ({@code mqtt.plain.port})
   * @param allowAnonymous whether clients without credentials may use any topic ({@code mqtt.plain.allowAnonymous})
   */
  public record PlainListener(boolean enabled, int port, boolean allowAnonymous) {
  }

  /**
   * A back-end application's account on the operational (or plain) listener.
   *
   * <p>In the file: {@code publish} and {@code subscribe}, each a list of topic filters; the older
   * {@code allow} list still works and counts for both (added to each). The broker never lets a service
   * account publish or subscribe under the platform's {@code zto/} tree, whatever the lists say.
   *
   * @param username the MQTT username
   * @param passwordHash the salted slow hash of its password (never the password)
   * @param publish topic filters whose topics it may publish to, e.g. {@code backend/#}
   * @param subscribe topic filters it may subscribe within, e.g. {@code devices/+/telemetry}
   */
  public record ServiceAccount(String username, String passwordHash, List<String> publish, List<String> subscribe) {

    /** Validates and copies. */
    public ServiceAccount {
      Objects.requireNonNull(username, "username");
      Objects.requireNonNull(passwordHash, "passwordHash");
      publish = List.copyOf(publish);
      subscribe = List.copyOf(subscribe);
    }

    static ServiceAccount fromMap(Map<String, Object> map) {
      List<String> both = filters(map, "allow");
      return new ServiceAccount((String) map.get("username"), (String) map.get("passwordHash"),
        union(filters(map, "publish"), both), union(filters(map, "subscribe"), both));
    }

    private static List<String> filters(Map<String, Object> map, String field) {
      List<?> list = (List<?>) map.getOrDefault(field, List.of());
      return list.stream().map(String::valueOf).toList();
    }

    private static List<String> union(List<String> first, List<String> second) {
      return Stream.concat(first.stream(), second.stream()).distinct().toList();
    }

    Map<String, Object> toMap() {
      Map<String, Object> map = new LinkedHashMap<>();
      map.put("username", username);
      map.put("passwordHash", passwordHash);
      map.put("publish", publish);
      map.put("subscribe", subscribe);
      return map;
    }

    @Override
    public String toString() {
      // the hash is not the password, but it still does not belong in logs
      return "ServiceAccount[username=" + username + ", publish=" + publish + ", subscribe=" + subscribe + "]";
    }
  }

  /**
   * @param config the validated configuration
   * @return the MQTT settings
   */
  public static MqttConfig from(LoadedConfig config) {
    return new MqttConfig(config.string(ConfigKeys.MQTT_HOST),
      new Listener(config.integer(ConfigKeys.MQTT_OPERATIONAL_PORT)),
      new Listener(config.integer(ConfigKeys.MQTT_PROVISIONING_PORT)),
      new PlainListener(config.bool(ConfigKeys.MQTT_PLAIN_ENABLED), config.integer(ConfigKeys.MQTT_PLAIN_PORT),
        config.bool(ConfigKeys.MQTT_PLAIN_ALLOW_ANONYMOUS)),
      Math.toIntExact(config.byteSize(ConfigKeys.MQTT_MAX_MESSAGE_SIZE)), // range-checked by the key
      config.integer(ConfigKeys.MQTT_MAX_CLIENT_ID_LENGTH),
      config.duration(ConfigKeys.MQTT_SESSION_EXPIRY_MAX),
      config.integer(ConfigKeys.MQTT_OFFLINE_QUEUE_MAX),
      config.integer(ConfigKeys.MQTT_CLIENT_QUEUE_MAX),
      config.integer(ConfigKeys.MQTT_RECEIVE_MAXIMUM),
      MqttLimits.from(config),
      config.objects(ConfigKeys.MQTT_SERVICE_ACCOUNTS).stream().map(ServiceAccount::fromMap).toList(),
      config.bool(ConfigKeys.MQTT_PROXY_PROTOCOL));
  }

  /**
   * @param username an MQTT username
   * @return the service account of that name
   */
  public Optional<ServiceAccount> serviceAccount(String username) {
    return serviceAccounts.stream().filter(a -> a.username().equals(username)).findFirst();
  }

  void writeTo(ConfigJson out) {
    out.put(ConfigKeys.MQTT_HOST, host)
      .put(ConfigKeys.MQTT_OPERATIONAL_PORT, operational.port())
      .put(ConfigKeys.MQTT_PROVISIONING_PORT, provisioning.port())
      .put(ConfigKeys.MQTT_PLAIN_ENABLED, plain.enabled())
      .put(ConfigKeys.MQTT_PLAIN_PORT, plain.port())
      .put(ConfigKeys.MQTT_PLAIN_ALLOW_ANONYMOUS, plain.allowAnonymous())
      .put(ConfigKeys.MQTT_MAX_MESSAGE_SIZE, (long) maxMessageSize)
      .put(ConfigKeys.MQTT_MAX_CLIENT_ID_LENGTH, maxClientIdLength)
      .put(ConfigKeys.MQTT_SESSION_EXPIRY_MAX, sessionExpiryMax)
      .put(ConfigKeys.MQTT_OFFLINE_QUEUE_MAX, offlineQueueMax)
      .put(ConfigKeys.MQTT_CLIENT_QUEUE_MAX, clientQueueMax)
      .put(ConfigKeys.MQTT_RECEIVE_MAXIMUM, receiveMaximum)
      .put(ConfigKeys.MQTT_SERVICE_ACCOUNTS, serviceAccounts.stream().map(ServiceAccount::toMap).toList())
      .put(ConfigKeys.MQTT_PROXY_PROTOCOL, proxyProtocol);
    limits.writeTo(out);
  }
}
