package io.zto.simulator;

import java.time.Duration;

/**
 * How a device agent behaves.
 *
 * @param telemetryInterval how often it publishes telemetry; zero for never
 * @param provisioningTimeout how long it waits for a final provisioning answer (pending included)
 * @param renewAt fraction of the certificate's lifetime after which it re-enrolls (2/3 by default)
 * @param backoffBase first wait after a refusal or a lost connection; doubled up to {@code backoffMax}, with jitter
 * @param maxAttempts provisioning attempts before the agent gives up; 0 for unbounded
 */
public record AgentOptions(Duration telemetryInterval, Duration provisioningTimeout, double renewAt,
                           Duration backoffBase, Duration backoffMax, int maxAttempts) {

  public static final Duration DEFAULT_TELEMETRY_INTERVAL = Duration.ofSeconds(30);
  public static final Duration DEFAULT_PROVISIONING_TIMEOUT = Duration.ofMinutes(10);
  public static final double DEFAULT_RENEW_AT = 2.0 / 3.0;
  public static final Duration DEFAULT_BACKOFF_BASE = Duration.ofSeconds(1);
  public static final Duration DEFAULT_BACKOFF_MAX = Duration.ofMinutes(5);

  public AgentOptions {
    if (renewAt <= 0 || renewAt >= 1) {
      throw new IllegalArgumentException("renewAt must be between 0 and 1, got " + renewAt);
    }
  }

  public static AgentOptions defaults() {
    return new AgentOptions(DEFAULT_TELEMETRY_INTERVAL, DEFAULT_PROVISIONING_TIMEOUT, DEFAULT_RENEW_AT,
        DEFAULT_BACKOFF_BASE, DEFAULT_BACKOFF_MAX, 0);
  }

  public AgentOptions withTelemetryInterval(Duration value) {
    return new AgentOptions(value, provisioningTimeout, renewAt, backoffBase, backoffMax, maxAttempts);
  }

  public AgentOptions withMaxAttempts(int value) {
    return new AgentOptions(telemetryInterval, provisioningTimeout, renewAt, backoffBase, backoffMax, value);
  }

  public AgentOptions withBackoff(Duration base, Duration max) {
    return new AgentOptions(telemetryInterval, provisioningTimeout, renewAt, base, max, maxAttempts);
  }

  /** The wait before attempt {@code attempt} (1-based): exponential, capped, with full jitter. */
  Duration backoff(int attempt) {
    long cap = Math.min(backoffMax.toMillis(), backoffBase.toMillis() << Math.min(attempt - 1, 20));
    return Duration.ofMillis(cap / 2 + (long) (Math.random() * (cap / 2 + 1)));
  }
}
