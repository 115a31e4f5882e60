package io.zto.deploy;

import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Deployable;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxBuilder;
import io.vertx.core.VertxOptions;
import io.vertx.micrometer.MicrometerMetricsFactory;
import io.vertx.micrometer.MicrometerMetricsOptions;
import io.vertx.micrometer.VertxPrometheusOptions;
import io.zto.broker.BrokerVerticle;
import io.zto.crl.CrlVerticle;
import io.zto.est.EstVerticle;
import io.zto.provisioning.ProvisioningVerticle;
import io.zto.shared.Platform;
import io.zto.shared.cluster.ClusterPki;
import io.zto.shared.config.PkiConfig;
import io.zto.shared.config.Role;
import io.zto.shared.config.ZtoConfig;
import io.zto.shared.pki.CaKeystoreSettings;
import io.zto.shared.pki.DataDirBootstrap;
import io.zto.shared.pki.PlatformPki;
import io.zto.shared.store.Database;
import io.zto.shared.store.DatabaseOptions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.time.Clock;
import io.zto.shared.cluster.NodeCertificates;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One running zto node: a Vert.x instance (clustered when configured), the data dir's PKI material,
 * one database pool, the verticles of its roles and the operator HTTP listener.
 */
public final class Node {

  private static final Logger LOG = LoggerFactory.getLogger(Node.class);
  private static final Map<Role, Function<Platform, Deployable>> VERTICLES = new LinkedHashMap<>();

  static {
    VERTICLES.put(Role.CRL, CrlVerticle::new);
    VERTICLES.put(Role.PROVISIONING, ProvisioningVerticle::new);
    VERTICLES.put(Role.EST, EstVerticle::new);
    VERTICLES.put(Role.BROKER, BrokerVerticle::new);
  }

  private final Vertx vertx;
  private final Platform platform;
  private final OperatorHttpVerticle http;

  private Node(Vertx vertx, Platform platform, OperatorHttpVerticle http) {
    this.vertx = vertx;
    this.platform = platform;
    this.http = http;
  }

  /** Starts a node; on failure everything started so far is closed again. */
  public static Future<Node> start(ZtoConfig config) {
    return start(config, options -> { });
  }

  /** As {@link #start(ZtoConfig)}, letting tests tighten the Vert.x options (e.g. the blocked-thread checker). */
  static Future<Node> start(ZtoConfig config, Consumer<VertxOptions> tuning) {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    bindJvmMetrics(registry);
    if (config.cluster().enabled() && config.cluster().eventBusTls()) {
      // the event bus's TLS identity is the node's server certificate, which the PKI bootstrap makes (from the
      // cluster's shared CA, read from the database with cluster.secretFile): bootstrap on a short-lived local
      // instance first, then join the cluster with it
      return bootstrapAlone(config).compose(material -> vertx(config, registry, tuning, material.node())
          .compose(vertx -> start(vertx, config, registry, Future.succeededFuture(material.pki()))
              .onFailure(failure -> vertx.close())));
    }
    // Not chained on close(): a callback on an event loop of the closing instance would never run.
    return vertx(config, registry, tuning, null).compose(vertx -> start(vertx, config, registry, null)
        .onFailure(failure -> vertx.close()));
  }

  /** The PKI material and the node's event-bus identity. */
  private record Material(PlatformPki pki, NodeCertificates.NodeIdentity node) {}

  /** The PKI material and node identity, read or made on a Vert.x instance of its own that is closed afterwards. */
  private static Future<Material> bootstrapAlone(ZtoConfig config) {
    Vertx local = Vertx.vertx();
    // completed outside the local instance's contexts: a callback on one of them would never run once it closed
    CompletableFuture<Material> material = new CompletableFuture<>();
    Database.open(local, databaseOptions(config))
        .compose(db -> pki(local, db, config).eventually(db::close))
        .compose(pki -> local.executeBlocking(() -> new Material(pki,
            NodeCertificates.issue(pki, config.cluster().host(), Clock.systemUTC()))))
        .onComplete(done -> {
          local.close();
          if (done.succeeded()) {
            material.complete(done.result());
          } else {
            material.completeExceptionally(done.cause());
          }
        });
    return Future.fromCompletionStage(material);
  }

  private static Future<Node> start(Vertx vertx, ZtoConfig config, PrometheusMeterRegistry registry,
                                    Future<PlatformPki> material) {
    String nodeId = "node-" + UUID.randomUUID().toString().substring(0, 8);
    LOG.info("Starting node {}{}", nodeId, config.cluster().enabled() ? " in cluster '" + config.cluster().name() + "'" : "");
    return Database.open(vertx, databaseOptions(config))
        .compose(db -> (material != null ? material : pki(vertx, db, config))
            .compose(pki -> deploy(vertx, new Platform(config, db, pki, registry, nodeId)))
            .recover(failure -> db.close().transform(ignored -> Future.failedFuture(failure))));
  }

  /**
   * With {@code cluster.secretFile} the nodes share one CA and token through the database; otherwise each keeps
   * its data dir's (a lone node, or a cluster whose data dirs were seeded alike).
   */
  private static Future<PlatformPki> pki(Vertx vertx, Database db, ZtoConfig config) {
    if (!config.cluster().enabled() || config.cluster().secretFile() == null) {
      if (config.cluster().enabled()) {
        LOG.warn("cluster.secretFile is not set: this node uses its own data dir's CA, token and credentials,"
            + " which must be the same on every node (seeded from one node, see docs/deploy.md)");
      }
      return vertx.executeBlocking(() -> bootstrap(config), false);
    }
    return new ClusterPki(vertx, db, config.node().dataDir(), caKeystoreSettings(config), config.cluster().secretFile(),
        () -> bootstrap(config)).bootstrap();
  }

  private static Future<Node> deploy(Vertx vertx, Platform platform) {
    List<Role> roles = new ArrayList<>();
    VERTICLES.keySet().stream().filter(platform.config().node()::hasRole).forEach(roles::add);
    Future<?> chain = Future.succeededFuture();
    for (Role role : roles) {
      chain = chain.compose(ignored -> vertx.deployVerticle(VERTICLES.get(role).apply(platform)));
    }
    OperatorHttpVerticle http = new OperatorHttpVerticle(platform.config(), platform.db(), platform.pki().adminToken(),
        (PrometheusMeterRegistry) platform.metrics(), platform.nodeId(), platform.pki().issuingCertificate());
    return chain.compose(ignored -> vertx.deployVerticle(http)).map(ignored -> new Node(vertx, platform, http));
  }

  /** Blocking: key generation and file I/O. Runs on a worker thread. */
  private static PlatformPki bootstrap(ZtoConfig config) {
    return new DataDirBootstrap(config.node().dataDir(), config.node().publicHost())
        .caKeystore(caKeystoreSettings(config))
        .serverCertValidity(config.pki().serverCertificateValidity())
        .bootstrap();
  }

  private static CaKeystoreSettings caKeystoreSettings(ZtoConfig config) {
    var pki = config.pki();
    // the config resolves an unset pki.keystore to the data dir's own; only another path is the operator's
    boolean own = pki.keystore().equals(config.node().dataFile(PkiConfig.KEYSTORE_FILE));
    return own
        ? new CaKeystoreSettings(null, null, pki.rootAlias(), pki.issuingAlias(), pki.commandSigningAlias())
        : new CaKeystoreSettings(pki.keystore(), pki.keystorePasswordFile(), pki.rootAlias(), pki.issuingAlias(),
            pki.commandSigningAlias());
  }

  private static DatabaseOptions databaseOptions(ZtoConfig config) {
    DatabaseOptions options = new DatabaseOptions().setPoolSize(config.db().poolSize());
    return config.db().isEmbedded()
        ? options.setEmbeddedFile(config.db().sqlitePath())
        : options.setUrl(config.db().url());
  }

  /** @param material the node's event-bus identity, or null (not clustered, or no TLS) */
  private static Future<Vertx> vertx(ZtoConfig config, PrometheusMeterRegistry registry, Consumer<VertxOptions> tuning,
                                     NodeCertificates.NodeIdentity material) {
    VertxOptions options = new VertxOptions().setMetricsOptions(new MicrometerMetricsOptions()
        .setEnabled(true)
        .setJvmMetricsEnabled(false)
        .setPrometheusOptions(new VertxPrometheusOptions().setEnabled(true)));
    tuning.accept(options);
    if (config.cluster().enabled()) {
      options.getEventBusOptions().setHost(config.cluster().host()).setPort(config.cluster().eventBusPort());
      if (material != null) {
        EventBusSecurity.apply(options.getEventBusOptions(), material, config.pki().tlsEngine());
        LOG.info("event bus: mutual TLS with node certificates of the cluster node CA, port {}",
            config.cluster().eventBusPort());
      } else {
        LOG.warn("cluster.eventBusTls is false: node-to-node traffic is in clear and unauthenticated");
      }
    }
    VertxBuilder builder = Vertx.builder().with(options).withMetrics(new MicrometerMetricsFactory(registry));
    if (!config.cluster().enabled()) {
      return Future.succeededFuture(builder.build());
    }
    var manager = Clustering.clusterManager(config.cluster());
    return builder.withClusterManager(manager).buildClustered()
        .onSuccess(clustered -> LOG.info("joined cluster '{}' as {} ({} members)", config.cluster().name(),
            manager.getNodeId(), manager.getNodes().size()));
  }

  private static void bindJvmMetrics(PrometheusMeterRegistry registry) {
    new JvmMemoryMetrics().bindTo(registry);
    new JvmGcMetrics().bindTo(registry);
    new JvmThreadMetrics().bindTo(registry);
    new ProcessorMetrics().bindTo(registry);
    new UptimeMetrics().bindTo(registry);
  }

  public Vertx vertx() {
    return vertx;
  }

  public Platform platform() {
    return platform;
  }

  /** The operator HTTP port actually bound. */
  public int httpPort() {
    return http.actualPort();
  }

  /** Undeploys the verticles, closes the database and Vert.x. */
  public Future<Void> stop() {
    List<Future<Void>> undeployed = new ArrayList<>();
    vertx.deploymentIDs().forEach(id -> undeployed.add(vertx.undeploy(id)));
    return Future.join(undeployed)
        .transform(ignored -> platform.db().close())
        .transform(ignored -> vertx.close());
  }
}
