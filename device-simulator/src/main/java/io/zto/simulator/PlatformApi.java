package io.zto.simulator;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;

/**
 * The operator API calls the fleet simulator makes, as an operator would (bearer token): trust the
 * run's customer CA, import the enrollments, send commands, revoke certificates, count provisioned
 * devices; and the server's {@code /metrics}.
 */
final class PlatformApi {

  static final int PAGE = 500;

  private final WebClient client;
  private final String api;
  private final String token;

  PlatformApi(Vertx vertx, String api, String token) {
    this.client = WebClient.create(vertx, new WebClientOptions().setKeepAlive(true));
    this.api = api;
    this.token = token;
  }

  /** Registers {@code pem} as an {@code ldevid} trust anchor; its id. */
  Future<String> trustAnchor(String name, String pem) {
    return send(request("POST", "/api/v1/trust-anchors").putHeader("Content-Type", "application/json"),
        new JsonObject().put("name", name).put("purpose", "ldevid").put("pem", pem).toBuffer(), 201)
        .map(response -> response.bodyAsJsonObject().getString("id"));
  }

  /** Bulk-imports JSON lines; the per-line result ({@code imported}, {@code failed}, {@code errors}). */
  Future<JsonObject> importEnrollments(String jsonLines) {
    return send(request("POST", "/api/v1/enrollments:import").putHeader("Content-Type", "application/x-ndjson"),
        Buffer.buffer(jsonLines), 200).map(HttpResponse::bodyAsJsonObject);
  }

  /** Sends a signed command; its id. */
  Future<String> sendCommand(String deviceId, String name) {
    return send(request("POST", "/api/v1/devices/" + deviceId + "/commands").putHeader("Content-Type", "application/json"),
        new JsonObject().put("name", name).put("ttlSeconds", 600).toBuffer(), 201)
        .map(response -> response.bodyAsJsonObject().getString("id"));
  }

  /**
   * Revokes an issued certificate (serial in hex) as superseded: the device re-provisions on its own. A
   * keyCompromise revocation would hold its re-provisioning for an operator (docs/lifecycle.md).
   */
  Future<Void> revoke(String serialHex) {
    return send(request("POST", "/api/v1/certificates/" + serialHex + "/revoke").putHeader("Content-Type",
        "application/json"), new JsonObject().put("reason", "superseded").toBuffer(), 200).mapEmpty();
  }

  /** How many devices whose id starts with {@code prefix} the platform lists as {@code provisioned}. */
  Future<Integer> countProvisioned(String prefix) {
    return countPage(prefix, null, 0);
  }

  /** The server's Prometheus text. */
  Future<String> metrics(String url) {
    return client.getAbs(url).timeout(5_000).send().compose(response -> response.statusCode() == 200
        ? Future.succeededFuture(response.bodyAsString())
        : Future.failedFuture("/metrics answered " + response.statusCode()));
  }

  void close() {
    client.close();
  }

  private Future<Integer> countPage(String prefix, String cursor, int sofar) {
    HttpRequest<Buffer> request = request("GET", "/api/v1/devices").addQueryParam("state", "provisioned")
        .addQueryParam("limit", String.valueOf(PAGE));
    if (cursor != null) {
      request.addQueryParam("cursor", cursor);
    }
    return send(request, null, 200).compose(response -> {
      JsonObject page = response.bodyAsJsonObject();
      JsonArray items = page.getJsonArray("items", new JsonArray());
      int count = sofar;
      for (int i = 0; i < items.size(); i++) {
        String id = items.getJsonObject(i).getString("id", "");
        if (id.startsWith(prefix)) {
          count++;
        }
      }
      String next = page.getString("nextCursor");
      return next == null ? Future.succeededFuture(count) : countPage(prefix, next, count);
    });
  }

  private HttpRequest<Buffer> request(String method, String path) {
    HttpRequest<Buffer> request = switch (method) {
      case "POST" -> client.postAbs(api + path);
      default -> client.getAbs(api + path);
    };
    return request.putHeader("Authorization", "Bearer " + token).timeout(120_000);
  }

  private static Future<HttpResponse<Buffer>> send(HttpRequest<Buffer> request, Buffer body, int expected) {
    Future<HttpResponse<Buffer>> sent = body == null ? request.send() : request.sendBuffer(body);
    return sent.compose(response -> response.statusCode() == expected ? Future.succeededFuture(response)
        : Future.failedFuture(request.method() + " " + request.uri() + " answered " + response.statusCode() + ": "
            + String.valueOf(response.bodyAsString()).strip()));
  }
}
