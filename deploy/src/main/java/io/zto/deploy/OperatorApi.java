package io.zto.deploy;

import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import io.vertx.ext.web.openapi.router.RequestExtractor;
import io.vertx.ext.web.openapi.router.RouterBuilder;
import io.vertx.openapi.contract.OpenAPIContract;
import io.zto.shared.config.CrlConfig;
import io.zto.shared.config.HttpConfig;
import io.zto.shared.store.AuditRepository;
import io.zto.shared.store.CertificateRepository;
import io.zto.shared.store.CommandRepository;
import io.zto.shared.store.CrlSourceRepository;
import io.zto.shared.store.IssuedCrlRepository;
import io.zto.shared.store.Database;
import io.zto.shared.store.EstRequestRepository;
import io.zto.shared.store.DeviceRepository;
import io.zto.shared.store.EnrollmentRepository;
import io.zto.shared.store.ProvisioningRequestRepository;
import io.zto.shared.store.TrustAnchorRepository;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * The operator API under {@code /api/v1}: its OpenAPI 3 document ({@code openapi/zto-api.yaml}, also
 * served at {@code GET /api/v1/openapi.yaml}) builds the router, validates every request against its
 * parameters and body schemas (a violation is a 400 naming what is wrong), and names the handler of
 * each operation here.
 */
final class OperatorApi {

  static final String DOCUMENT = "openapi/zto-api.yaml";
  private static final String IMPORT_PATH = "/enrollments:import";
  private static final String EVENTS_PATH = "/events";

  private final Vertx vertx;
  private final Map<String, Handler<RoutingContext>> operations = new LinkedHashMap<>();
  private final String yaml;

  private OperatorApi(Vertx vertx, Database db, CrlConfig crlConfig, String issuerFingerprint, String nodeId,
                      String yaml, int renewalWarningPercent) {
    this.vertx = vertx;
    this.yaml = yaml;
    AuditRepository audit = new AuditRepository(db);
    EnrollmentRepository enrollments = new EnrollmentRepository(db);
    TrustAnchorRepository anchors = new TrustAnchorRepository(db);
    TrustAnchorApi trustAnchors = new TrustAnchorApi(vertx, anchors, audit);
    EnrollmentApi enrollmentApi = new EnrollmentApi(enrollments, anchors, audit);
    ProvisioningRequestApi requests = new ProvisioningRequestApi(vertx, new ProvisioningRequestRepository(db));
    Revocations revocations = new Revocations(vertx);
    DeviceApi devices = new DeviceApi(new DeviceRepository(db), new CertificateRepository(db),
        new ProvisioningRequestRepository(db), revocations, renewalWarningPercent);
    operations.put("listTrustAnchors", trustAnchors::list);
    operations.put("createTrustAnchor", trustAnchors::create);
    operations.put("getTrustAnchor", trustAnchors::get);
    operations.put("deleteTrustAnchor", trustAnchors::delete);
    operations.put("listEnrollments", enrollmentApi::list);
    operations.put("createEnrollment", enrollmentApi::create);
    operations.put("importEnrollments", new EnrollmentImport(enrollments, audit)::handle);
    operations.put("getEnrollment", enrollmentApi::get);
    operations.put("deleteEnrollment", enrollmentApi::delete);
    operations.put("enableEnrollment", enrollmentApi::enable);
    operations.put("disableEnrollment", enrollmentApi::disable);
    operations.put("listEnrollmentGroups", enrollmentApi::listGroups);
    operations.put("createEnrollmentGroup", enrollmentApi::createGroup);
    operations.put("getEnrollmentGroup", enrollmentApi::getGroup);
    operations.put("deleteEnrollmentGroup", enrollmentApi::deleteGroup);
    operations.put("enableEnrollmentGroup", enrollmentApi::enableGroup);
    operations.put("disableEnrollmentGroup", enrollmentApi::disableGroup);
    operations.put("listProvisioningRequests", requests::list);
    operations.put("approveProvisioningRequest", requests::approve);
    operations.put("rejectProvisioningRequest", requests::reject);
    operations.put("listDevices", devices::list);
    operations.put("getDevice", devices::get);
    operations.put("disableDevice", devices::disable);
    operations.put("enableDevice", devices::enable);
    operations.put("retireDevice", devices::retire);
    CommandApi commands = new CommandApi(vertx, new CommandRepository(db));
    operations.put("sendCommand", commands::send);
    operations.put("listDeviceCommands", commands::listOfDevice);
    operations.put("getCommand", commands::get);
    CertificatesApi certificates = new CertificatesApi(new CertificateRepository(db), revocations,
        renewalWarningPercent);
    operations.put("listCertificates", certificates::list);
    operations.put("getCertificate", certificates::get);
    operations.put("revokeCertificate", certificates::revoke);
    EstRequestsApi estRequests = new EstRequestsApi(vertx, new EstRequestRepository(db), audit, nodeId);
    operations.put("listEstRequests", estRequests::list);
    operations.put("approveEstRequest", estRequests::approve);
    operations.put("rejectEstRequest", estRequests::reject);
    CrlSourceApi crlSources = new CrlSourceApi(vertx, new CrlSourceRepository(db), new IssuedCrlRepository(db), audit,
        crlConfig, issuerFingerprint, revocations);
    operations.put("listCrlSources", crlSources::list);
    operations.put("createCrlSource", crlSources::create);
    operations.put("getCrlSource", crlSources::get);
    operations.put("deleteCrlSource", crlSources::delete);
    operations.put("refreshCrlSource", crlSources::refresh);
    operations.put("listAudit", new AuditApi(audit)::list);
    operations.put("getFleetSummary", new FleetApi(vertx, db)::summary);
    operations.put("streamEvents", new EventsApi(vertx, new AuditFeed(vertx, db))::stream);
  }

  /** Reads the document (on a worker: it is a file) and prepares the handlers. */
  static Future<OperatorApi> load(Vertx vertx, Database db, CrlConfig crlConfig, String issuerFingerprint,
                                  String nodeId, int renewalWarningPercent) {
    return vertx.executeBlocking(OperatorApi::readDocument, false)
        .map(yaml -> new OperatorApi(vertx, db, crlConfig, issuerFingerprint, nodeId, yaml, renewalWarningPercent));
  }

  /** The router for {@code /api/v1/*}; fails if an operation of the document has no handler here. */
  Future<Router> router() {
    return OpenAPIContract.from(vertx, forValidator(json(yaml))).map(contract -> {
      RouterBuilder builder = RouterBuilder.create(vertx, contract, RequestExtractor.withBodyHandler());
      builder.getRoutes().forEach(route -> {
        Handler<RoutingContext> handler = operations.get(route.getOperation().getOperationId());
        if (handler == null) {
          throw new IllegalStateException("operation " + route.getOperation().getOperationId() + " of " + DOCUMENT
              + " has no handler");
        }
        route.addHandler(handler);
      });
      // the body of an import is lines of JSON or CSV, checked line by line by its handler
      builder.getRoute("importEnrollments").setDoValidation(false);
      return builder.createRouter();
    });
  }

  /**
   * Reads request bodies of {@code /api/v1}: into memory only (no file uploads, whatever the media type),
   * up to {@code http.maxBodySize} for a bulk import and {@code http.maxJsonBodySize} for every other call;
   * a larger body fails the request with 413 (see {@link #tooLarge}).
   */
  static Handler<RoutingContext> bodyHandler(HttpConfig http) {
    BodyHandler imports = BodyHandler.create(false).setBodyLimit(http.maxBodySize());
    BodyHandler json = BodyHandler.create(false).setBodyLimit(http.maxJsonBodySize());
    return ctx -> (isImport(ctx) ? imports : json).handle(ctx);
  }

  /** The message of a 413: the limit the request went over and the key that moves it. */
  static String tooLarge(RoutingContext ctx, HttpConfig http) {
    return isImport(ctx)
        ? "the import body is larger than " + http.maxBodySize() + " bytes (http.maxBodySize): split the file"
        : "the request body is larger than " + http.maxJsonBodySize() + " bytes (http.maxJsonBodySize)";
  }

  private static boolean isImport(RoutingContext ctx) {
    return ctx.normalizedPath().equals("/api/v1" + IMPORT_PATH);
  }

  /** The document as served to people and tools. */
  String yaml() {
    return yaml;
  }

  /**
   * The document as the router builder can take it; people and tools get the full one.
   * vertx-openapi 5.0.7 refuses request bodies of media types it cannot validate (JSON lines, CSV):
   * the import's body is checked line by line by its handler. It refuses responses of such types too
   * (the event stream's text/event-stream), though it validates no response. And it only knows JWT handlers for
   * bearer schemes: the opaque bearer token is checked by {@link BearerAuth} before this router.
   */
  private static JsonObject forValidator(JsonObject document) {
    JsonObject copy = document.copy();
    copy.remove("security");
    copy.getJsonObject("paths").getJsonObject(IMPORT_PATH).getJsonObject("post").remove("requestBody");
    copy.getJsonObject("paths").getJsonObject(EVENTS_PATH).getJsonObject("get").getJsonObject("responses")
        .getJsonObject("200").remove("content");
    return copy;
  }

  private static String readDocument() throws IOException {
    try (InputStream in = OperatorApi.class.getClassLoader().getResourceAsStream(DOCUMENT)) {
      if (in == null) {
        throw new IOException(DOCUMENT + " is missing from the class path");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  private static JsonObject json(String yaml) {
    Map<String, Object> tree = new Yaml(new SafeConstructor(new LoaderOptions())).load(yaml);
    // re-encoded so nested maps and lists become JsonObject/JsonArray throughout
    return new JsonObject(new JsonObject(tree).encode());
  }
}
