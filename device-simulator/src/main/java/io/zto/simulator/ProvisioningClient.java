package io.zto.simulator;

import io.netty.handler.codec.mqtt.MqttQoS;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.mqtt.MqttClient;
import io.vertx.mqtt.MqttClientOptions;
import io.zto.shared.bus.Topics;
import java.time.Clock;
import java.time.Duration;

/**
 * The device side of provisioning (contract section 4): connect to the provisioning listener with the
 * LDevID and the factory credentials, subscribe to the response topic, ask with a requestId, and wait
 * for {@code provisioned} or {@code rejected}; a {@code pending} answer keeps the device waiting,
 * asking again with the same requestId now and then in case it missed the push. A device with an IDevID
 * proves it in every request with a fresh {@code idevidProof} (contract section 9) bound to the requestId
 * and the LDevID, signed on a worker; the bare IDevID certificate is never sent.
 */
final class ProvisioningClient {

  static final Duration ASK_AGAIN = Duration.ofSeconds(30);

  private final Vertx vertx;
  private final FactoryConfig factory;
  private final Tls ldevid;
  private final Idevid idevid;
  private final Clock clock;

  /** A client for the device of {@code factory}; {@code idevid} null for a device without one. */
  ProvisioningClient(Vertx vertx, FactoryConfig factory, Tls ldevid, Idevid idevid, Clock clock) {
    this.vertx = vertx;
    this.factory = factory;
    this.ldevid = ldevid;
    this.idevid = idevid;
    this.clock = clock;
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
    client.publishHandler(message -> {
      JsonObject body = message.payload().toJsonObject();
      if (requestId.equals(body.getString("requestId")) && !"pending".equals(body.getString("status"))) {
        answer.tryComplete(body);
      }
    });
    client.closeHandler(closed -> answer.tryFail("the provisioning listener closed the connection"));
    long timer = vertx.setTimer(timeout.toMillis(), id -> answer.tryFail("no provisioning answer within " + timeout));
    long asker = vertx.setPeriodic(ASK_AGAIN.toMillis(), id -> ask(client, requestId));
    client.connect(url.port(), url.host(), url.host())
        .compose(connack -> client.subscribe(Topics.provisionResponse(factory.deviceId()), MqttQoS.AT_LEAST_ONCE.value()))
        .compose(subscribed -> ask(client, requestId))
        .onFailure(answer::tryFail);
    return answer.future().eventually(() -> {
      vertx.cancelTimer(timer);
      vertx.cancelTimer(asker);
      return client.isConnected() ? client.disconnect() : Future.succeededFuture();
    });
  }

  private Future<Integer> ask(MqttClient client, String requestId) {
    return request(requestId).compose(request -> client.publish(Topics.provisionRequest(factory.deviceId()),
        request.toBuffer(), MqttQoS.AT_LEAST_ONCE, false, false));
  }

  /**
   * The request body; the proof is made afresh for each ask so that a device waiting for an operator
   * still sends an {@code iat} the platform accepts.
   */
  Future<JsonObject> request(String requestId) {
    JsonObject request = new JsonObject().put("requestId", requestId)
        .put("info", new JsonObject().put("agent", "zto-device-simulator"));
    if (idevid == null) {
      return Future.succeededFuture(request);
    }
    return vertx.executeBlocking(() -> request.put("idevidProof",
        idevid.proof(requestId, factory.deviceId(), ldevid.certificate(), clock.instant())), false);
  }
}
