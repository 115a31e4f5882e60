package io.zto.shared.config;

import java.time.Duration;

/**
 * Settings of CRL publishing and external CRL synchronisation.
 *
 * @param defaultRefresh refresh interval of a source that names none ({@code crl.defaultRefresh})
 * @param nextUpdateInterval how often our own CRLs are reissued ({@code crl.nextUpdateInterval})
 * @param fetchTimeout timeout of one download of an external CRL ({@code crl.fetchTimeout})
 */
public record CrlConfig(Duration defaultRefresh, Duration nextUpdateInterval, Duration fetchTimeout) {

  /**
   * @param config the validated configuration
   * @return the CRL settings
   */
  public static CrlConfig from(LoadedConfig config) {
    return new CrlConfig(config.duration(ConfigKeys.CRL_DEFAULT_REFRESH),
      config.duration(ConfigKeys.CRL_NEXT_UPDATE_INTERVAL), config.duration(ConfigKeys.CRL_FETCH_TIMEOUT));
  }

  void writeTo(ConfigJson out) {
    out.put(ConfigKeys.CRL_DEFAULT_REFRESH, defaultRefresh)
      .put(ConfigKeys.CRL_NEXT_UPDATE_INTERVAL, nextUpdateInterval)
      .put(ConfigKeys.CRL_FETCH_TIMEOUT, fetchTimeout);
  }
}
