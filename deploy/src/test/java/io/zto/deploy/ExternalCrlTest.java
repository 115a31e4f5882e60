package io.zto.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.PemTrustOptions;
import io.vertx.mqtt.MqttClient;
import io.vertx.mqtt.MqttClientOptions;
import io.zto.shared.config.ZtoConfig;
import io.zto.shared.domain.RevocationReason;
import io.zto.shared.pki.FactoryCa;
import io.zto.shared.pki.Pem;
import io.zto.shared.pki.ProvisioningCredentials;
import io.zto.shared.testing.Await;
import io.zto.shared.testing.CrlServer;
import io.zto.shared.testing.TestCrls;
import java.net.ServerSocket;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An external CRL source through the whole platform: an operator registers the customer CA's CRL; a
 * device whose LDevID it then lists is dropped from the provisioning listener within a second and refused
 * afterwards; failures show in the API; deleting the source unblocks the device.
 */
class ExternalCrlTest {

  private static final String DEVICE = "gw-crl-000001";

  @TempDir
  Path tmp;

  private Node node;
  private Vertx devices;
  private OperatorClient operator;
  private int provisioningPort;
  private final FactoryCa customerCa = FactoryCa.create("Test Customer LDevID CA", "Customer");
  private final TestCrls crls = new TestCrls(customerCa);
  private final FactoryCa.Issued ldevid = customerCa.ldevid(DEVICE);

  @AfterEach
  void stop() {
    if (devices != null) {
      Await.result(devices.close());
    }
    if (node != null) {
      Await.result(node.stop());
    }
  }

  private void start() throws Exception {
    Map<String, String> settings = new HashMap<>();
    settings.put("dataDir", tmp.resolve("zto-data").toString());
    provisioningPort = freePort();
    for (String port : new String[] {"http.port", "est.port", "mqtt.operational.port"}) {
      settings.put(port, "0");
    }
    settings.put("mqtt.provisioning.port", Integer.toString(provisioningPort));
    node = Await.result(Node.start(ZtoConfig.of(settings), EventLoopNotBlockedTest.strictChecker()));
    operator = new OperatorClient("http://127.0.0.1:" + node.httpPort(),
        Files.readString(tmp.resolve("zto-data/admin-token")).strip());
    devices = Vertx.vertx();
  }

  /** The device's session on the provisioning listener, authenticated by its LDevID (a real MQTT client). */
  private MqttClient connectProvisioning(Promise<Long> closedAt) {
    MqttClient client = MqttClient.create(devices, ldevidOptions());
    client.closeHandler(closed -> closedAt.tryComplete(System.nanoTime()));
    Await.result(client.connect(provisioningPort, "localhost"));
    return client;
  }

  /** A connection attempt with the LDevID; fails if refused. */
  private Future<?> tryConnect() {
    MqttClient client = MqttClient.create(devices, ldevidOptions());
    return client.connect(provisioningPort, "localhost").compose(connected -> client.disconnect());
  }

  private MqttClientOptions ldevidOptions() {
    ProvisioningCredentials factory = node.platform().pki().provisioningCredentials();
    MqttClientOptions options = new MqttClientOptions().setClientId(DEVICE).setUsername(factory.username())
        .setPassword(factory.password()).setAutoKeepAlive(true);
    options.setSsl(true).setHostnameVerificationAlgorithm("HTTPS")
        .setKeyCertOptions(new PemKeyCertOptions().addCertValue(Buffer.buffer(Pem.encode(ldevid.certificate())))
            .addKeyValue(Buffer.buffer(Pem.encode(ldevid.keyPair().getPrivate()))))
        .setTrustOptions(new PemTrustOptions().addCertValue(Buffer.buffer(Pem.encode(node.platform().pki()
            .rootCertificate()))));
    return options;
  }

  private static int freePort() throws Exception {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }

  private JsonObject refresh(String id) throws Exception {
    HttpResponse<String> response = operator.api("POST", "/api/v1/crl-sources/" + id + "/refresh", null, null);
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    return OperatorClient.json(response);
  }

  private JsonObject source(String id) throws Exception {
    return OperatorClient.json(operator.api("GET", "/api/v1/crl-sources/" + id, null, null));
  }

  @Test
  void aDeviceWhoseLdevidAnExternalCrlListsIsDroppedFromProvisioningAndRefused() throws Exception {
    start();
    CrlServer server = CrlServer.http(devices);
    // GIVEN the customer CA trusted for LDevIDs and its CRL registered as a source, listing nothing yet
    assertThat(operator.api("POST", "/api/v1/trust-anchors", "application/json", new JsonObject()
        .put("name", "customer").put("purpose", "ldevid").put("pem", Pem.encode(customerCa.certificate())).encode())
        .statusCode()).isEqualTo(201);
    server.publish(crls.complete(1, Map.of()));
    HttpResponse<String> created = operator.api("POST", "/api/v1/crl-sources", "application/json", new JsonObject()
        .put("url", server.url()).put("issuerPem", Pem.encode(customerCa.certificate())).put("refreshSeconds", 3600)
        .encode());
    assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
    String id = OperatorClient.json(created).getString("id");
    assertThat(refresh(id).getString("outcome")).isIn("accepted", "unchanged");
    // AND the device connected to the provisioning listener with its LDevID
    Promise<Long> closed = Promise.promise();
    connectProvisioning(closed);
    // WHEN the customer CA lists the LDevID and the source is refreshed
    server.publish(crls.complete(2, Map.of(ldevid.certificate().getSerialNumber(), RevocationReason.KEY_COMPROMISE)));
    JsonObject outcome = refresh(id);
    long synced = System.nanoTime();
    // THEN the session is dropped within a second of the sync
    assertThat(outcome.getString("outcome")).isEqualTo("accepted");
    assertThat(outcome.getInteger("added")).isEqualTo(1);
    long droppedAt = Await.result(closed.future());
    assertThat(TimeUnit.NANOSECONDS.toMillis(droppedAt - synced)).isLessThan(1000);
    // AND a new connection with that LDevID is refused
    assertThat(Await.failure(tryConnect())).hasMessageContaining("NOT_AUTHORIZED");
    // AND the operator sees the source with its entry, after the built-in platform source
    JsonArray items = OperatorClient.json(operator.api("GET", "/api/v1/crl-sources", null, null)).getJsonArray("items");
    assertThat(items.getJsonObject(0).getString("id")).isEqualTo("platform");
    assertThat(items.getJsonObject(0).getBoolean("builtIn")).isTrue();
    assertThat(items.getJsonObject(0).getString("nextUpdate")).isNotNull();
    JsonObject listed = source(id);
    assertThat(listed.getString("crlNumber")).isEqualTo("2");
    assertThat(listed.getLong("entryCount")).isEqualTo(1L);
    assertThat(listed.getBoolean("stale")).isFalse();
    assertThat(listed.getString("nextAttemptAt")).isNotNull();
    // AND the refusal is audited with the reason
    JsonArray audit = OperatorClient.json(operator.api("GET", "/api/v1/audit?action=mqtt.connect&outcome=refused",
        null, null)).getJsonArray("items");
    assertThat(audit.getJsonObject(0).getString("reason")).contains("listed by the CRL of its issuer",
        "keyCompromise");
    // WHEN the server fails THEN the refresh says so and the source shows the error; the entry stays
    server.failWith(500);
    JsonObject failed = refresh(id);
    assertThat(failed.getString("outcome")).isEqualTo("failed");
    assertThat(failed.getString("kind")).isEqualTo("http-status");
    assertThat(source(id).getString("lastError")).startsWith("http-status: ").contains("500");
    assertThat(source(id).getInteger("failures")).isEqualTo(1);
    assertThat(Await.failure(tryConnect())).hasMessageContaining("NOT_AUTHORIZED");
    // AND the built-in platform source cannot be deleted
    HttpResponse<String> platform = operator.api("DELETE", "/api/v1/crl-sources/platform", null, null);
    assertThat(platform.statusCode()).isEqualTo(409);
    assertThat(platform.body()).contains("built-in");
    // WHEN the source is deleted THEN its entries no longer block the device
    assertThat(operator.api("DELETE", "/api/v1/crl-sources/" + id, null, null).statusCode()).isEqualTo(204);
    MqttClient again = connectProvisioning(Promise.promise());
    assertThat(again.isConnected()).isTrue();
    Await.result(again.disconnect());
  }
}
