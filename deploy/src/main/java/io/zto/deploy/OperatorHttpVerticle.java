package io.zto.deploy;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.micrometer.PrometheusScrapingHandler;
import io.zto.deploy.console.ConsoleRoutes;
import io.zto.shared.bus.Addresses;
import io.zto.shared.bus.BusFailure;
import io.zto.shared.bus.HealthReport;
import io.zto.shared.config.HttpConfig;
import io.zto.shared.config.Role;
import io.zto.shared.config.ZtoConfig;
import io.zto.shared.net.ListenFailure;
import io.zto.shared.net.RequestHeadTimeout;
import io.zto.shared.pki.Der;
import io.zto.shared.pki.Fingerprints;
import io.zto.shared.pki.PlatformPki;
import io.zto.shared.store.AuditRepository;
import io.zto.shared.store.Database;
import io.zto.shared.store.RefusalAggregator;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * The operator HTTP listener of a node (port 8080, localhost unless configured): {@code /health},
 * {@code /metrics}, CRLs under {@code /crl/}, the issuing CA certificate at
 * {@code /ca/issuing.crt} (the AIA caIssuers URL), the bearer-token API under {@code /api/v1}, and the
 * operator console under {@code /console/} ({@code GET /} leads there; it calls the API). Runs on
 * every node whatever its roles, so each node answers its own health.
 */
public final class OperatorHttpVerticle extends VerticleBase {

  private static final long HEALTH_TIMEOUT_MS = 2_000;
  /** How often the counts of repeated refusals reach their audit rows. */
  private static final long REFUSAL_FLUSH_MS = 5_000;

  private final ZtoConfig config;
  private final Database db;
  private final String adminToken;
  private final PrometheusMeterRegistry registry;
  private final String nodeId;
  private final X509Certificate issuingCa;
  private HttpServer server;
  private RefusalAggregator refusals;
  private long flushTimer = -1;

  public OperatorHttpVerticle(ZtoConfig config, Database db, String adminToken, PrometheusMeterRegistry registry,
                              String nodeId, X509Certificate issuingCa) {
    this.issuingCa = issuingCa;
    this.config = config;
    this.db = db;
    this.adminToken = adminToken;
    this.registry = registry;
    this.nodeId = nodeId;
  }

  @Override
  public Future<?> start() {
    return OperatorApi.load(vertx, db, config.crl(), Fingerprints.sha256(issuingCa), nodeId,
        config.provisioning().renewalWarningPercent())
        .compose(api -> api.router().compose(apiRouter -> listen(api, apiRouter)));
  }

  private Future<HttpServer> listen(OperatorApi api, Router apiRouter) {
    AuditRepository audit = new AuditRepository(db);
    Router router = Router.router(vertx);
    ConsoleRoutes.mount(router);
    router.get("/health").handler(this::health);
    router.get("/metrics").handler(PrometheusScrapingHandler.create(registry));
    router.get("/crl/:file").handler(this::crl);
    Buffer issuingDer = Buffer.buffer(Der.encode(issuingCa));
    router.get("/ca/" + PlatformPki.ISSUING_CA + ".crt").handler(ctx -> ctx.response()
        .putHeader("Content-Type", "application/pkix-cert").end(issuingDer));
    router.get("/api/v1/openapi.yaml").handler(ctx -> ctx.response()
        .putHeader("Content-Type", "application/yaml; charset=utf-8").end(api.yaml()));
    // authentication first: an unauthenticated request is answered without its body ever being read
    refusals = new RefusalAggregator(audit, config.audit().refusalWindow(), Clock.systemUTC());
    flushTimer = vertx.setPeriodic(REFUSAL_FLUSH_MS, id -> refusals.flush());
    router.route("/api/v1/*").handler(new BearerAuth(adminToken, refusals));
    router.route("/api/v1/*").handler(OperatorApi.bodyHandler(config.http()));
    router.route("/api/v1/*").subRouter(apiRouter);
    router.route().last().handler(ctx -> ApiErrors.send(ctx, 404, "not_found", "no such resource: " + ctx.request().path()));
    router.route().failureHandler(ctx -> failure(ctx, config.http()));

    String host = config.http().host();
    int port = config.http().port();
    RequestHeadTimeout.install(vertx, router, config.http().limits().requestHeadTimeout());
    return vertx.createHttpServer(config.http().limits().applyTo(new HttpServerOptions().setHost(host).setPort(port)))
        .requestHandler(router)
        .listen()
        .recover(failure -> ListenFailure.describe(failure, "operator HTTP", host, port, "http.port"))
        .onSuccess(s -> server = s);
  }

  @Override
  public Future<?> stop() {
    vertx.cancelTimer(flushTimer);
    return refusals == null ? Future.succeededFuture() : refusals.flush();
  }

  /** The port actually bound (differs from the config when it asked for 0). */
  public int actualPort() {
    return server.actualPort();
  }

  private void health(RoutingContext ctx) {
    List<Future<HealthReport>> checks = new ArrayList<>();
    checks.add(db.ping().map(ok -> HealthReport.up("database", new JsonObject().put("kind", db.kind())))
        .otherwise(failure -> HealthReport.down("database", failure.getMessage())));
    for (Role role : config.node().roles()) {
      checks.add(vertx.eventBus().<JsonObject>request(Addresses.health(role.label()), null,
              new DeliveryOptions().setSendTimeout(HEALTH_TIMEOUT_MS))
          .map(reply -> HealthReport.fromJson(reply.body()))
          .otherwise(failure -> HealthReport.down(role.label(), "not answering: " + failure.getMessage())));
    }
    Future.join(checks).onComplete(done -> {
      JsonArray components = new JsonArray();
      boolean up = true;
      for (Future<HealthReport> check : checks) {
        components.add(check.result().toJson());
        up &= check.result().up();
      }
      ctx.response().setStatusCode(up ? 200 : 503).putHeader("Content-Type", "application/json")
          .end(new JsonObject().put("status", up ? "UP" : "DOWN").put("node", nodeId)
              .put("components", components).encode());
    });
  }

  private void crl(RoutingContext ctx) {
    String file = ctx.pathParam("file");
    if (!file.endsWith(".crl")) {
      ApiErrors.send(ctx, 404, "not_found", "CRLs are served as /crl/<ca>.crl");
      return;
    }
    String ca = file.substring(0, file.length() - 4);
    vertx.eventBus().<JsonObject>request(Addresses.CRL_GET, new JsonObject().put("ca", ca))
        .onSuccess(reply -> ctx.response().putHeader("Content-Type", "application/pkix-crl")
            .end(io.vertx.core.buffer.Buffer.buffer(Base64.getDecoder().decode(reply.body().getString("der")))))
        .onFailure(failure -> {
          int status = BusFailure.status(failure);
          ApiErrors.send(ctx, status, ApiErrors.code(status), failure.getMessage());
        });
  }

  private static void failure(RoutingContext ctx, HttpConfig http) {
    int status = ctx.statusCode() > 0 ? ctx.statusCode() : 500;
    if (status == 413) {
      ApiErrors.send(ctx, 413, ApiErrors.code(413), OperatorApi.tooLarge(ctx, http));
      return;
    }
    if (status >= 500) {
      ApiResponses.fail(ctx, ctx.failure() == null ? new IllegalStateException("status " + status) : ctx.failure());
      return;
    }
    ApiErrors.send(ctx, status, ApiErrors.code(status), reason(ctx.failure()));
  }

  /** The most specific message: validation failures carry what is wrong in their cause. */
  private static String reason(Throwable failure) {
    if (failure == null) {
      return "request refused";
    }
    Throwable cause = failure.getCause() != null ? failure.getCause() : failure;
    return cause.getMessage() == null ? failure.getMessage() : cause.getMessage();
  }
}
