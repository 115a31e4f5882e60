package io.zto.crl;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.zto.shared.bus.RevocationEvent;
import io.zto.shared.domain.CrlSource;
import java.time.Clock;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the crl role reports about the sources, from their stored state at the last tick: the metrics,
 * the stale sources for /health, and the moment a refuse-all source turns stale, when the sessions of its
 * issuer's certificates are dropped ({@link RevocationEvent.Kind#ISSUER}).
 */
final class CrlSourceStatus {

  private static final Logger LOG = LoggerFactory.getLogger(CrlSourceStatus.class);

  private final CrlSourceMetrics metrics;
  private final Clock clock;
  private final RevocationService revocations;
  private volatile List<CrlSource> latest = List.of();
  /** Refuse-all sources seen stale at the last tick; null before the first tick. */
  private Set<String> staleRefusing;

  CrlSourceStatus(CrlSourceMetrics metrics, Clock clock, RevocationService revocations) {
    this.metrics = metrics;
    this.clock = clock;
    this.revocations = revocations;
  }

  void update(List<CrlSource> sources) {
    latest = List.copyOf(sources);
    metrics.update(sources);
    Instant now = clock.instant();
    Set<String> refusing = new HashSet<>();
    for (CrlSource source : sources) {
      if (source.stalePolicy() == CrlSource.StalePolicy.REFUSE_ALL && source.staleSince(now).isPresent()) {
        refusing.add(source.id());
        // a source stale when this node started was refused at connect time already: only transitions drop
        if (staleRefusing != null && !staleRefusing.contains(source.id())) {
          LOG.warn("CRL source {} ({}) is stale since {}: refusing every certificate of its issuer", source.id(),
              source.url(), source.staleSince(now).get());
          revocations.issuerStale(source, now);
        }
      }
    }
    staleRefusing = refusing;
  }

  /** For /health: how many sources, and each stale one with since when and its policy. */
  JsonObject health() {
    Instant now = clock.instant();
    JsonArray stale = new JsonArray();
    for (CrlSource source : latest) {
      source.staleSince(now).ifPresent(since -> stale.add(new JsonObject().put("id", source.id())
          .put("url", source.url()).put("staleSince", since.toString())
          .put("stalePolicy", source.stalePolicy().name().toLowerCase(java.util.Locale.ROOT).replace('_', '-'))
          .put("lastError", source.lastError())));
    }
    return new JsonObject().put("crlSources", latest.size()).put("staleCrlSources", stale);
  }
}
