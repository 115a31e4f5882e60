package io.zto.simulator;

import io.netty.handler.codec.mqtt.MqttQoS;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.mqtt.MqttClient;
import io.vertx.mqtt.MqttClientOptions;
import io.zto.shared.files.SecureFiles;
import io.zto.shared.pki.Pem;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.util.List;

/**
 * One device's protocol steps taken one at a time, each on the node a test chooses, for the cluster tests
 * of {@code io.zto.deploy}: the agent's clients ({@link ProvisioningClient}, {@link EstClient}) are not an
 * API of the simulator, so this test-side class in their package lends them out, with the device's LDevID
 * read from its factory config as {@link DeviceAgent} reads it.
 */
public final class DeviceSteps {

  private static final Duration TIMEOUT = Duration.ofSeconds(25);

  private final Vertx vertx;
  private final FactoryConfig factory;
  private final Tls ldevid;
  private final Idevid idevid;

  public DeviceSteps(Vertx vertx, FactoryConfig factory) {
    this.vertx = vertx;
    this.factory = factory;
    this.ldevid = new Tls(Pem.readCertificates(SecureFiles.readString(factory.ldevidCertificate())),
        Pem.readPrivateKey(SecureFiles.readString(factory.ldevidKey())), factory.trustAnchorsPem());
    this.idevid = Idevid.of(factory);
  }

  public String deviceId() {
    return factory.deviceId();
  }

  /** The final answer ({@code provisioned} or {@code rejected}) to {@code requestId} on the listener at {@code url}. */
  public Future<JsonObject> provision(String url, String requestId) {
    return new ProvisioningClient(vertx, factory, ldevid, idevid, Clock.systemUTC()).provision(url, requestId, TIMEOUT);
  }

  /**
   * {@code simpleenroll} at the EST base {@code url} with the LDevID, a CSR for {@code keys} and the challenge
   * of the provisioning {@code config}; a refusal fails with the status and the server's text in its message.
   */
  public Future<X509Certificate> enroll(String url, JsonObject config, KeyPair keys) {
    JsonObject est = config.getJsonObject("est");
    return new EstClient(vertx, url).enroll(new Tls(ldevid.chain(), ldevid.key(), est.getString("trustAnchors")),
        keys, deviceId(), est.getString("challengePassword"));
  }

  /**
   * Publishes one QoS 1 message as the device on the operational listener at {@code url} (with its operational
   * certificate and the credentials of {@code config}), completes on the PUBACK and disconnects. The client id
   * is the device id: a connection of the device elsewhere is taken over.
   */
  public Future<Void> publish(String url, JsonObject config, X509Certificate certificate, PrivateKey key,
                              String topic, Buffer payload) {
    JsonObject mqtt = config.getJsonObject("mqtt");
    Tls tls = new Tls(List.of(certificate), key, mqtt.getString("trustAnchors"));
    MqttUrl at = MqttUrl.parse(url);
    MqttClientOptions options = new MqttClientOptions().setClientId(mqtt.getString("clientId"))
        .setUsername(mqtt.getString("username")).setPassword(mqtt.getString("password")).setCleanSession(true);
    options.setSsl(at.tls()).setKeyCertOptions(tls.keyCert()).setTrustOptions(tls.trust())
        .setSslEngineOptions(Tls.engine()).setHostnameVerificationAlgorithm("HTTPS");
    options.setAckTimeout((int) TIMEOUT.toSeconds());
    MqttClient client = MqttClient.create(vertx, options);
    Promise<Void> acknowledged = Promise.promise();
    client.publishCompletionHandler(packetId -> acknowledged.tryComplete());
    client.publishCompletionExpirationHandler(packetId -> acknowledged.tryFail("no PUBACK within " + TIMEOUT));
    client.closeHandler(closed -> acknowledged.tryFail("the operational listener closed the connection"));
    client.connect(at.port(), at.host(), at.host())
        .compose(connected -> client.publish(topic, payload, MqttQoS.AT_LEAST_ONCE, false, false))
        .onFailure(acknowledged::tryFail);
    return acknowledged.future().eventually(() -> client.isConnected() ? client.disconnect() : Future.succeededFuture());
  }
}
