package io.zto.est;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.http.ClientAuth;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import io.zto.shared.Platform;
import io.zto.shared.bus.HealthReport;
import io.zto.shared.config.EstConfig;
import io.zto.shared.config.Role;
import io.zto.shared.domain.AuditEvent;
import io.zto.shared.net.Health;
import io.zto.shared.net.ListenFailure;
import io.zto.shared.net.RequestHeadTimeout;
import io.zto.shared.pki.DeferredClientTrust;
import io.zto.shared.pki.TlsServerOptions;
import java.time.Instant;
import java.util.Map;
import java.util.TreeSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The EST server (RFC 7030) on its HTTPS listener, in front of the platform CA: a router over
 * {@code /.well-known/est[/{label}]/{operation}}, one handler per operation. Client certificates are
 * requested and judged after the handshake, off the event loop ({@link ClientAuthenticator}); every
 * enrollment decision and refusal is audited here.
 */
public final class EstVerticle extends VerticleBase {

  private static final Logger LOG = LoggerFactory.getLogger(EstVerticle.class);
  private static final String DEVICE_ID = "zto.est.deviceId";

  private record Operation(HttpMethod method, EstHandler handler) {}

  private final Platform platform;
  private HttpServer server;
  private WorkerExecutor crypto;
  private volatile Map<String, Operation> operations;
  private volatile String caCerts;

  public EstVerticle(Platform platform) {
    this.platform = platform;
  }

  @Override
  public Future<?> start() {
    crypto = vertx.createSharedWorkerExecutor("zto-est-crypto", Runtime.getRuntime().availableProcessors());
    EstServices services = new EstServices(vertx, platform, crypto);
    // encoding the CA certificates and converting the CA key load Bouncy Castle: not on the event loop
    return vertx.executeBlocking(() -> prepare(services), false).compose(ignored -> listen(services));
  }

  private Void prepare(EstServices services) {
    ClientAuthenticator authenticator = new ClientAuthenticator(services);
    ChallengeCheck challenges = new ChallengeCheck(services);
    EnrollmentPolicy policy = new EnrollmentPolicy(services);
    CertificateIssuer issuer = new CertificateIssuer(services);
    caCerts = CertsOnly.base64(platform.pki().caChain());
    operations = Map.of(
        "cacerts", new Operation(HttpMethod.GET, this::caCerts),
        "csrattrs", new Operation(HttpMethod.GET, new CsrAttrsHandler()),
        SimpleEnrollHandler.OPERATION, new Operation(HttpMethod.POST,
            new SimpleEnrollHandler(services, authenticator, challenges, policy, issuer)),
        SimpleReenrollHandler.OPERATION, new Operation(HttpMethod.POST,
            new SimpleReenrollHandler(services, authenticator, policy, issuer)),
        ServerKeyGenHandler.OPERATION, new Operation(HttpMethod.POST,
            new ServerKeyGenHandler(services, authenticator, challenges, policy, issuer)),
        "fullcmc", new Operation(HttpMethod.POST, (ctx, profile) -> Future.failedFuture(new EstException(501,
            "Full CMC (RFC 7030 section 4.3) is not offered; use simpleenroll or simplereenroll"))));
    return null;
  }

  private Future<?> listen(EstServices services) {
    EstConfig est = platform.config().est();
    HttpServerOptions options = TlsServerOptions.engine(TlsServerOptions.apply(
        est.limits().applyTo(new HttpServerOptions().setHost(est.host()).setPort(est.port())),
        platform.pki().serverTls(), ClientAuth.REQUEST, DeferredClientTrust.options()), platform.config().pki().tlsEngine());
    Router router = Router.router(vertx);
    String base = EstConfig.WELL_KNOWN_PATH;
    router.route(base + "/*").handler(BodyHandler.create(false).setBodyLimit(est.maxBodySize()));
    router.route(base + "/:operation").handler(ctx -> dispatch(ctx, null, ctx.pathParam("operation"), services));
    router.route(base + "/:label/:operation").handler(ctx ->
        dispatch(ctx, ctx.pathParam("label"), ctx.pathParam("operation"), services));
    router.route().last().handler(ctx -> EstHttp.text(ctx, 404, "No such EST resource: " + ctx.request().path()
        + "; the operations are under " + base + "/ and " + base + "/{label}/"));
    router.route().failureHandler(ctx -> routingFailure(ctx, est));
    RequestHeadTimeout.install(vertx, router, est.limits().requestHeadTimeout());
    Future<HttpServer> listening = vertx.createHttpServer(options).requestHandler(router).listen()
        .recover(failure -> ListenFailure.describe(failure, "EST", est.host(), est.port(), "est.port"))
        .onSuccess(s -> server = s);
    return Future.join(listening, Health.register(vertx, Role.EST.label(), this::health));
  }

  @Override
  public Future<?> stop() {
    return crypto == null ? Future.succeededFuture() : crypto.close();
  }

  /** Records the device a request is about, for the audit log of its outcome. */
  static void identify(RoutingContext ctx, String deviceId) {
    ctx.put(DEVICE_ID, deviceId);
  }

  private void dispatch(RoutingContext ctx, String label, String name, EstServices services) {
    EstConfig est = platform.config().est();
    EstConfig.Profile profile = label == null ? est.defaultProfile() : est.profile(label).orElse(null);
    if (profile == null) {
      EstHttp.text(ctx, 404, "No EST label '" + label + "' is configured (est.profiles)");
      return;
    }
    Operation operation = operations.get(name);
    if (operation == null) {
      EstHttp.text(ctx, 404, "No EST operation '" + name + "'; the operations are " + String.join(", ",
          new TreeSet<>(operations.keySet())));
      return;
    }
    if (ctx.request().method() != operation.method()) {
      ctx.response().putHeader("Allow", operation.method().name());
      EstHttp.text(ctx, 405, name + " takes " + operation.method().name());
      return;
    }
    Future<EstOutcome> outcome;
    try {
      outcome = operation.handler().handle(ctx, profile);
    } catch (RuntimeException e) {
      outcome = Future.failedFuture(e);
    }
    String action = "est." + name;
    outcome.onComplete(done -> {
      if (done.succeeded()) {
        EstOutcome result = done.result();
        if (result != null) {
          services.audit(AuditEvent.succeeded(result.deviceId(), action, result.deviceId())
                  .withDetails(new JsonObject().put("serial", result.serial()).put("profile", profile.name())
                      .put("retry", result.retry())))
              .onComplete(audited -> result.answer().handle(ctx));
        }
        return;
      }
      refuse(ctx, action, done.cause(), services);
    });
  }

  private void refuse(RoutingContext ctx, String action, Throwable failure, EstServices services) {
    int status;
    String reason;
    if (failure instanceof EstException e) {
      status = e.status();
      reason = e.getMessage();
      if (e.challenge()) {
        ctx.response().putHeader("WWW-Authenticate", EstHttp.REALM);
      }
    } else {
      LOG.error("EST {} failed", action, failure);
      status = 500;
      reason = "Internal error; see the server log";
    }
    if (status == 202) {
      ctx.response().putHeader("Retry-After", Long.toString(platform.config().est().retryAfter().toSeconds()));
    }
    String device = ctx.get(DEVICE_ID);
    AuditEvent.Outcome outcome = status >= 500 ? AuditEvent.Outcome.FAILED
        : status == 202 ? AuditEvent.Outcome.SUCCEEDED : AuditEvent.Outcome.REFUSED;
    services.audit(new AuditEvent(0, Instant.now(), device == null ? "unknown" : device, action, device, outcome,
            status == 202 ? "pending approval: " + reason : reason,
            new JsonObject().put("status", status).put("remote", String.valueOf(ctx.request().remoteAddress())), null))
        .onComplete(audited -> answerRefusal(ctx, status, reason, failure));
  }

  private static void answerRefusal(RoutingContext ctx, int status, String reason, Throwable failure) {
    if (status == 202 || (failure instanceof EstException e && e.challenge())) {
      // Bouncy Castle's EST client fails on an unread body of a 202 or of the 401 it answers with
      // credentials, so these two carry their reason in a header only
      ctx.response().setStatusCode(status).putHeader(EstHttp.REASON_HEADER, reason).end();
    } else {
      EstHttp.text(ctx, status, reason);
    }
  }

  private static void routingFailure(RoutingContext ctx, EstConfig est) {
    int status = ctx.statusCode() > 0 ? ctx.statusCode() : 500;
    if (status == 413) {
      EstHttp.text(ctx, 413, "The request body is larger than " + est.maxBodySize() + " bytes (est.maxBodySize)");
    } else if (status >= 500) {
      LOG.error("EST request failed", ctx.failure());
      EstHttp.text(ctx, status, "Internal error; see the server log");
    } else {
      EstHttp.text(ctx, status, ctx.failure() == null ? "Request refused" : ctx.failure().getMessage());
    }
  }

  private Future<EstOutcome> caCerts(RoutingContext ctx, EstConfig.Profile profile) {
    EstHttp.base64(ctx, "application/pkcs7-mime", caCerts);
    return Future.succeededFuture();
  }

  private HealthReport health() {
    return HealthReport.up(Role.EST.label(), new JsonObject().put("port", server.actualPort()));
  }

  /** The port actually bound. */
  public int actualPort() {
    return server.actualPort();
  }
}
