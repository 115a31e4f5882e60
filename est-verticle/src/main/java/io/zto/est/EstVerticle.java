package io.zto.est;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.ClientAuth;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.zto.shared.Platform;
import io.zto.shared.bus.HealthReport;
import io.zto.shared.config.EstConfig;
import io.zto.shared.config.Role;
import io.zto.shared.net.Health;
import io.zto.shared.net.ListenFailure;
import io.zto.shared.pki.TlsServerOptions;

/**
 * The EST server (RFC 7030) on its HTTPS listener, in front of the platform CA. It serves the CA
 * certificates; enrollment is the subject of the EST issue and answers 404 until then.
 */
public final class EstVerticle extends VerticleBase {

  private final Platform platform;
  private HttpServer server;
  private String caCerts;

  public EstVerticle(Platform platform) {
    this.platform = platform;
  }

  @Override
  public Future<?> start() {
    caCerts = CaCertsResponse.base64(platform.pki().caChain());
    EstConfig est = platform.config().est();
    HttpServerOptions options = TlsServerOptions.apply(new HttpServerOptions().setHost(est.host()).setPort(est.port()),
        platform.pki().serverTls(), ClientAuth.REQUEST, platform.pki().caChain());
    Router router = Router.router(vertx);
    router.get(EstConfig.WELL_KNOWN_PATH + "/cacerts").handler(this::caCerts);
    router.route().last().handler(ctx -> text(ctx, 404, "no such EST resource: " + ctx.request().path()));
    Future<HttpServer> listening = vertx.createHttpServer(options).requestHandler(router).listen()
        .recover(failure -> ListenFailure.describe(failure, "EST", est.host(), est.port(), "est.port"))
        .onSuccess(s -> server = s);
    return Future.join(listening, Health.register(vertx, Role.EST.label(), this::health));
  }

  private HealthReport health() {
    return HealthReport.up(Role.EST.label(), new JsonObject().put("port", server.actualPort()));
  }

  private void caCerts(RoutingContext ctx) {
    ctx.response()
        .putHeader("Content-Type", "application/pkcs7-mime")
        .putHeader("Content-Transfer-Encoding", "base64")
        .end(caCerts);
  }

  private static void text(RoutingContext ctx, int status, String reason) {
    ctx.response().setStatusCode(status).putHeader("Content-Type", "text/plain; charset=utf-8").end(reason + "\n");
  }

  /** The port actually bound. */
  public int actualPort() {
    return server.actualPort();
  }
}
