package io.zto.shared.config;

import java.time.Duration;

/**
 * Settings of provisioning over MQTT.
 *
 * @param challengeTtl lifetime of a one-time EST challenge ({@code provisioning.challengeTtl})
 * @param requestIdWindow how long a repeated requestId gets the same answer ({@code provisioning.requestIdWindow})
 * @param renewalWarningPercent percentage of a certificate's lifetime left from which it is due for renewal
 *                              ({@code provisioning.renewalWarningPercent})
 * @param renewalCheckInterval how often due certificates are looked for ({@code provisioning.renewalCheckInterval})
 * @param unknownRequestRetention age from which requests of unknown devices are deleted
 *                                ({@code provisioning.unknownRequestRetention})
 */
public record ProvisioningConfig(Duration challengeTtl, Duration requestIdWindow, int renewalWarningPercent,
                                 Duration renewalCheckInterval, Duration unknownRequestRetention) {


  /**
   * @param config the validated configuration
   * @return the provisioning settings
   */
  public static ProvisioningConfig from(LoadedConfig config) {
    return new ProvisioningConfig(config.duration(ConfigKeys.PROVISIONING_CHALLENGE_TTL),
      config.duration(ConfigKeys.PROVISIONING_REQUEST_ID_WINDOW),
      config.integer(ConfigKeys.PROVISIONING_RENEWAL_WARNING_PERCENT),
      config.duration(ConfigKeys.PROVISIONING_RENEWAL_CHECK_INTERVAL),
      config.duration(ConfigKeys.PROVISIONING_UNKNOWN_REQUEST_RETENTION));
  }

  void writeTo(ConfigJson out) {
    out.put(ConfigKeys.PROVISIONING_CHALLENGE_TTL, challengeTtl)
      .put(ConfigKeys.PROVISIONING_REQUEST_ID_WINDOW, requestIdWindow)
      .put(ConfigKeys.PROVISIONING_RENEWAL_WARNING_PERCENT, renewalWarningPercent)
      .put(ConfigKeys.PROVISIONING_RENEWAL_CHECK_INTERVAL, renewalCheckInterval)
      .put(ConfigKeys.PROVISIONING_UNKNOWN_REQUEST_RETENTION, unknownRequestRetention);
  }
}
