package io.zto.deploy;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.zto.simulator.AgentEvent;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.cert.CertificateFactory;
import java.security.cert.X509CRL;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

/** An operator on the API of a running node, for the end-to-end tests: calls, and bounded waits. */
final class OperatorClient {

  private static final HttpClient HTTP = HttpClient.newHttpClient();

  private final String baseUrl;
  private final String token;

  OperatorClient(String baseUrl, String token) {
    this.baseUrl = baseUrl;
    this.token = token;
  }

  HttpResponse<String> api(String method, String path, String type, String body) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(baseUrl + path))
        .header("Authorization", "Bearer " + token)
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
    if (type != null) {
      request.header("Content-Type", type);
    }
    return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  /** The CRL the node publishes for one of its CAs ({@code /crl/{ca}.crl}, DER, no token needed). */
  X509CRL crl(String ca) throws Exception {
    HttpResponse<byte[]> response = HTTP.send(HttpRequest.newBuilder(URI.create(baseUrl + "/crl/" + ca + ".crl")).build(),
        HttpResponse.BodyHandlers.ofByteArray());
    return (X509CRL) CertificateFactory.getInstance("X.509").generateCRL(new ByteArrayInputStream(response.body()));
  }

  static JsonObject json(HttpResponse<String> response) {
    return new JsonObject(response.body());
  }

  /** The id of the device's pending provisioning request, once it shows in the approval queue. */
  String awaitPending(String deviceId) throws Exception {
    for (int i = 0; i < 300; i++) {
      JsonArray items = json(api("GET", "/api/v1/provisioning-requests?status=pending", null, null)).getJsonArray("items");
      for (int j = 0; j < items.size(); j++) {
        if (deviceId.equals(items.getJsonObject(j).getString("deviceId"))) {
          return items.getJsonObject(j).getString("id");
        }
      }
      Thread.sleep(100);
    }
    throw new AssertionError(deviceId + " never waited for approval");
  }

  /** The command once the device answered it (or it otherwise left pending/sent). */
  JsonObject awaitCommand(String id) throws Exception {
    for (int i = 0; i < 300; i++) {
      JsonObject command = json(api("GET", "/api/v1/commands/" + id, null, null));
      if (!"sent".equals(command.getString("status")) && !"pending".equals(command.getString("status"))) {
        return command;
      }
      Thread.sleep(100);
    }
    throw new AssertionError("command " + id + " was never answered");
  }

  /** Consumes agent events until the device reports {@code kind}, and returns that event. */
  static AgentEvent awaitEvent(BlockingQueue<AgentEvent> events, String deviceId, AgentEvent.Kind kind)
      throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
    while (System.nanoTime() < deadline) {
      AgentEvent event = events.poll(1, TimeUnit.SECONDS);
      if (event != null && event.deviceId().equals(deviceId) && event.kind() == kind) {
        return event;
      }
    }
    throw new AssertionError(deviceId + " never reported " + kind);
  }
}
