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
import io.zto.shared.cluster.LeaderLease;
import io.zto.shared.config.Role;
import io.zto.shared.domain.IssuedCrl;
import io.zto.shared.net.Health;
import io.zto.shared.pki.PlatformPki;
import io.zto.shared.store.CertificateRepository;
import io.zto.shared.store.IssuedCrlRepository;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the platform's CRLs and the list of blocked certificates and devices true to the PKIs. This
 * version serves and reissues the issuing CA's own CRL ({@link Addresses#CRL_GET},
 * {@link Addresses#CRL_REISSUE}) and renews it at half its validity; external sources come with the
 * revocation issue.
 */
public final class CrlVerticle extends VerticleBase {

  /** How often the CRL's freshness is checked; it is reissued at half its validity. */
  static final Duration CHECK_INTERVAL = Duration.ofMinutes(5);

  private static final Logger LOG = LoggerFactory.getLogger(CrlVerticle.class);

  /** The name of the lease whose holder renews CRLs (and fetches external ones) for the whole cluster. */
  public static final String LEASE = "crl";

  private final Platform platform;
  private OwnCrlIssuer issuer;
  private LeaderLease lease;

  public CrlVerticle(Platform platform) {
    this.platform = platform;
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
    return Future.join(
        vertx.eventBus().<JsonObject>consumer(Addresses.CRL_GET, msg -> answer(msg, false)).completion(),
        vertx.eventBus().<JsonObject>consumer(Addresses.CRL_REISSUE, msg -> answer(msg, true)).completion(),
        Health.register(vertx, Role.CRL.label(), () -> HealthReport.up(Role.CRL.label(),
            new JsonObject().put("database", platform.db().kind()).put("leader", lease.leader())
                .put("isLeader", lease.isLeader()))),
        lease.start(),
        issuer.current());
  }

  @Override
  public Future<?> stop() {
    return lease == null ? Future.succeededFuture() : lease.stop();
  }

  /** The CRL duty's lease: gate every periodic cluster-wide duty (renewal, external fetches) on {@code isLeader()}. */
  public LeaderLease lease() {
    return lease;
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
