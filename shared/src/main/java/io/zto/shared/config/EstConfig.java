package io.zto.shared.config;

import java.time.Duration;

/**
 * Settings of the EST (RFC 7030) listener.
 *
 * @param host bind address ({@code est.host})
 * @param port port ({@code est.port}); 0 for any free port
 * @param certificateValidity validity of issued device certificates ({@code est.certificateValidity})
 * @param maxBodySize largest request body in bytes, beyond it 413 ({@code est.maxBodySize})
 * @param retryAfter Retry-After of a 202 while approval is pending ({@code est.retryAfter})
 */
public record EstConfig(String host, int port, Duration certificateValidity, long maxBodySize, Duration retryAfter) {

  /** The path prefix of RFC 7030. */
  public static final String WELL_KNOWN_PATH = "/.well-known/est";

  /**
   * @param config the validated configuration
   * @return the EST settings
   */
  public static EstConfig from(LoadedConfig config) {
    return new EstConfig(config.string(ConfigKeys.EST_HOST), config.integer(ConfigKeys.EST_PORT),
      config.duration(ConfigKeys.EST_CERTIFICATE_VALIDITY), config.byteSize(ConfigKeys.EST_MAX_BODY_SIZE),
      config.duration(ConfigKeys.EST_RETRY_AFTER));
  }

  void writeTo(ConfigJson out) {
    out.put(ConfigKeys.EST_HOST, host)
      .put(ConfigKeys.EST_PORT, port)
      .put(ConfigKeys.EST_CERTIFICATE_VALIDITY, certificateValidity)
      .put(ConfigKeys.EST_MAX_BODY_SIZE, maxBodySize)
      .put(ConfigKeys.EST_RETRY_AFTER, retryAfter);
  }
}
