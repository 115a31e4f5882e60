package io.zto.crl;

import io.vertx.ext.web.client.WebClientOptions;
import java.time.Duration;
import java.util.Objects;

/**
 * How the CRL verticle fetches external CRLs. The fetch timeout comes from {@code crl.fetchTimeout}; the
 * rest are fixed defaults that tests (and embedders) may change.
 */
public final class CrlSyncOptions {

  /** Largest CRL body accepted: a 100,000-entry CRL is about 4 MB. */
  public static final long DEFAULT_MAX_CRL_BYTES = 32L * 1024 * 1024;
  /** How often the scheduler looks for due sources (and new ones registered on any node). */
  public static final Duration DEFAULT_TICK = Duration.ofSeconds(1);
  public static final Duration DEFAULT_FETCH_TIMEOUT = Duration.ofSeconds(30);

  private long maxCrlBytes = DEFAULT_MAX_CRL_BYTES;
  private Duration tick = DEFAULT_TICK;
  private Duration fetchTimeout = DEFAULT_FETCH_TIMEOUT;
  private WebClientOptions webClientOptions = defaultWebClientOptions();

  /** HTTP and HTTPS (JDK trust store), redirects followed, connections kept alive. */
  public static WebClientOptions defaultWebClientOptions() {
    return new WebClientOptions().setUserAgent("zto-crl").setFollowRedirects(true).setMaxRedirects(3)
        .setKeepAlive(true);
  }

  public long maxCrlBytes() {
    return maxCrlBytes;
  }

  public CrlSyncOptions setMaxCrlBytes(long maxCrlBytes) {
    if (maxCrlBytes < 1) {
      throw new IllegalArgumentException("maxCrlBytes must be positive");
    }
    this.maxCrlBytes = maxCrlBytes;
    return this;
  }

  public Duration tick() {
    return tick;
  }

  public CrlSyncOptions setTick(Duration tick) {
    this.tick = Objects.requireNonNull(tick, "tick");
    return this;
  }

  public Duration fetchTimeout() {
    return fetchTimeout;
  }

  public CrlSyncOptions setFetchTimeout(Duration fetchTimeout) {
    this.fetchTimeout = Objects.requireNonNull(fetchTimeout, "fetchTimeout");
    return this;
  }

  public WebClientOptions webClientOptions() {
    return webClientOptions;
  }

  /** E.g. with trust options for a test server's HTTPS certificate. */
  public CrlSyncOptions setWebClientOptions(WebClientOptions webClientOptions) {
    this.webClientOptions = Objects.requireNonNull(webClientOptions, "webClientOptions");
    return this;
  }
}
