package io.zto.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.zto.shared.bus.Addresses;
import io.zto.shared.bus.CommandReply;
import io.zto.shared.bus.DeliverMessage;
import io.zto.shared.bus.DropSessions;
import io.zto.shared.bus.ProvisioningRequestMessage;
import io.zto.shared.bus.RevocationEvent;
import io.zto.shared.config.ZtoConfig;
import io.zto.shared.pki.Fingerprints;
import io.zto.shared.pki.Pem;
import io.zto.shared.store.CredentialRepository;
import io.zto.shared.testing.Await;
import io.zto.shared.testing.DeviceIdentities;
import io.zto.shared.testing.DeviceIdentity;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.yaml.snakeyaml.Yaml;

/** The operator API of contract section 7 against a running node, with the JDK's HTTP client. */
class OperatorApiTest {

  private static final HttpClient HTTP = HttpClient.newHttpClient();
  private static final DeviceIdentities FACTORY = DeviceIdentities.create();

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
  @SuppressWarnings("unchecked")
  void openApiDocumentIsServedAndDescribesEveryOperation() throws Exception {
    HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(uri("/api/v1/openapi.yaml")).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).isEqualTo(200);
    Map<String, Object> doc = new Yaml().load(response.body());
    assertThat(doc.get("openapi")).isEqualTo("3.1.0");
    assertThat(((Map<String, ?>) doc.get("paths")).keySet()).contains("/trust-anchors", "/enrollments",
        "/enrollments:import", "/enrollment-groups", "/provisioning-requests", "/devices/{id}/disable", "/audit");
  }

  @Test
  void trustAnchorsAreCheckedAndDuplicatesRefused() throws Exception {
    DeviceIdentities own = DeviceIdentities.create();
    JsonObject anchor = new JsonObject().put("name", "customer-a").put("purpose", "ldevid").put("pem", own.ldevidCaPem());
    HttpResponse<String> created = call("POST", "/api/v1/trust-anchors", anchor);
    assertThat(created.statusCode()).isEqualTo(201);
    assertThat(json(created).getString("fingerprint")).isEqualTo(Fingerprints.sha256(own.ldevidCa()));
    assertThat(call("POST", "/api/v1/trust-anchors", anchor.copy().put("name", "again")).statusCode()).isEqualTo(409);
    // a device certificate is not a CA
    HttpResponse<String> leaf = call("POST", "/api/v1/trust-anchors", new JsonObject().put("name", "leaf")
        .put("purpose", "ldevid").put("pem", FACTORY.ldevid("x-1").certificatePem()));
    assertThat(leaf.statusCode()).isEqualTo(400);
    assertThat(json(leaf).getString("message")).contains("not a CA certificate");
    // schema: an unknown purpose
    HttpResponse<String> purpose = call("POST", "/api/v1/trust-anchors", anchor.copy().put("purpose", "tls"));
    assertThat(purpose.statusCode()).isEqualTo(400);
    assertThat(json(purpose).getString("error")).isEqualTo("bad_request");
    assertThat(json(call("GET", "/api/v1/trust-anchors?purpose=ldevid", null)).getJsonArray("items")).isNotEmpty();
  }

  @Test
  void enrollmentsAreValidatedCreatedAndSwitched() throws Exception {
    HttpResponse<String> noApproval = call("POST", "/api/v1/enrollments", new JsonObject().put("deviceId", "e-1"));
    assertThat(noApproval.statusCode()).isEqualTo(400);
    HttpResponse<String> badId = call("POST", "/api/v1/enrollments",
        new JsonObject().put("deviceId", "bad id!").put("approval", "auto"));
    assertThat(badId.statusCode()).isEqualTo(400);
    HttpResponse<String> created = call("POST", "/api/v1/enrollments",
        new JsonObject().put("deviceId", "e-1").put("approval", "auto").put("application", new JsonObject().put("a", 1)));
    assertThat(created.statusCode()).isEqualTo(201);
    String id = json(created).getString("id");
    assertThat(call("POST", "/api/v1/enrollments", new JsonObject().put("deviceId", "e-1").put("approval", "auto"))
        .statusCode()).isEqualTo(409);
    assertThat(json(call("POST", "/api/v1/enrollments/" + id + "/disable", null)).getString("status"))
        .isEqualTo("disabled");
    assertThat(json(call("POST", "/api/v1/enrollments/" + id + "/enable", null)).getString("status"))
        .isEqualTo("enabled");
    assertThat(call("DELETE", "/api/v1/enrollments/" + id, null).statusCode()).isEqualTo(204);
    assertThat(call("GET", "/api/v1/enrollments/" + id, null).statusCode()).isEqualTo(404);
  }

  @Test
  void groupsNeedAnLdevidTrustAnchor() throws Exception {
    HttpResponse<String> unknown = call("POST", "/api/v1/enrollment-groups",
        new JsonObject().put("name", "g-1").put("trustAnchor", "nope").put("approval", "auto"));
    assertThat(unknown.statusCode()).isEqualTo(400);
    assertThat(json(unknown).getString("message")).contains("purpose ldevid");
    String anchor = json(call("POST", "/api/v1/trust-anchors", new JsonObject().put("name", "manufacturer")
        .put("purpose", "idevid").put("pem", FACTORY.idevidCaPem()))).getString("id");
    assertThat(call("POST", "/api/v1/enrollment-groups", new JsonObject().put("name", "g-1").put("trustAnchor", anchor)
        .put("approval", "auto")).statusCode()).isEqualTo(400);
  }

  @Test
  void importReportsBadLinesAndImportsTheRest() throws Exception {
    String lines = "{\"deviceId\":\"imp-1\",\"approval\":\"auto\"}\n"
        + "{\"deviceId\":\"imp-2\"}\n"
        + "not json\n"
        + "{\"deviceId\":\"imp-3\",\"approval\":\"manual\"}\n";
    JsonObject result = json(raw("POST", "/api/v1/enrollments:import", "application/x-ndjson", lines));
    assertThat(result.getInteger("imported")).isEqualTo(2);
    assertThat(result.getJsonArray("errors").stream().map(e -> ((JsonObject) e).getInteger("line"))).containsExactly(2, 3);
    String csv = "deviceId,approval,application\nimp-4,auto,\"{\"\"site\"\":\"\"x\"\"}\"\nimp-5,sometimes,\n";
    JsonObject fromCsv = json(raw("POST", "/api/v1/enrollments:import", "text/csv", csv));
    assertThat(fromCsv.getInteger("imported")).isEqualTo(1);
    assertThat(fromCsv.getJsonArray("errors").getJsonObject(0).getInteger("line")).isEqualTo(3);
    assertThat(raw("POST", "/api/v1/enrollments:import", "application/xml", "<x/>").statusCode()).isEqualTo(415);
  }

  @Test
  void approvalQueueDecidesPendingDevicesOnce() throws Exception {
    trustCustomerCa("customer-q");
    call("POST", "/api/v1/enrollments", new JsonObject().put("deviceId", "q-1").put("approval", "manual"));
    DeviceIdentity device = FACTORY.ldevid("q-1");
    assertThat(provision(device, "r-1").getString("status")).isEqualTo("pending");
    JsonArray pending = json(call("GET", "/api/v1/provisioning-requests?status=pending", null)).getJsonArray("items");
    String id = pending.stream().map(JsonObject.class::cast).filter(r -> r.getString("deviceId").equals("q-1"))
        .findFirst().orElseThrow().getString("id");
    HttpResponse<String> approved = call("POST", "/api/v1/provisioning-requests/" + id + "/approve", null);
    assertThat(approved.statusCode()).isEqualTo(200);
    assertThat(json(approved).getString("status")).isEqualTo("provisioned");
    assertThat(call("POST", "/api/v1/provisioning-requests/" + id + "/reject", new JsonObject().put("reason", "late"))
        .statusCode()).isEqualTo(409);
    assertThat(provision(device, "r-1").getString("status")).isEqualTo("provisioned");
  }

  @Test
  void disablingADeviceDropsItsSessionsAndRetiringRemovesItsCredentials() throws Exception {
    trustCustomerCa("customer-d");
    call("POST", "/api/v1/enrollments", new JsonObject().put("deviceId", "d-1").put("approval", "auto"));
    DeviceIdentity device = FACTORY.ldevid("d-1");
    assertThat(provision(device, "r-1").getString("status")).isEqualTo("provisioned");
    BlockingQueue<RevocationEvent> events = new LinkedBlockingQueue<>();
    Await.result(node.vertx().eventBus().<JsonObject>consumer(Addresses.REVOCATION_EVENTS,
        msg -> events.add(RevocationEvent.fromJson(msg.body()))).completion());
    BlockingQueue<DropSessions> drops = new LinkedBlockingQueue<>();
    Await.result(node.vertx().eventBus().<JsonObject>consumer(Addresses.BROKER_DROP_SESSIONS,
        msg -> drops.add(DropSessions.fromJson(msg.body()))).completion());
    // WHEN disabled THEN its sessions are dropped by one DEVICE BLOCKED event, without a second kick,
    // and provisioning refuses it
    assertThat(json(call("POST", "/api/v1/devices/d-1/disable", null)).getString("state")).isEqualTo("disabled");
    RevocationEvent blocked = events.poll(10, TimeUnit.SECONDS);
    assertThat(blocked.kind()).isEqualTo(RevocationEvent.Kind.DEVICE);
    assertThat(blocked.action()).isEqualTo(RevocationEvent.Action.BLOCKED);
    assertThat(blocked.deviceId()).isEqualTo("d-1");
    assertThat(drops.poll(1, TimeUnit.SECONDS)).isNull();
    assertThat(events.poll(1, TimeUnit.SECONDS)).isNull();
    assertThat(provision(device, "r-2").getString("reason")).contains("disabled");
    // WHEN enabled THEN provisioned again
    assertThat(json(call("POST", "/api/v1/devices/d-1/enable", null)).getString("state")).isEqualTo("provisioned");
    // WHEN retired THEN gone from service, credentials deleted
    assertThat(call("DELETE", "/api/v1/devices/d-1", null).statusCode()).isEqualTo(204);
    assertThat(json(call("GET", "/api/v1/devices/d-1", null)).getString("state")).isEqualTo("retired");
    assertThat(Await.result(new CredentialRepository(node.platform().db()).get("d-1"))).isEmpty();
    assertThat(call("POST", "/api/v1/devices/d-1/disable", null).statusCode()).isEqualTo(409);
    assertThat(call("GET", "/api/v1/devices/nobody", null).statusCode()).isEqualTo(404);
    // AND the audit log has the operator's actions
    JsonArray audit = json(call("GET", "/api/v1/audit?subject=d-1", null)).getJsonArray("items");
    assertThat(audit.stream().map(e -> ((JsonObject) e).getString("action")))
        .contains("device.disable", "device.enable", "device.retire");
  }

  @Test
  void signedCommandIsPublishedVerifiesAndIsCompletedByTheDevicesReplyOnce() throws Exception {
    trustCustomerCa("customer-c");
    call("POST", "/api/v1/enrollments", new JsonObject().put("deviceId", "c-1").put("approval", "auto"));
    JsonObject config = provision(FACTORY.ldevid("c-1"), "r-1").getJsonObject("config");
    BlockingQueue<DeliverMessage> delivered = new LinkedBlockingQueue<>();
    Await.result(node.vertx().eventBus().<JsonObject>consumer(Addresses.BROKER_DELIVER,
        msg -> delivered.add(DeliverMessage.fromJson(msg.body()))).completion());
    // WHEN an operator sends a command
    HttpResponse<String> sent = call("POST", "/api/v1/devices/c-1/commands",
        new JsonObject().put("name", "reboot").put("args", new JsonObject().put("delay", 5)));
    assertThat(sent.statusCode()).isEqualTo(201);
    String id = json(sent).getString("id");
    assertThat(json(sent).getString("status")).isEqualTo("sent");
    // THEN the broker is asked to publish a JWS on the device's command topic, verifiable with the
    // certificate of the device's config, carrying the claims of contract section 6
    DeliverMessage message = delivered.poll(10, TimeUnit.SECONDS);
    assertThat(message.topic()).isEqualTo("devices/c-1/commands/" + id);
    assertThat(message.qos()).isEqualTo(1);
    java.security.cert.X509Certificate verifier = Pem.readCertificate(
        config.getJsonObject("commandVerification").getString("certificate"));
    com.nimbusds.jose.JWSObject jws = com.nimbusds.jose.JWSObject.parse(message.payload().toString());
    assertThat(jws.getHeader().getAlgorithm()).isEqualTo(com.nimbusds.jose.JWSAlgorithm.ES256);
    assertThat(jws.verify(new com.nimbusds.jose.crypto.ECDSAVerifier(
        (java.security.interfaces.ECPublicKey) verifier.getPublicKey()))).isTrue();
    JsonObject claims = new JsonObject(jws.getPayload().toString());
    assertThat(claims.getString("deviceId")).isEqualTo("c-1");
    assertThat(claims.getString("commandId")).isEqualTo(id);
    assertThat(claims.getString("name")).isEqualTo("reboot");
    assertThat(claims.getJsonObject("args").getInteger("delay")).isEqualTo(5);
    assertThat(claims.getLong("exp")).isGreaterThan(claims.getLong("iat"));
    // WHEN the device replies (the broker forwards it) THEN the command is completed with its result, once
    node.vertx().eventBus().publish(Addresses.COMMAND_REPLY,
        new CommandReply("c-1", id, "{\"status\":\"ok\",\"result\":{\"uptime\":1}}").toJson());
    JsonObject command = awaitStatus(id, "completed");
    assertThat(command.getJsonObject("result").getJsonObject("result").getInteger("uptime")).isEqualTo(1);
    node.vertx().eventBus().publish(Addresses.COMMAND_REPLY,
        new CommandReply("c-1", id, "{\"status\":\"failed\"}").toJson());
    awaitAudit("c-1", "command is already finished");
    assertThat(json(call("GET", "/api/v1/commands/" + id, null)).getString("status")).isEqualTo("completed");
    // AND commands to unknown or unprovisioned devices are refused, bad ttl by the schema
    assertThat(call("POST", "/api/v1/devices/nobody/commands", new JsonObject().put("name", "x")).statusCode())
        .isEqualTo(404);
    assertThat(call("POST", "/api/v1/devices/c-1/commands", new JsonObject().put("name", "x").put("ttlSeconds", 0))
        .statusCode()).isEqualTo(400);
  }

  @Test
  void crlSourcesAreRegisteredCheckedListedAndDeleted() throws Exception {
    JsonObject source = new JsonObject().put("url", "https://pki.customer.example/ldevid.crl")
        .put("issuerPem", FACTORY.ldevidCaPem()).put("refreshSeconds", 600).put("stalePolicy", "refuse-all");
    HttpResponse<String> created = call("POST", "/api/v1/crl-sources", source);
    assertThat(created.statusCode()).isEqualTo(201);
    JsonObject body = json(created);
    assertThat(body.getString("issuerFingerprint")).isEqualTo(Fingerprints.sha256(FACTORY.ldevidCa()));
    assertThat(body.getString("stalePolicy")).isEqualTo("refuse_all");
    assertThat(call("POST", "/api/v1/crl-sources", source).statusCode()).isEqualTo(409);
    // not a URL, not a CA, an unknown policy: 400 each, with the reason
    assertThat(json(call("POST", "/api/v1/crl-sources", source.copy().put("url", "ftp://x/y.crl")))
        .getString("message")).contains("http or https");
    assertThat(json(call("POST", "/api/v1/crl-sources", source.copy().put("url", "https://other.example/a.crl")
        .put("issuerPem", FACTORY.ldevid("x-9").certificatePem()))).getString("message")).contains("CA");
    assertThat(call("POST", "/api/v1/crl-sources", source.copy().put("stalePolicy", "ignore")).statusCode())
        .isEqualTo(400);
    String id = body.getString("id");
    assertThat(json(call("GET", "/api/v1/crl-sources", null)).getJsonArray("items").stream()
        .map(s -> ((JsonObject) s).getString("id"))).contains(id);
    assertThat(call("DELETE", "/api/v1/crl-sources/" + id, null).statusCode()).isEqualTo(204);
    assertThat(call("GET", "/api/v1/crl-sources/" + id, null).statusCode()).isEqualTo(404);
  }

  private static JsonObject awaitStatus(String commandId, String status) throws Exception {
    for (int i = 0; i < 100; i++) {
      JsonObject command = json(call("GET", "/api/v1/commands/" + commandId, null));
      if (status.equals(command.getString("status"))) {
        return command;
      }
      Thread.sleep(100);
    }
    throw new AssertionError("command " + commandId + " never became " + status);
  }

  private static void awaitAudit(String subject, String reason) throws Exception {
    for (int i = 0; i < 100; i++) {
      JsonArray items = json(call("GET", "/api/v1/audit?outcome=refused&subject=" + subject, null)).getJsonArray("items");
      if (items.stream().anyMatch(e -> reason.equals(((JsonObject) e).getString("reason")))) {
        return;
      }
      Thread.sleep(100);
    }
    throw new AssertionError("no refusal '" + reason + "' of " + subject + " in the audit log");
  }

  private static void trustCustomerCa(String name) throws Exception {
    HttpResponse<String> response = call("POST", "/api/v1/trust-anchors", new JsonObject().put("name", name)
        .put("purpose", "ldevid").put("pem", Pem.encode(FACTORY.ldevidCa())));
    assertThat(response.statusCode()).isIn(201, 409);
  }

  private static JsonObject provision(DeviceIdentity device, String requestId) {
    String deviceId = io.zto.shared.pki.DeviceIds.fromCertificate(device.certificate()).value();
    return Await.result(node.vertx().eventBus().<JsonObject>request(Addresses.PROVISIONING_REQUEST,
        new ProvisioningRequestMessage(deviceId, requestId, device.certificatePem(), null, null, "test").toJson())).body();
  }

  private static HttpResponse<String> call(String method, String path, JsonObject body) throws Exception {
    return raw(method, path, "application/json", body == null ? null : body.encode());
  }

  private static HttpResponse<String> raw(String method, String path, String type, String body) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(uri(path)).header("Authorization", "Bearer " + token)
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
    if (body != null) {
      request.header("Content-Type", type);
    }
    return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static JsonObject json(HttpResponse<String> response) {
    return new JsonObject(response.body());
  }

  private static URI uri(String path) {
    return URI.create("http://127.0.0.1:" + node.httpPort() + path);
  }
}
