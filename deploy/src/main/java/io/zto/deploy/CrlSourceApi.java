package io.zto.deploy;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.zto.shared.config.CrlConfig;
import io.zto.shared.domain.AuditEvent;
import io.zto.shared.domain.CrlSource;
import io.zto.shared.pki.Fingerprints;
import io.zto.shared.pki.Pem;
import io.zto.shared.store.AuditRepository;
import io.zto.shared.store.CrlSourceRepository;
import java.net.URI;
import java.security.cert.X509Certificate;
import java.util.Locale;

/**
 * {@code /api/v1/crl-sources}: the external CRLs whose entries block LDevIDs and IDevIDs (contract
 * section 7). Registering one records where to fetch it and whose signature it must carry; the fetching
 * and its state (last success, CRL number, errors) belong to the CRL verticle.
 */
final class CrlSourceApi {

  private final CrlSourceRepository sources;
  private final AuditRepository audit;
  private final CrlConfig config;

  CrlSourceApi(CrlSourceRepository sources, AuditRepository audit, CrlConfig config) {
    this.sources = sources;
    this.audit = audit;
    this.config = config;
  }

  void create(RoutingContext ctx) {
    JsonObject body = ApiRequests.body(ctx);
    Future<CrlSource> created;
    try {
      String url = httpUrl(body.getString("url"));
      X509Certificate issuer = Pem.readCertificate(body.getString("issuerPem"));
      if (issuer.getBasicConstraints() < 0) {
        throw new IllegalArgumentException("issuerPem must be the certificate of the CA that signs the CRL");
      }
      int refresh = body.getInteger("refreshSeconds", (int) config.defaultRefresh().toSeconds());
      CrlSource.StalePolicy stale = CrlSource.StalePolicy.valueOf(
          body.getString("stalePolicy", "keep-last").replace('-', '_').toUpperCase(Locale.ROOT));
      created = sources.create(CrlSource.create(url, Pem.encode(issuer), Fingerprints.sha256(issuer), refresh, stale));
    } catch (IllegalArgumentException e) {
      created = Future.failedFuture(e);
    }
    ApiResponses.reply(ctx, 201, created.compose(source -> audit.append(
        AuditEvent.succeeded(ApiRequests.actor(ctx), "crl-source.create", source.id())).map(source.toJson())));
  }

  void list(RoutingContext ctx) {
    sources.list().onSuccess(list -> ApiResponses.list(ctx, list, CrlSource::toJson))
        .onFailure(failure -> ApiResponses.fail(ctx, failure));
  }

  void get(RoutingContext ctx) {
    String id = ApiRequests.id(ctx);
    ApiResponses.reply(ctx, 200, sources.get(id).map(found -> found
        .orElseThrow(() -> ApiResponses.notFound("no CRL source with id '" + id + "'")).toJson()));
  }

  void delete(RoutingContext ctx) {
    String id = ApiRequests.id(ctx);
    sources.delete(id)
        .compose(found -> found ? audit.append(AuditEvent.succeeded(ApiRequests.actor(ctx), "crl-source.delete", id))
            : Future.failedFuture(ApiResponses.notFound("no CRL source with id '" + id + "'")))
        .onSuccess(ignored -> ctx.response().setStatusCode(204).end())
        .onFailure(failure -> ApiResponses.fail(ctx, failure));
  }

  private static String httpUrl(String text) {
    URI uri;
    try {
      uri = URI.create(text);
    } catch (IllegalArgumentException | NullPointerException e) {
      throw new IllegalArgumentException("url must be an http or https URL");
    }
    if (!"http".equals(uri.getScheme()) && !"https".equals(uri.getScheme()) || uri.getHost() == null) {
      throw new IllegalArgumentException("url must be an http or https URL, not '" + text + "'");
    }
    return uri.toString();
  }
}
