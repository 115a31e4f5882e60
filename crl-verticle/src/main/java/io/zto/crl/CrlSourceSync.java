package io.zto.crl;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.zto.crl.CrlSyncFailure.Kind;
import io.zto.shared.domain.AuditEvent;
import io.zto.shared.domain.CrlSource;
import io.zto.shared.domain.RevocationReason;
import io.zto.shared.pki.Pem;
import io.zto.shared.store.AuditRepository;
import io.zto.shared.store.CrlSourceRepository;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One refresh of a CRL source: fetch, parse and verify off the event loop, apply to the stored entries,
 * announce each change through the {@link RevocationService}. Only the node whose transaction applied a
 * CRL announces its changes, so a cluster where several nodes fetch the same source announces each
 * change once. A failure of any kind leaves the entries as they were and is recorded on the source
 * (lastError, failures), audited, counted and logged.
 */
final class CrlSourceSync {

  /** Who the audit log names for what the CRL verticle does on its own. */
  static final String ACTOR = "crl-sync";

  private static final Logger LOG = LoggerFactory.getLogger(CrlSourceSync.class);

  private final Vertx vertx;
  private final CrlSourceRepository sources;
  private final AuditRepository audit;
  private final CrlFetcher fetcher;
  private final CrlSourceMetrics metrics;
  private final RevocationService revocations;
  private final String nodeId;
  private final Clock clock;

  CrlSourceSync(Vertx vertx, CrlSourceRepository sources, AuditRepository audit, CrlFetcher fetcher,
                CrlSourceMetrics metrics, RevocationService revocations, String nodeId, Clock clock) {
    this.vertx = vertx;
    this.sources = sources;
    this.audit = audit;
    this.fetcher = fetcher;
    this.metrics = metrics;
    this.revocations = revocations;
    this.nodeId = nodeId;
    this.clock = clock;
  }

  /**
   * Refreshes the source once. Never fails: the outcome says {@code accepted}, {@code unchanged},
   * {@code superseded} (another node applied a newer CRL meanwhile) or {@code failed} with the error, and
   * {@code tookMs} from the request to the changes announced.
   */
  Future<JsonObject> refresh(CrlSource source) {
    Instant at = clock.instant();
    long start = System.nanoTime();
    return fetcher.fetch(source)
        .compose(fetched -> fetched.notModified() ? unchanged(source, at, "304 Not Modified")
            : vertx.executeBlocking(() -> new CrlVerifier(Pem.readCertificate(source.issuerPem()))
                .verify(fetched.body(), source, clock.instant()), false)
            .compose(crl -> crl.unchanged() ? unchanged(source, at, "same CRL number " + crl.number())
                : accept(source, fetched, crl, at)))
        .recover(failure -> failed(source, failure, at))
        .map(outcome -> {
          Duration took = Duration.ofNanos(System.nanoTime() - start);
          metrics.fetched(source.id(), outcome.getString("outcome"), took);
          return outcome.put("tookMs", took.toMillis());
        });
  }

  private Future<JsonObject> unchanged(CrlSource source, Instant at, String why) {
    if (source.nextUpdate() != null && at.isAfter(source.nextUpdate())) {
      return Future.failedFuture(new CrlSyncFailure(Kind.EXPIRED, "the server has nothing newer (" + why
          + ") but the CRL held expired at its nextUpdate " + source.nextUpdate()));
    }
    return sources.recordUnchanged(source.id(), at)
        .map(ignored -> outcome(source, "unchanged").put("crlNumber", source.crlNumber()));
  }

  private Future<JsonObject> accept(CrlSource source, CrlFetcher.Fetched fetched, CrlVerifier.Verified crl,
                                    Instant at) {
    CrlSource.FetchState state = new CrlSource.FetchState(fetched.etag(), fetched.lastModified(),
        crl.number().toString(), null, crl.thisUpdate(), crl.nextUpdate(), at);
    Future<Optional<CrlSource.Diff>> applied = crl.delta()
        ? sources.applyDelta(source.id(), state, crl.baseNumber().toString(), crl.entries(), crl.released())
        : sources.replaceEntries(source.id(), state, crl.entries());
    return applied.compose(diff -> diff.isEmpty()
        ? Future.succeededFuture(outcome(source, "superseded").put("crlNumber", crl.number().toString()))
        : announce(source, crl, diff.get(), at));
  }

  private Future<JsonObject> announce(CrlSource source, CrlVerifier.Verified crl, CrlSource.Diff diff, Instant at) {
    String kind = crl.delta() ? "delta CRL" : "CRL";
    LOG.info("CRL source {} ({}): accepted {} {}: {} listed, {} released", source.id(), source.url(), kind,
        crl.number(), diff.added().size(), diff.removed().size());
    JsonObject details = new JsonObject().put("url", source.url()).put("crlNumber", crl.number().toString())
        .put("delta", crl.delta()).put("added", diff.added().size()).put("removed", diff.removed().size());
    String released = crl.delta() ? RevocationReason.REMOVE_FROM_CRL.rfcName() : "no longer listed";
    return revocations.sourceChanged(source, diff, crl.entries(), released, at)
        .compose(published -> audit.append(AuditEvent.succeeded(ACTOR, "crl-source.sync", source.id())
            .withDetails(details).withNode(nodeId)))
        .map(ignored -> outcome(source, "accepted").mergeIn(details));
  }

  private Future<JsonObject> failed(CrlSource source, Throwable cause, Instant at) {
    CrlSyncFailure failure = cause instanceof CrlSyncFailure known ? known
        : new CrlSyncFailure(Kind.INTERNAL, String.valueOf(cause.getMessage()));
    String error = failure.kind().label() + ": " + failure.getMessage();
    LOG.warn("CRL source {} ({}): {}; its entries stay as they were", source.id(), source.url(), error);
    metrics.failed(source.id(), failure.kind());
    AuditEvent event = new AuditEvent(0, at, ACTOR, "crl-source.fetch", source.id(),
        failure.refusal() ? AuditEvent.Outcome.REFUSED : AuditEvent.Outcome.FAILED, error,
        new JsonObject().put("url", source.url()).put("kind", failure.kind().label()), nodeId);
    return sources.recordFailure(source.id(), error, at)
        .compose(recorded -> audit.append(event))
        .otherwise(e -> {
          LOG.warn("CRL source {}: cannot record the failure: {}", source.id(), e.getMessage());
          return 0L;
        })
        .map(ignored -> outcome(source, "failed").put("kind", failure.kind().label()).put("error", error));
  }

  private static JsonObject outcome(CrlSource source, String outcome) {
    return new JsonObject().put("id", source.id()).put("outcome", outcome);
  }
}
