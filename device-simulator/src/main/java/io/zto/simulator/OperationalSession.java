package io.zto.simulator;

import io.netty.handler.codec.mqtt.MqttQoS;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.mqtt.MqttClient;
import io.vertx.mqtt.MqttClientOptions;
import io.vertx.mqtt.messages.MqttPublishMessage;
import io.zto.shared.pki.Pem;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * A device on the operational listener (contract section 6): connects with its issued certificate and
 * credentials, publishes telemetry under {@code devices/{id}/}, and answers signed commands: a command
 * whose JWS verifies with the config's command certificate, names this device and has not expired is
 * executed (here: acknowledged) and answered {@code ok}; any other is answered {@code rejected} with
 * the reason.
 */
final class OperationalSession {

  private final Vertx vertx;
  private final JsonObject config;
  private final Tls tls;
  private final CommandVerifier commands;
  private final Clock clock;
  private final Consumer<AgentEvent> events;
  private MqttClient client;
  private long telemetryTimer = -1;
  /** QoS 1 publishes written and not acknowledged yet, by packet id. */
  private final Map<Integer, Promise<Integer>> unacknowledged = new ConcurrentHashMap<>();
  /** PUBACKs that came before their publish's write completed (both on the client's event loop, but in either order). */
  private final Set<Integer> ackedEarly = ConcurrentHashMap.newKeySet();

  OperationalSession(Vertx vertx, JsonObject config, Tls tls, Clock clock, Consumer<AgentEvent> events) {
    this.vertx = vertx;
    this.config = config;
    this.tls = tls;
    this.clock = clock;
    this.events = events;
    this.commands = new CommandVerifier(
        Pem.readCertificate(config.getJsonObject("commandVerification").getString("certificate")),
        config.getString("deviceId"), clock);
  }

  String deviceId() {
    return config.getString("deviceId");
  }

  /** Connects and subscribes to the device's commands; {@code closed} runs when the connection ends. */
  Future<Void> connect(Handler closed) {
    return connect(config.getJsonObject("mqtt").getString("url"), closed);
  }

  /** As {@link #connect(Handler)}, to the operational listener at {@code listenerUrl} (another node's). */
  Future<Void> connect(String listenerUrl, Handler closed) {
    JsonObject mqtt = config.getJsonObject("mqtt");
    MqttUrl url = MqttUrl.parse(listenerUrl);
    MqttClientOptions options = new MqttClientOptions().setClientId(mqtt.getString("clientId"))
        .setUsername(mqtt.getString("username")).setPassword(mqtt.getString("password"))
        .setCleanSession(false).setAutoKeepAlive(true).setMaxMessageSize(256 * 1024);
    options.setSsl(url.tls()).setKeyCertOptions(tls.keyCert()).setTrustOptions(tls.trust())
        .setSslEngineOptions(Tls.engine())
        .setHostnameVerificationAlgorithm("HTTPS");
    client = MqttClient.create(vertx, options);
    client.publishHandler(this::command);
    client.publishCompletionHandler(this::acknowledged);
    client.publishCompletionExpirationHandler(id -> unacknowledgedFail(id, "no PUBACK for packet " + id + " in time"));
    client.closeHandler(ignored -> {
      stopTelemetry();
      unacknowledged.keySet().forEach(id -> unacknowledgedFail(id, "connection closed before the PUBACK of packet " + id));
      closed.handle();
    });
    return client.connect(url.port(), url.host(), url.host())
        .compose(connack -> client.subscribe("devices/" + deviceId() + "/commands/+", MqttQoS.AT_LEAST_ONCE.value()))
        .mapEmpty();
  }

  /** What to do when the connection ends. */
  interface Handler {
    void handle();
  }

  void startTelemetry(Duration interval) {
    if (interval.isZero() || interval.isNegative()) {
      return;
    }
    telemetryTimer = vertx.setPeriodic(interval.toMillis(), id -> publishTelemetry()
        .onSuccess(acknowledged -> events.accept(AgentEvent.of(AgentEvent.Kind.TELEMETRY, deviceId(), null))));
  }

  /**
   * Publishes one QoS 1 sample; completes with its packet id once the broker acknowledged it (PUBACK), not
   * when it is written: vertx-mqtt's own {@code publish} future completes on the write.
   */
  Future<Integer> publishTelemetry() {
    JsonObject sample = new JsonObject().put("at", clock.instant().toString()).put("temperature", 20 + Math.random() * 5);
    return client.publish("devices/" + deviceId() + "/telemetry", sample.toBuffer(), MqttQoS.AT_LEAST_ONCE, false, false)
        .compose(id -> {
          if (ackedEarly.remove(id)) {
            return Future.succeededFuture(id);
          }
          Promise<Integer> acked = Promise.promise();
          unacknowledged.put(id, acked);
          return acked.future();
        });
  }

  private void acknowledged(int id) {
    Promise<Integer> waiting = unacknowledged.remove(id);
    if (waiting != null) {
      waiting.tryComplete(id);
    } else {
      ackedEarly.add(id);
    }
  }

  private void unacknowledgedFail(int id, String reason) {
    Promise<Integer> waiting = unacknowledged.remove(id);
    if (waiting != null) {
      waiting.tryFail(reason);
    }
  }

  Future<Void> close() {
    stopTelemetry();
    return client != null && client.isConnected() ? client.disconnect() : Future.succeededFuture();
  }

  private void stopTelemetry() {
    if (telemetryTimer >= 0) {
      vertx.cancelTimer(telemetryTimer);
      telemetryTimer = -1;
    }
  }

  private void command(MqttPublishMessage message) {
    String topic = message.topicName();
    String commandId = topic.substring(topic.lastIndexOf('/') + 1);
    String compact = message.payload().toString();
    // the signature check is CPU work: on a worker, not on the client's event loop
    vertx.executeBlocking(() -> commands.verify(compact, commandId), false)
        .map(claims -> {
          events.accept(AgentEvent.of(AgentEvent.Kind.COMMAND, deviceId(), claims.getString("name")));
          return new JsonObject().put("status", "ok").put("result", new JsonObject().put("executed", claims.getString("name")));
        })
        .otherwise(refusal -> {
          events.accept(AgentEvent.of(AgentEvent.Kind.COMMAND_REJECTED, deviceId(), refusal.getMessage()));
          return new JsonObject().put("status", "rejected").put("result", refusal.getMessage());
        })
        .onSuccess(reply -> client.publish(topic + "/reply", reply.toBuffer(), MqttQoS.AT_LEAST_ONCE, false, false));
  }
}
