package io.zto.shared.config;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Settings of the EST (RFC 7030) listener.
 *
 * @param host bind address ({@code est.host})
 * @param port port ({@code est.port}); 0 for any free port
 * @param certificateValidity validity of issued device certificates ({@code est.certificateValidity})
 * @param maxBodySize largest request body in bytes, beyond it 413 ({@code est.maxBodySize})
 * @param retryAfter Retry-After of a 202 while approval is pending ({@code est.retryAfter})
 * @param profiles the labels under {@code /.well-known/est/{label}} ({@code est.profiles})
 * @param limits idle timeout and request head bounds of the listener ({@code est.idleTimeout},
 *   {@code est.maxHeaderSize}, {@code est.maxInitialLineLength}, {@code est.requestHeadTimeout})
 */
public record EstConfig(String host, int port, Duration certificateValidity, long maxBodySize, Duration retryAfter,
                        List<Profile> profiles, HttpServerLimits limits) {

  /** The path prefix of RFC 7030. */
  public static final String WELL_KNOWN_PATH = "/.well-known/est";

  /** The profile of requests without a label. */
  public static final String DEFAULT_PROFILE = "default";

  /**
   * A certificate profile selected by an EST label.
   *
   * @param name the label
   * @param validity validity of its certificates
   * @param manualApproval whether an operator approves each request (202 until then)
   */
  public record Profile(String name, Duration validity, boolean manualApproval) {

    public Profile {
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(validity, "validity");
    }

    static Profile fromMap(Map<String, Object> map, Duration defaultValidity) {
      Object validity = map.get("validity");
      return new Profile((String) map.get("name"),
        validity == null ? defaultValidity : Durations.parse(String.valueOf(validity)),
        "manual".equals(map.get("approval")));
    }

    Map<String, Object> toMap() {
      Map<String, Object> map = new LinkedHashMap<>();
      map.put("name", name);
      map.put("validity", Durations.format(validity));
      map.put("approval", manualApproval ? "manual" : "auto");
      return map;
    }
  }

  public EstConfig {
    profiles = List.copyOf(profiles);
  }

  /** As before profiles existed: no labels. */
  public EstConfig(String host, int port, Duration certificateValidity, long maxBodySize, Duration retryAfter) {
    this(host, port, certificateValidity, maxBodySize, retryAfter, List.of(), HttpServerLimits.defaults());
  }

  /** The profile of requests without a label: validity {@code est.certificateValidity}, automatic approval. */
  public Profile defaultProfile() {
    return new Profile(DEFAULT_PROFILE, certificateValidity, false);
  }

  /** The profile of a label, if configured. */
  public Optional<Profile> profile(String label) {
    return profiles.stream().filter(p -> p.name().equals(label)).findFirst();
  }

  /**
   * @param config the validated configuration
   * @return the EST settings
   */
  public static EstConfig from(LoadedConfig config) {
    Duration validity = config.duration(ConfigKeys.EST_CERTIFICATE_VALIDITY);
    return new EstConfig(config.string(ConfigKeys.EST_HOST), config.integer(ConfigKeys.EST_PORT), validity,
      config.byteSize(ConfigKeys.EST_MAX_BODY_SIZE), config.duration(ConfigKeys.EST_RETRY_AFTER),
      config.objects(ConfigKeys.EST_PROFILES).stream().map(map -> Profile.fromMap(map, validity)).toList(),
      HttpServerLimits.est(config));
  }

  void writeTo(ConfigJson out) {
    out.put(ConfigKeys.EST_HOST, host)
      .put(ConfigKeys.EST_PORT, port)
      .put(ConfigKeys.EST_CERTIFICATE_VALIDITY, certificateValidity)
      .put(ConfigKeys.EST_MAX_BODY_SIZE, maxBodySize)
      .put(ConfigKeys.EST_RETRY_AFTER, retryAfter)
      .put(ConfigKeys.EST_IDLE_TIMEOUT, limits.idleTimeout())
      .put(ConfigKeys.EST_MAX_HEADER_SIZE, (long) limits.maxHeaderSize())
      .put(ConfigKeys.EST_MAX_INITIAL_LINE_LENGTH, (long) limits.maxInitialLineLength())
      .put(ConfigKeys.EST_REQUEST_HEAD_TIMEOUT, limits.requestHeadTimeout())
      .put(ConfigKeys.EST_PROFILES, profiles.stream().map(Profile::toMap).toList());
  }
}
