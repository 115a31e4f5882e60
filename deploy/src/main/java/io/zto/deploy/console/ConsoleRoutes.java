package io.zto.deploy.console;

import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.StaticHandler;

/**
 * The operator console: static ES modules and CSS from the jar ({@code console/} on the class path)
 * under {@code /console/}, and {@code GET /} leading to it. The pages hold no authority of their own:
 * they call {@code /api/v1} with the operator's bearer token like any other client. The content security
 * policy allows scripts, styles and connections to this origin only, so injected markup cannot run or
 * send the token elsewhere.
 */
public final class ConsoleRoutes {

  /** Where the console is served. */
  public static final String PATH = "/console/";

  static final String CONTENT_SECURITY_POLICY = "default-src 'none'; script-src 'self'; style-src 'self';"
      + " img-src 'self' data:; connect-src 'self'; form-action 'none'; frame-ancestors 'none'; base-uri 'none'";

  private ConsoleRoutes() {}

  /** Adds {@code GET /} and {@code /console/*} to the operator listener's router. */
  public static void mount(Router router) {
    router.get("/").handler(ConsoleRoutes::toConsole);
    router.get(PATH + "*").handler(ConsoleRoutes::secured).handler(StaticHandler.create("console")
        .setIndexPage("index.html").setCachingEnabled(false).setDirectoryListing(false).setIncludeHidden(false)
        .setDefaultContentEncoding("UTF-8"));
  }

  private static void toConsole(RoutingContext ctx) {
    ctx.response().setStatusCode(302).putHeader("Location", PATH).end();
  }

  private static void secured(RoutingContext ctx) {
    ctx.response().putHeader("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        .putHeader("X-Content-Type-Options", "nosniff").putHeader("Referrer-Policy", "no-referrer")
        .putHeader("X-Frame-Options", "DENY").putHeader("Cache-Control", "no-cache");
    ctx.next();
  }
}
