package io.zto.deploy;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.HttpException;
import io.zto.shared.bus.Addresses;
import io.zto.shared.bus.RevocationRequest;
import io.zto.shared.config.CrlConfig;
import io.zto.shared.domain.AuditEvent;
import io.zto.shared.domain.CrlSource;
import io.zto.shared.domain.IssuedCrl;
import io.zto.shared.pki.Fingerprints;
import io.zto.shared.pki.Pem;
import io.zto.shared.pki.PlatformPki;
import io.zto.shared.store.AuditRepository;
import io.zto.shared.store.CrlSourceRepository;
import io.zto.shared.store.IssuedCrlRepository;
import java.net.URI;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * {@code /api/v1/crl-sources}: the CRLs whose entries block certificates (contract section 7). The
 * platform's own issuing CA is listed first as the built-in, read-only source {@value CrlSource#PLATFORM_ID};
 * operators register external ones (URL, issuer certificate, refresh interval, stale policy), see their
 * fetch state (stale, entryCount, lastError, failures, nextAttemptAt), fetch one now
 * ({@code POST .../refresh}, answered by a node of the crl role) and delete them, which unblocks their
 * entries at once (done by the revocation service, {@link Revocations}).
 */
final class CrlSourceApi {

  /** How long a refresh may take beyond the fetch timeout (parsing, applying) before the API gives up. */
  private static final long REFRESH_MARGIN_MS = 30_000;

  private final Vertx vertx;
  private final CrlSourceRepository sources;
  private final IssuedCrlRepository issued;
  private final AuditRepository audit;
  private final CrlConfig config;
  private final String issuingCaFingerprint;
  private final Revocations revocations;

  CrlSourceApi(Vertx vertx, CrlSourceRepository sources, IssuedCrlRepository issued, AuditRepository audit,
               CrlConfig config, String issuingCaFingerprint, Revocations revocations) {
    this.vertx = vertx;
    this.sources = sources;
    this.issued = issued;
    this.audit = audit;
    this.config = config;
    this.issuingCaFingerprint = issuingCaFingerprint;
    this.revocations = revocations;
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
    Future.all(platform(), sources.list(), sources.countEntries()).map(all -> {
      Map<String, Long> counts = all.resultAt(2);
      JsonArray items = new JsonArray().add(all.<JsonObject>resultAt(0));
      all.<List<CrlSource>>resultAt(1).forEach(source -> items.add(status(source, counts)));
      return new JsonObject().put("items", items);
    }).onSuccess(body -> ctx.json(body)).onFailure(failure -> ApiResponses.fail(ctx, failure));
  }

  void get(RoutingContext ctx) {
    String id = ApiRequests.id(ctx);
    if (CrlSource.PLATFORM_ID.equals(id)) {
      ApiResponses.reply(ctx, 200, platform());
      return;
    }
    ApiResponses.reply(ctx, 200, sources.get(id).compose(found -> found
        .map(source -> sources.countEntries().map(counts -> status(source, counts)))
        .orElseGet(() -> Future.failedFuture(notFound(id)))));
  }

  /** Fetches the source now on a node of the crl role and answers the outcome (a failed fetch is 200 too). */
  void refresh(RoutingContext ctx) {
    String id = ApiRequests.id(ctx);
    DeliveryOptions options = new DeliveryOptions().setSendTimeout(config.fetchTimeout().toMillis() + REFRESH_MARGIN_MS);
    ApiResponses.reply(ctx, 200, vertx.eventBus().<JsonObject>request(Addresses.CRL_REFRESH,
            new JsonObject().put("id", id), options)
        .map(reply -> reply.body())
        .compose(outcome -> audit.append(AuditEvent.succeeded(ApiRequests.actor(ctx), "crl-source.refresh", id)
            .withDetails(outcome)).map(outcome)));
  }

  /** Through the revocation service: the source and its entries go, each entry announced unblocked. */
  void delete(RoutingContext ctx) {
    revocations.ask(RevocationRequest.deleteSource(ApiRequests.id(ctx), ApiRequests.actor(ctx)))
        .onSuccess(ignored -> ctx.response().setStatusCode(204).end())
        .onFailure(failure -> ApiResponses.fail(ctx, failure));
  }

  /** The stored source with what an operator needs to judge it. */
  private static JsonObject status(CrlSource source, Map<String, Long> counts) {
    Instant now = Instant.now();
    Optional<Instant> staleSince = source.staleSince(now);
    return source.toJson().put("builtIn", false).put("stale", staleSince.isPresent())
        .put("staleSince", staleSince.map(Instant::toString).orElse(null))
        .put("entryCount", counts.getOrDefault(source.id(), 0L))
        .put("nextAttemptAt", source.nextAttemptAt().toString());
  }

  /** The platform's issuing CA as a read-only source: its CRL is issued here, not fetched. */
  private Future<JsonObject> platform() {
    return Future.all(issued.read(PlatformPki.ISSUING_CA), issued.number(PlatformPki.ISSUING_CA)).map(all -> {
      Optional<IssuedCrl> crl = all.resultAt(0);
      Optional<Long> number = all.resultAt(1);
      Instant now = Instant.now();
      boolean stale = crl.map(c -> now.isAfter(c.nextUpdate())).orElse(false);
      return new JsonObject().put("id", CrlSource.PLATFORM_ID).put("builtIn", true).put("readOnly", true)
          .put("url", "/crl/" + PlatformPki.ISSUING_CA + ".crl").put("issuerFingerprint", issuingCaFingerprint)
          .put("refreshSeconds", config.nextUpdateInterval().toSeconds() / 2)
          .put("crlNumber", number.map(String::valueOf).orElse(null))
          .put("thisUpdate", crl.map(c -> c.thisUpdate().toString()).orElse(null))
          .put("nextUpdate", crl.map(c -> c.nextUpdate().toString()).orElse(null))
          .put("stale", stale).put("staleSince", stale ? crl.get().nextUpdate().toString() : null)
          .put("failures", 0);
    });
  }

  private static HttpException notFound(String id) {
    return ApiResponses.notFound("no CRL source with id '" + id + "'");
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
