package io.zto.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import io.zto.shared.config.ZtoConfig;
import io.zto.shared.testing.Await;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the console stands on, against a running node with the JDK's HTTP client: the static pages and
 * their headers, {@code GET /api/v1/fleet/summary} and the event stream {@code GET /api/v1/events}.
 */
class ConsoleApiTest {

  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  @TempDir
  static Path dataDir;
  private static Node node;
  private static String token;

  @BeforeAll
  static void start() throws Exception {
    node = Await.result(Node.start(ZtoConfig.of(Map.of("dataDir", dataDir.toString(), "http.port", "0",
        "est.port", "0", "mqtt.operational.port", "0", "mqtt.provisioning.port", "0"))));
    token = Files.readString(dataDir.resolve("admin-token")).strip();
  }

  @AfterAll
  static void stop() {
    Await.result(node.stop());
  }

  @Test
  void theRootLeadsToTheConsoleServedUnderAStrictContentSecurityPolicy() throws Exception {
    // WHEN the listener's root is asked for THEN it redirects to the console
    HttpResponse<String> root = get("/", null);
    assertThat(root.statusCode()).isEqualTo(302);
    assertThat(root.headers().firstValue("Location")).hasValue("/console/");
    // AND the console page loads its module from this origin, under a policy allowing nothing else
    HttpResponse<String> page = get("/console/", null);
    assertThat(page.statusCode()).isEqualTo(200);
    assertThat(page.headers().firstValue("Content-Type").orElseThrow()).startsWith("text/html");
    assertThat(page.body()).contains("<script type=\"module\" src=\"js/app.js\">");
    String policy = page.headers().firstValue("Content-Security-Policy").orElseThrow();
    assertThat(policy).contains("default-src 'none'", "script-src 'self'", "connect-src 'self'", "frame-ancestors 'none'");
    assertThat(page.headers().firstValue("X-Content-Type-Options")).hasValue("nosniff");
    HttpResponse<String> module = get("/console/js/app.js", null);
    assertThat(module.statusCode()).isEqualTo(200);
    assertThat(module.headers().firstValue("Content-Type").orElseThrow()).startsWith("text/javascript");
  }

  @Test
  void theConsoleServesNothingOutsideItsResources() throws Exception {
    // WHEN paths climbing out of the console's resources are asked for (the data dir's token, classes)
    for (String path : List.of("/console/../admin-token", "/console/%2e%2e/%2e%2e/admin-token",
        "/console/..%2fio/zto/deploy/Zto.class", "/console/%2e%2e/logback.xml")) {
      HttpResponse<String> response = get(path, null);
      // THEN none is served
      assertThat(response.statusCode()).as(path).isNotEqualTo(200);
      assertThat(response.body()).as(path).doesNotContain(token).doesNotContain("<configuration");
    }
  }

  @Test
  void theFleetSummaryCountsTheFunnelTheQueuesAndRefusalsPerMinute() throws Exception {
    // GIVEN the summary now
    JsonObject before = summary();
    // WHEN a device is registered and a caller is refused
    assertThat(call("POST", "/api/v1/enrollments", new JsonObject().put("deviceId", "sum-1").put("approval", "auto"))
        .statusCode()).isEqualTo(201);
    assertThat(get("/api/v1/devices", "wrong").statusCode()).isEqualTo(401);
    // THEN registered grew by one and the window counts the refusal (its audit entry is written after the
    // 401 is sent, so it is awaited; the sum over the window holds across a minute boundary)
    JsonObject after = summary();
    assertThat(after.getJsonObject("funnel").getLong("registered"))
        .isEqualTo(before.getJsonObject("funnel").getLong("registered") + 1);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (refusals(after) == refusals(before) && System.nanoTime() < deadline) {
      Thread.sleep(100);
      after = summary();
    }
    assertThat(refusals(after)).isGreaterThan(refusals(before));
    assertThat(after.getJsonArray("perMinute")).hasSize(FleetApi.MINUTES);
    // AND every state and queue is there; this node's broker answers the connections
    assertThat(after.getJsonObject("devicesByState").fieldNames())
        .containsExactlyInAnyOrder("unknown", "pending", "provisioned", "disabled", "retired");
    assertThat(after.getJsonObject("pending").getLong("provisioning")).isZero();
    assertThat(after.getJsonObject("funnel").getInteger("connected")).isZero();
  }

  @Test
  void theEventStreamNeedsTheTokenInTheHeaderNotTheUrl() throws Exception {
    // WHEN the stream is asked for without the header, or with the token in the URL
    for (HttpResponse<String> refused : List.of(get("/api/v1/events", null),
        get("/api/v1/events?access_token=" + token, null), get("/api/v1/events?token=" + token, null))) {
      // THEN it is refused like any API call
      assertThat(refused.statusCode()).isEqualTo(401);
      assertThat(refused.body()).doesNotContain("event:");
    }
  }

  @Test
  void theEventStreamDeliversNewAuditEntriesAsTheyHappen() throws Exception {
    // GIVEN an open stream
    HttpResponse<InputStream> stream = HTTP.send(request("/api/v1/events", token).build(),
        HttpResponse.BodyHandlers.ofInputStream());
    assertThat(stream.statusCode()).isEqualTo(200);
    assertThat(stream.headers().firstValue("Content-Type").orElseThrow()).startsWith("text/event-stream");
    try (BufferedReader lines = new BufferedReader(new InputStreamReader(stream.body(), StandardCharsets.UTF_8))) {
      assertThat(lines.readLine()).startsWith(":");
      // WHEN an operator registers a device
      assertThat(call("POST", "/api/v1/enrollments", new JsonObject().put("deviceId", "live-1").put("approval", "auto"))
          .statusCode()).isEqualTo(201);
      // THEN its audit entry arrives on the stream as an audit event with its id
      JsonObject entry = awaitAudit(lines, "enrollment.create", Duration.ofSeconds(15));
      assertThat(entry.getString("outcome")).isEqualTo("succeeded");
      assertThat(entry.getString("actor")).isEqualTo("operator");
    }
  }

  @Test
  void aNodeServesALimitedNumberOfStreamsAndFreesThemWhenClosed() throws Exception {
    // GIVEN as many open streams as a node serves
    List<InputStream> open = new ArrayList<>();
    try {
      for (int i = 0; i < EventsApi.MAX_STREAMS; i++) {
        HttpResponse<InputStream> stream = HTTP.send(request("/api/v1/events", token).build(),
            HttpResponse.BodyHandlers.ofInputStream());
        assertThat(stream.statusCode()).isEqualTo(200);
        open.add(stream.body());
      }
      // WHEN one more is asked for THEN it is refused with a reason
      HttpResponse<String> refused = get("/api/v1/events", token);
      assertThat(refused.statusCode()).isEqualTo(503);
      assertThat(new JsonObject(refused.body()).getString("message")).contains("event streams");
    } finally {
      for (InputStream stream : open) {
        stream.close();
      }
    }
    // WHEN they are closed THEN a new stream is served again
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
    int status = 0;
    while (System.nanoTime() < deadline && status != 200) {
      CompletableFuture<HttpResponse<InputStream>> again = HTTP.sendAsync(request("/api/v1/events", token).build(),
          HttpResponse.BodyHandlers.ofInputStream());
      HttpResponse<InputStream> response = again.get(10, TimeUnit.SECONDS);
      status = response.statusCode();
      response.body().close();
      if (status != 200) {
        Thread.sleep(200);
      }
    }
    assertThat(status).isEqualTo(200);
  }

  /** Reads SSE blocks until an audit event of {@code action}; a reader thread keeps the deadline. */
  private static JsonObject awaitAudit(BufferedReader lines, String action, Duration timeout) throws Exception {
    CompletableFuture<JsonObject> found = CompletableFuture.supplyAsync(() -> {
      try {
        String event = null;
        for (String line = lines.readLine(); line != null; line = lines.readLine()) {
          if (line.startsWith("event: ")) {
            event = line.substring(7);
          } else if (line.startsWith("data: ") && "audit".equals(event)) {
            JsonObject data = new JsonObject(line.substring(6));
            if (action.equals(data.getString("action"))) {
              return data;
            }
          }
        }
        throw new AssertionError("the stream ended before an audit event of " + action);
      } catch (java.io.IOException e) {
        throw new AssertionError("the stream failed: " + e, e);
      }
    });
    return found.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  private static long refusals(JsonObject summary) {
    return summary.getJsonArray("perMinute").stream().mapToLong(m -> ((JsonObject) m).getLong("refusals")).sum();
  }

  private static JsonObject summary() throws Exception {
    HttpResponse<String> response = get("/api/v1/fleet/summary", token);
    assertThat(response.statusCode()).isEqualTo(200);
    return new JsonObject(response.body());
  }

  private static HttpResponse<String> get(String path, String bearer) throws Exception {
    return HTTP.send(request(path, bearer).build(), HttpResponse.BodyHandlers.ofString());
  }

  private static HttpResponse<String> call(String method, String path, JsonObject body) throws Exception {
    return HTTP.send(request(path, token).header("Content-Type", "application/json")
        .method(method, HttpRequest.BodyPublishers.ofString(body.encode())).build(), HttpResponse.BodyHandlers.ofString());
  }

  private static HttpRequest.Builder request(String path, String bearer) {
    HttpRequest.Builder builder = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.httpPort() + path))
        .timeout(Duration.ofSeconds(20));
    return bearer == null ? builder : builder.header("Authorization", "Bearer " + bearer);
  }
}
