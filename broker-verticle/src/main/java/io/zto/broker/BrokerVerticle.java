package io.zto.broker;

import io.netty.handler.codec.mqtt.MqttConnectReturnCode;
import io.netty.handler.codec.mqtt.MqttVersion;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.ClientAuth;
import io.vertx.core.json.JsonObject;
import io.vertx.mqtt.MqttEndpoint;
import io.vertx.mqtt.MqttServer;
import io.vertx.mqtt.MqttServerOptions;
import io.zto.shared.Platform;
import io.zto.shared.bus.HealthReport;
import io.zto.shared.config.MqttConfig;
import io.zto.shared.config.Role;
import io.zto.shared.net.Health;
import io.zto.shared.net.ListenFailure;
import io.zto.shared.pki.TlsServerOptions;
import java.util.ArrayList;
import java.util.List;

/**
 * The MQTT listeners of the platform: operational (mutual TLS), provisioning (mutual TLS with an
 * LDevID) and the optional plain one. This foundation version binds them with their TLS settings and
 * answers every CONNECT with "server unavailable"; the broker issue gives them sessions.
 */
public final class BrokerVerticle extends VerticleBase {

  private final Platform platform;
  private final List<MqttServer> servers = new ArrayList<>();
  private final JsonObject ports = new JsonObject();

  public BrokerVerticle(Platform platform) {
    this.platform = platform;
  }

  @Override
  public Future<?> start() {
    MqttConfig mqtt = platform.config().mqtt();
    List<Future<?>> started = new ArrayList<>();
    started.add(listen("operational", tls(mqtt, mqtt.operational().port()), "mqtt.operational.port"));
    started.add(listen("provisioning", tls(mqtt, mqtt.provisioning().port()), "mqtt.provisioning.port"));
    if (mqtt.plain().enabled()) {
      started.add(listen("plain", base(mqtt, mqtt.plain().port()), "mqtt.plain.port"));
    }
    started.add(Health.register(vertx, Role.BROKER.label(),
        () -> HealthReport.up(Role.BROKER.label(), new JsonObject().put("ports", ports.copy()))));
    return Future.all(started);
  }

  private MqttServerOptions base(MqttConfig mqtt, int port) {
    MqttServerOptions options = new MqttServerOptions();
    options.setHost(mqtt.host()).setPort(port);
    // vertx-mqtt's defaults (8092 bytes, 23 characters) are too small for configs and device ids
    options.setMaxMessageSize(mqtt.maxMessageSize()).setMaxClientIdLength(mqtt.maxClientIdLength());
    return options;
  }

  private MqttServerOptions tls(MqttConfig mqtt, int port) {
    return TlsServerOptions.apply(base(mqtt, port), platform.pki().serverTls(), ClientAuth.REQUEST,
        platform.pki().caChain());
  }

  private Future<MqttServer> listen(String name, MqttServerOptions options, String portKey) {
    MqttServer server = MqttServer.create(vertx, options).endpointHandler(BrokerVerticle::unavailable);
    return server.listen()
        .recover(failure -> ListenFailure.describe(failure, "MQTT " + name, options.getHost(), options.getPort(), portKey))
        .onSuccess(s -> {
          servers.add(s);
          ports.put(name, s.actualPort());
        });
  }

  private static void unavailable(MqttEndpoint endpoint) {
    boolean v5 = endpoint.protocolVersion() == MqttVersion.MQTT_5.protocolLevel();
    endpoint.reject(v5 ? MqttConnectReturnCode.CONNECTION_REFUSED_SERVER_UNAVAILABLE_5
        : MqttConnectReturnCode.CONNECTION_REFUSED_SERVER_UNAVAILABLE);
  }

  /** Ports actually bound, by listener name. */
  public JsonObject actualPorts() {
    return ports.copy();
  }
}
