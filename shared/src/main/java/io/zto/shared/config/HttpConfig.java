package io.zto.shared.config;


/**
 * Settings of the operator HTTP listener (REST API, health, metrics, CRLs).
 *
 * @param host bind address ({@code http.host})
 * @param port port ({@code http.port}); 0 for any free port
 * @param publicBaseUrl effective base URL of CRL distribution points and AIA, without trailing slash
 *   ({@code http.publicBaseUrl}, or derived from the public host and port when not configured)
 * @param maxBodySize largest body of a bulk enrollment import in bytes ({@code http.maxBodySize})
 * @param maxJsonBodySize largest body of every other API call in bytes ({@code http.maxJsonBodySize})
 * @param limits idle timeout and request head bounds of the listener ({@code http.idleTimeout},
 *   {@code http.maxHeaderSize}, {@code http.maxInitialLineLength}, {@code http.requestHeadTimeout})
 */
public record HttpConfig(String host, int port, String publicBaseUrl, long maxBodySize, long maxJsonBodySize,
                         HttpServerLimits limits) {

  /**
   * @param config the validated configuration
   * @return the HTTP settings, with the base URL resolved
   */
  public static HttpConfig from(LoadedConfig config) {
    NodeConfig node = NodeConfig.from(config);
    int port = config.integer(ConfigKeys.HTTP_PORT);
    String base = config.string(ConfigKeys.HTTP_PUBLIC_BASE_URL);
    return new HttpConfig(config.string(ConfigKeys.HTTP_HOST), port,
      base.isEmpty() ? defaultPublicBaseUrl(node, port) : stripSlash(base),
      config.byteSize(ConfigKeys.HTTP_MAX_BODY_SIZE), config.byteSize(ConfigKeys.HTTP_MAX_JSON_BODY_SIZE),
      HttpServerLimits.http(config));
  }

  /**
   * @param node the node settings
   * @param port the HTTP port
   * @return the base URL used when none is configured: {@code http://{publicHost}:{port}}
   */
  public static String defaultPublicBaseUrl(NodeConfig node, int port) {
    return "http://" + node.publicHostForUrl() + ":" + port;
  }

  /**
   * @param caName the CA's file name stem, e.g. {@code issuing}
   * @return the public URL of that CA's CRL, for the CRL distribution point extension
   */
  public String crlUrl(String caName) {
    return url("/crl/" + caName + ".crl");
  }

  /**
   * @param path an absolute path on the operator listener
   * @return the public URL of it
   */
  public String url(String path) {
    return publicBaseUrl + (path.startsWith("/") ? path : "/" + path);
  }

  private static String stripSlash(String url) {
    return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
  }

  void writeTo(ConfigJson out) {
    out.put(ConfigKeys.HTTP_HOST, host)
      .put(ConfigKeys.HTTP_PORT, port)
      .put(ConfigKeys.HTTP_PUBLIC_BASE_URL, publicBaseUrl)
      .put(ConfigKeys.HTTP_MAX_BODY_SIZE, maxBodySize)
      .put(ConfigKeys.HTTP_MAX_JSON_BODY_SIZE, maxJsonBodySize)
      .put(ConfigKeys.HTTP_IDLE_TIMEOUT, limits.idleTimeout())
      .put(ConfigKeys.HTTP_MAX_HEADER_SIZE, (long) limits.maxHeaderSize())
      .put(ConfigKeys.HTTP_MAX_INITIAL_LINE_LENGTH, (long) limits.maxInitialLineLength())
      .put(ConfigKeys.HTTP_REQUEST_HEAD_TIMEOUT, limits.requestHeadTimeout());
  }
}
