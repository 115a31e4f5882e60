package io.zto.shared.config;

import java.nio.file.Path;
import java.time.Duration;

/**
 * Settings of provisioning over MQTT.
 *
 * @param challengeTtl lifetime of a one-time EST challenge ({@code provisioning.challengeTtl})
 * @param requestIdWindow how long a repeated requestId gets the same answer ({@code provisioning.requestIdWindow})
 * @param credentialsFile effective file of the factory provisioning credentials ({@code provisioning.credentialsFile})
 */
public record ProvisioningConfig(Duration challengeTtl, Duration requestIdWindow, Path credentialsFile) {

  /** File name of the provisioning credentials in the data dir. */
  public static final String CREDENTIALS_FILE = "provisioning-credentials.json";

  /**
   * @param config the validated configuration
   * @return the provisioning settings
   */
  public static ProvisioningConfig from(LoadedConfig config) {
    return new ProvisioningConfig(config.duration(ConfigKeys.PROVISIONING_CHALLENGE_TTL),
      config.duration(ConfigKeys.PROVISIONING_REQUEST_ID_WINDOW),
      NodeConfig.from(config).fileOrDefault(config.string(ConfigKeys.PROVISIONING_CREDENTIALS_FILE), CREDENTIALS_FILE));
  }

  void writeTo(ConfigJson out) {
    out.put(ConfigKeys.PROVISIONING_CHALLENGE_TTL, challengeTtl)
      .put(ConfigKeys.PROVISIONING_REQUEST_ID_WINDOW, requestIdWindow)
      .put(ConfigKeys.PROVISIONING_CREDENTIALS_FILE, credentialsFile);
  }
}
