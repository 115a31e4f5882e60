package io.zto.simulator;

import io.netty.handler.codec.mqtt.MqttQoS;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.mqtt.MqttClient;
import io.vertx.mqtt.MqttClientOptions;
import io.zto.shared.bus.Topics;
import java.time.Duration;

/**
 * The device side of provisioning (contract section 4): connect to the provisioning listener with the
 * LDevID and the factory credentials, subscribe to the response topic, ask with a requestId, and wait
 * for {@code provisioned} or {@code rejected}; a {@code pending} answer keeps the device waiting,
 * asking again with the same requestId now and then in case it missed the push.
 */
final class ProvisioningClient {

  static final Duration ASK_AGAIN = Duration.ofSeconds(30);

  private final Vertx vertx;
  private final FactoryConfig factory;
  private final Tls ldevid;
  private final String idevidPem;

  ProvisioningClient(Vertx vertx, FactoryConfig factory, Tls ldevid, String idevidPem) {
    this.vertx = vertx;
    this.factory = factory;
    this.ldevid = ldevid;
    this.idevidPem = idevidPem;
  }

  /** The final answer ({@code provisioned} or {@code rejected}) to a request with {@code requestId}. */
  Future<JsonObject> provision(String requestId, Duration timeout) {
    return provision(factory.provisioningUrl(), requestId, timeout);
  }

  /** As {@link #provision(String, Duration)}, on the provisioning listener at {@code listenerUrl}. */
  Future<JsonObject> provision(String listenerUrl, String requestId, Duration timeout) {
    MqttUrl url = MqttUrl.parse(listenerUrl);
    MqttClientOptions options = new MqttClientOptions().setClientId(factory.deviceId())
        .setUsername(factory.username()).setPassword(factory.password()).setCleanSession(true)
        .setMaxMessageSize(256 * 1024).setAutoKeepAlive(true);
    options.setSsl(url.tls()).setKeyCertOptions(ldevid.keyCert()).setTrustOptions(ldevid.trust())
        .setSslEngineOptions(Tls.engine())
        .setHostnameVerificationAlgorithm("HTTPS");
    MqttClient client = MqttClient.create(vertx, options);
    Promise<JsonObject> answer = Promise.promise();
    JsonObject request = new JsonObject().put("requestId", requestId).put("idevid", idevidPem)
        .put("info", new JsonObject().put("agent", "zto-device-simulator"));
    client.publishHandler(message -> {
      JsonObject body = message.payload().toJsonObject();
      if (requestId.equals(body.getString("requestId")) && !"pending".equals(body.getString("status"))) {
        answer.tryComplete(body);
      }
    });
    client.closeHandler(closed -> answer.tryFail("the provisioning listener closed the connection"));
    long timer = vertx.setTimer(timeout.toMillis(), id -> answer.tryFail("no provisioning answer within " + timeout));
    long asker = vertx.setPeriodic(ASK_AGAIN.toMillis(), id -> ask(client, request));
    client.connect(url.port(), url.host(), url.host())
        .compose(connack -> client.subscribe(Topics.provisionResponse(factory.deviceId()), MqttQoS.AT_LEAST_ONCE.value()))
        .compose(subscribed -> ask(client, request))
        .onFailure(answer::tryFail);
    return answer.future().eventually(() -> {
      vertx.cancelTimer(timer);
      vertx.cancelTimer(asker);
      return client.isConnected() ? client.disconnect() : Future.succeededFuture();
    });
  }

  private Future<Integer> ask(MqttClient client, JsonObject request) {
    return client.publish(Topics.provisionRequest(factory.deviceId()), request.toBuffer(), MqttQoS.AT_LEAST_ONCE,
        false, false);
  }
}
