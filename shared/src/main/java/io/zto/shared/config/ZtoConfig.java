package io.zto.shared.config;

import io.vertx.core.json.JsonObject;

import java.util.Map;
import java.util.Objects;

/**
 * The whole configuration of a node: one record per module. It is handed to verticles as their deployment
 * config, so it round-trips through {@link JsonObject}; the JSON has the shape of a config file and is
 * validated again on the way back in.
 *
 * @param node node-wide settings
 * @param http operator HTTP listener
 * @param est EST listener
 * @param mqtt MQTT broker
 * @param db database
 * @param cluster clustering
 * @param pki CA hierarchy
 * @param provisioning provisioning over MQTT
 * @param crl CRLs
 * @param log logging
 * @param audit the audit log
 */
public record ZtoConfig(NodeConfig node, HttpConfig http, EstConfig est, MqttConfig mqtt, DbConfig db,
                        ClusterConfig cluster, PkiConfig pki, ProvisioningConfig provisioning, CrlConfig crl,
                        LogConfig log, AuditConfig audit) {

  /** The source name used in messages about a JSON config that fails validation. */
  public static final String JSON_SOURCE = "deployment config";

  /** Requires every part. */
  public ZtoConfig {
    Objects.requireNonNull(node, "node");
    Objects.requireNonNull(http, "http");
    Objects.requireNonNull(est, "est");
    Objects.requireNonNull(mqtt, "mqtt");
    Objects.requireNonNull(db, "db");
    Objects.requireNonNull(cluster, "cluster");
    Objects.requireNonNull(pki, "pki");
    Objects.requireNonNull(provisioning, "provisioning");
    Objects.requireNonNull(crl, "crl");
    Objects.requireNonNull(log, "log");
    Objects.requireNonNull(audit, "audit");
  }

  /**
   * @param config the validated configuration
   * @return the records, with values derived from other keys (base URL, files in the data dir) resolved
   */
  public static ZtoConfig from(LoadedConfig config) {
    return new ZtoConfig(NodeConfig.from(config), HttpConfig.from(config), EstConfig.from(config),
      MqttConfig.from(config), DbConfig.from(config), ClusterConfig.from(config), PkiConfig.from(config),
      ProvisioningConfig.from(config), CrlConfig.from(config), LogConfig.from(config), AuditConfig.from(config));
  }

  /** @return the configuration when nothing is set */
  public static ZtoConfig defaults() {
    return of(Map.of());
  }

  /**
   * Convenient for tests: the defaults with some keys set, e.g. {@code Map.of("http.port", "0")}.
   *
   * @param settings path → value, as with {@code --set}
   * @return the configuration
   * @throws ConfigException when a setting is invalid
   */
  public static ZtoConfig of(Map<String, String> settings) {
    return new ConfigLoader().overrides(settings).load().toZtoConfig();
  }

  /**
   * @param json a JSON object in config-file shape, e.g. from {@link #toJson()}
   * @return the configuration
   * @throws ConfigException when the JSON is not a valid configuration
   */
  @SuppressWarnings("unchecked")
  public static ZtoConfig fromJson(JsonObject json) {
    return ConfigLoader.fromTree((Map<String, Object>) ConfigFileReader.plain(json), JSON_SOURCE).toZtoConfig();
  }

  /** @return every key with its effective value, nested as in a config file */
  public JsonObject toJson() {
    ConfigJson out = new ConfigJson();
    node.writeTo(out);
    http.writeTo(out);
    est.writeTo(out);
    mqtt.writeTo(out);
    db.writeTo(out);
    cluster.writeTo(out);
    pki.writeTo(out);
    provisioning.writeTo(out);
    crl.writeTo(out);
    log.writeTo(out);
    audit.writeTo(out);
    return out.json();
  }

  /** @return the EST base URL devices are given: {@code https://{publicHost}:{est.port}/.well-known/est} */
  public String estUrl() {
    return "https://" + node.publicHostForUrl() + ":" + est.port() + EstConfig.WELL_KNOWN_PATH;
  }

  /** @return the operational MQTT URL devices are given: {@code mqtts://{publicHost}:{mqtt.operational.port}} */
  public String mqttOperationalUrl() {
    return "mqtts://" + node.publicHostForUrl() + ":" + mqtt.operational().port();
  }

  /** @return the provisioning MQTT URL for factory configs: {@code mqtts://{publicHost}:{mqtt.provisioning.port}} */
  public String mqttProvisioningUrl() {
    return "mqtts://" + node.publicHostForUrl() + ":" + mqtt.provisioning().port();
  }
}
