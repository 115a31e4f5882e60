package io.zto.crl;

import io.micrometer.core.instrument.Gauge;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonObject;
import io.zto.shared.Platform;
import io.zto.shared.bus.Addresses;
import io.zto.shared.bus.BusFailure;
import io.zto.shared.bus.HealthReport;
import io.vertx.ext.web.client.WebClient;
import io.zto.shared.cluster.LeaderLease;
import io.zto.shared.config.Role;
import io.zto.shared.domain.CrlSource;
import io.zto.shared.domain.IssuedCrl;
import io.zto.shared.net.Health;
import io.zto.shared.pki.Fingerprints;
import io.zto.shared.pki.PlatformPki;
import io.zto.shared.store.AuditRepository;
import io.zto.shared.store.CertificateRepository;
import io.zto.shared.store.CrlSourceRepository;
import io.zto.shared.store.DeviceRepository;
import io.zto.shared.store.IssuedCrlRepository;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the platform's CRLs and the list of blocked certificates and devices true to the PKIs: serves and
 * reissues the issuing CA's own CRL ({@link Addresses#CRL_GET}, {@link Addresses#CRL_REISSUE}) and renews
 * it at half its validity; fetches, verifies and applies the external CRL sources when due
 * ({@link CrlSourceScheduler}) or when asked ({@link Addresses#CRL_REFRESH}), announcing every change on
 * {@link Addresses#REVOCATION_EVENTS}; reports stale sources in its health and metrics. Runs the revocation
 * service ({@link RevocationService}, {@link Addresses#REVOCATION_REQUEST}), the one owner of revoking
 * certificates and blocking devices, since it is the one that reissues the CRL.
 */
public final class CrlVerticle extends VerticleBase {

  /** How often the CRL's freshness is checked; it is reissued at half its validity. */
  static final Duration CHECK_INTERVAL = Duration.ofMinutes(5);

  private static final Logger LOG = LoggerFactory.getLogger(CrlVerticle.class);

  /** The name of the lease whose holder renews CRLs (and fetches external ones) for the whole cluster. */
  public static final String LEASE = "crl";

  private final Platform platform;
  private final CrlSyncOptions options;
  private OwnCrlIssuer issuer;
  private LeaderLease lease;
  private CrlSourceRepository sources;
  private CrlSourceScheduler scheduler;
  private CrlSourceStatus status;
  private RevocationService revocations;

  public CrlVerticle(Platform platform) {
    this(platform, new CrlSyncOptions().setFetchTimeout(platform.config().crl().fetchTimeout()));
  }

  public CrlVerticle(Platform platform, CrlSyncOptions options) {
    this.platform = platform;
    this.options = options;
  }

  @Override
  public Future<?> start() {
    issuer = new OwnCrlIssuer(vertx, PlatformPki.ISSUING_CA, platform.pki().crlBuilder(),
        new CertificateRepository(platform.db()), new IssuedCrlRepository(platform.db()),
        platform.config().crl().nextUpdateInterval(), Clock.systemUTC());
    lease = LeaderLease.create(vertx, platform.db(), LEASE, platform.nodeId(), platform.config().cluster().leaseTtl());
    Gauge.builder("zto.leader", lease, l -> l.isLeader() ? 1 : 0).tag("lease", LEASE)
        .description("1 on the node that holds the lease of this duty, 0 on the others").register(platform.metrics());
    long interval = Math.min(CHECK_INTERVAL.toMillis(), platform.config().crl().nextUpdateInterval().toMillis() / 4);
    // one node renews for the cluster; GET still reissues on any node when it finds the CRL stale
    vertx.setPeriodic(Math.max(interval, 1_000), id -> {
      if (lease.isLeader()) {
        issuer.current().onFailure(failure -> LOG.warn("cannot renew the CRL of {}: {}", PlatformPki.ISSUING_CA,
            failure.getMessage()));
      }
    });
    revocations = new RevocationService(vertx, new CertificateRepository(platform.db()),
        new DeviceRepository(platform.db()), new CrlSourceRepository(platform.db()), new AuditRepository(platform.db()),
        issuer, Fingerprints.sha256(platform.pki().issuingCertificate()), platform.nodeId(), Clock.systemUTC());
    startSources();
    return Future.join(List.of(
        revocations.start(),
        vertx.eventBus().<JsonObject>consumer(Addresses.CRL_GET, msg -> answer(msg, false)).completion(),
        vertx.eventBus().<JsonObject>consumer(Addresses.CRL_REISSUE, msg -> answer(msg, true)).completion(),
        vertx.eventBus().<JsonObject>consumer(Addresses.CRL_REFRESH, this::refresh).completion(),
        Health.register(vertx, Role.CRL.label(), () -> HealthReport.up(Role.CRL.label(),
            status.health().put("database", platform.db().kind()).put("leader", lease.leader())
                .put("isLeader", lease.isLeader()))),
        lease.start(),
        issuer.current()));
  }

  @Override
  public Future<?> stop() {
    return lease == null ? Future.succeededFuture() : lease.stop();
  }

  /** The CRL duty's lease: gate every periodic cluster-wide duty (renewal, external fetches) on it. */
  public LeaderLease lease() {
    return lease;
  }

  private void startSources() {
    Clock clock = Clock.systemUTC();
    sources = new CrlSourceRepository(platform.db(), vertx);
    CrlSourceMetrics metrics = new CrlSourceMetrics(platform.metrics(), clock);
    status = new CrlSourceStatus(metrics, clock, revocations);
    CrlFetcher fetcher = new CrlFetcher(vertx, WebClient.create(vertx, options.webClientOptions()),
        options.maxCrlBytes(), options.fetchTimeout());
    CrlSourceSync sync = new CrlSourceSync(vertx, sources, new AuditRepository(platform.db()), fetcher, metrics,
        revocations, platform.nodeId(), clock);
    scheduler = new CrlSourceScheduler(vertx, sources, sync, options.tick(), clock, status::update);
    scheduler.watch();
    // only the lease holder fetches for the cluster: started when this node wins the lease, stopped when it loses it
    lease.leadershipHandler(leader -> {
      if (leader) {
        scheduler.start();
      } else {
        scheduler.stop();
      }
    });
  }

  private void refresh(Message<JsonObject> msg) {
    String id = msg.body() == null ? null : msg.body().getString("id");
    if (CrlSource.PLATFORM_ID.equals(id)) {
      issuer.reissue().onSuccess(crl -> msg.reply(new JsonObject().put("id", id).put("outcome", "accepted")
              .put("thisUpdate", crl.thisUpdate().toString()).put("nextUpdate", crl.nextUpdate().toString())))
          .onFailure(failure -> msg.fail(BusFailure.INTERNAL, "cannot issue the CRL: " + failure.getMessage()));
      return;
    }
    sources.get(id == null ? "" : id).onSuccess(found -> {
      if (found.isEmpty()) {
        msg.fail(BusFailure.NOT_FOUND, "no CRL source with id '" + id + "'");
      } else {
        scheduler.refreshNow(found.get()).onSuccess(msg::reply)
            .onFailure(failure -> msg.fail(BusFailure.INTERNAL, failure.getMessage()));
      }
    }).onFailure(failure -> msg.fail(BusFailure.UNAVAILABLE, "cannot read the CRL sources: " + failure.getMessage()));
  }

  private void answer(Message<JsonObject> msg, boolean reissue) {
    String ca = msg.body() == null ? null : msg.body().getString("ca");
    if (!PlatformPki.ISSUING_CA.equals(ca)) {
      msg.fail(BusFailure.NOT_FOUND, "no CRL for CA '" + ca + "'; the platform's CA is '" + PlatformPki.ISSUING_CA + "'");
      return;
    }
    (reissue ? issuer.reissue() : issuer.current())
        .onSuccess(crl -> msg.reply(json(crl)))
        .onFailure(failure -> msg.fail(BusFailure.INTERNAL, "cannot issue the CRL: " + failure.getMessage()));
  }

  private static JsonObject json(IssuedCrl crl) {
    return new JsonObject().put("ca", crl.ca()).put("thisUpdate", crl.thisUpdate().toString())
        .put("nextUpdate", crl.nextUpdate().toString()).put("der", Base64.getEncoder().encodeToString(crl.der()));
  }
}
