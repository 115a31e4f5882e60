package io.zto.shared.config;

import java.time.Duration;

/**
 * Settings of provisioning over MQTT.
 *
 * @param challengeTtl lifetime of a one-time EST challenge ({@code provisioning.challengeTtl})
 * @param requestIdWindow how long a repeated requestId gets the same answer ({@code provisioning.requestIdWindow})
 */
public record ProvisioningConfig(Duration challengeTtl, Duration requestIdWindow) {

  /**
   * @param config the validated configuration
   * @return the provisioning settings
   */
  public static ProvisioningConfig from(LoadedConfig config) {
    return new ProvisioningConfig(config.duration(ConfigKeys.PROVISIONING_CHALLENGE_TTL),
      config.duration(ConfigKeys.PROVISIONING_REQUEST_ID_WINDOW));
  }

  void writeTo(ConfigJson out) {
    out.put(ConfigKeys.PROVISIONING_CHALLENGE_TTL, challengeTtl)
      .put(ConfigKeys.PROVISIONING_REQUEST_ID_WINDOW, requestIdWindow);
  }
}
