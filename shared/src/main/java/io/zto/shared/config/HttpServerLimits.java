package io.zto.shared.config;

import io.vertx.core.http.HttpServerOptions;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * Bounds of one HTTP listener on what a client may hold or send before its request is handled: how long a
 * connection may stay silent, and how large the request line and headers may be. They keep a client that
 * opens connections and sends nothing, or a head without end, from holding a connection and its memory.
 *
 * @param idleTimeout a connection on which nothing is read or written this long is closed
 * @param maxHeaderSize largest request header block in bytes; beyond it 431
 * @param maxInitialLineLength longest request line (method, path and query, version); beyond it 414
 * @param requestHeadTimeout time from the end of a response within which the next request line and
 *                           headers on the connection must have arrived (applied with
 *                           {@code io.zto.shared.net.RequestHeadTimeout}; a first request's head is bounded
 *                           by the idle timeout)
 */
public record HttpServerLimits(Duration idleTimeout, int maxHeaderSize, int maxInitialLineLength,
                               Duration requestHeadTimeout) {

  /** The limits of the operator HTTP listener ({@code http.*}). */
  static HttpServerLimits http(LoadedConfig config) {
    return new HttpServerLimits(config.duration(ConfigKeys.HTTP_IDLE_TIMEOUT),
        Math.toIntExact(config.byteSize(ConfigKeys.HTTP_MAX_HEADER_SIZE)),
        Math.toIntExact(config.byteSize(ConfigKeys.HTTP_MAX_INITIAL_LINE_LENGTH)),
        config.duration(ConfigKeys.HTTP_REQUEST_HEAD_TIMEOUT));
  }

  /** The limits of the EST listener ({@code est.*}). */
  static HttpServerLimits est(LoadedConfig config) {
    return new HttpServerLimits(config.duration(ConfigKeys.EST_IDLE_TIMEOUT),
        Math.toIntExact(config.byteSize(ConfigKeys.EST_MAX_HEADER_SIZE)),
        Math.toIntExact(config.byteSize(ConfigKeys.EST_MAX_INITIAL_LINE_LENGTH)),
        config.duration(ConfigKeys.EST_REQUEST_HEAD_TIMEOUT));
  }

  /** The defaults of the keys, for settings made in code (tests, tools). */
  public static HttpServerLimits defaults() {
    return new HttpServerLimits(Duration.ofSeconds(60), 8192, 4096, Duration.ofSeconds(30));
  }

  /**
   * @param options the options of the listener
   * @return the same options with the limits that are server options set (all but the head timeout)
   */
  public HttpServerOptions applyTo(HttpServerOptions options) {
    return options.setIdleTimeout(Math.toIntExact(idleTimeout.toMillis())).setIdleTimeoutUnit(TimeUnit.MILLISECONDS)
        .setMaxHeaderSize(maxHeaderSize).setMaxInitialLineLength(maxInitialLineLength);
  }
}
