package io.zto.crl;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.zto.shared.domain.CrlSource;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The CRL sources in the platform registry (exported on /metrics): per source a stale flag, seconds
 * since it is stale and since its last success (from the stored state, so every node reports the same),
 * fetch outcomes, failures by kind, and the time a sync took.
 */
final class CrlSourceMetrics {

  private final MeterRegistry registry;
  private final Clock clock;
  private final Map<String, CrlSource> sources = new ConcurrentHashMap<>();
  private final Map<String, List<Meter>> gauges = new ConcurrentHashMap<>();

  CrlSourceMetrics(MeterRegistry registry, Clock clock) {
    this.registry = registry;
    this.clock = clock;
  }

  /** The sources as now stored: gauges for new ones, none for deleted ones. */
  void update(Collection<CrlSource> current) {
    Set<String> ids = new HashSet<>();
    for (CrlSource source : current) {
      ids.add(source.id());
      sources.put(source.id(), source);
      gauges.computeIfAbsent(source.id(), this::register);
    }
    for (String id : new ArrayList<>(gauges.keySet())) {
      if (!ids.contains(id)) {
        gauges.remove(id).forEach(registry::remove);
        sources.remove(id);
      }
    }
  }

  private List<Meter> register(String id) {
    return List.of(
        Gauge.builder("zto.crl.source.stale", () -> staleSeconds(id) >= 0 ? 1 : 0).tag("source", id)
            .description("1 while the source's CRL is past its nextUpdate (or none was ever accepted)")
            .register(registry),
        Gauge.builder("zto.crl.source.stale.seconds", () -> Math.max(0, staleSeconds(id))).tag("source", id)
            .description("seconds since the source became stale, 0 while fresh").register(registry),
        Gauge.builder("zto.crl.source.since.success.seconds", () -> sinceSuccess(id)).tag("source", id)
            .description("seconds since the last successful fetch (NaN before the first)").register(registry),
        Gauge.builder("zto.crl.source.failures", () -> failures(id)).tag("source", id)
            .description("failed fetches since the last success").register(registry));
  }

  private double staleSeconds(String id) {
    CrlSource source = sources.get(id);
    Instant now = clock.instant();
    return source == null ? -1 : source.staleSince(now).map(since -> (double) Duration.between(since, now).toSeconds())
        .orElse(-1.0);
  }

  private double sinceSuccess(String id) {
    CrlSource source = sources.get(id);
    return source == null || source.lastSuccessAt() == null ? Double.NaN
        : Duration.between(source.lastSuccessAt(), clock.instant()).toSeconds();
  }

  private double failures(String id) {
    CrlSource source = sources.get(id);
    return source == null ? 0 : source.failures();
  }

  /** One fetch ended: accepted, unchanged, superseded or failed. */
  void fetched(String sourceId, String outcome, Duration took) {
    Counter.builder("zto.crl.source.fetches").tag("source", sourceId).tag("outcome", outcome).register(registry)
        .increment();
    Timer.builder("zto.crl.source.sync").tag("source", sourceId).register(registry).record(took);
  }

  /** One fetch failed, by kind (bad-signature, rollback, timeout...). */
  void failed(String sourceId, CrlSyncFailure.Kind kind) {
    Counter.builder("zto.crl.source.fetch.failures").tag("source", sourceId).tag("kind", kind.label())
        .register(registry).increment();
  }
}
