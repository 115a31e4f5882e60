package io.zto.broker;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.ClientAuth;
import io.vertx.core.json.JsonObject;
import io.vertx.mqtt.MqttServer;
import io.vertx.mqtt.MqttServerOptions;
import io.zto.shared.Platform;
import io.zto.shared.bus.HealthReport;
import io.zto.shared.config.MqttConfig;
import io.zto.shared.config.Role;
import io.zto.shared.net.Health;
import io.zto.shared.net.ListenFailure;
import io.zto.shared.pki.DeferredClientTrust;
import io.zto.shared.pki.TlsServerOptions;
import io.zto.shared.store.AuditRepository;
import io.zto.shared.store.BrokerStateRepository;
import io.zto.shared.store.DeviceRepository;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * The MQTT broker of a node: the operational (mutual TLS), provisioning (mutual TLS with an LDevID)
 * and optional plain listeners in front of one {@link Broker}, and the {@link BrokerBridge} to the
 * platform. Deploy one instance per node: the broker state is confined to its event loop.
 */
public final class BrokerVerticle extends VerticleBase {

  private final Platform platform;
  private final List<MqttServer> servers = new ArrayList<>();
  private final JsonObject ports = new JsonObject();
  private BrokerNode node;
  private ClientIds clientIds;

  public BrokerVerticle(Platform platform) {
    this.platform = platform;
  }

  @Override
  public Future<?> start() {
    MqttConfig mqtt = platform.config().mqtt();
    node = new BrokerNode(vertx, mqtt, new BrokerMetrics(platform.metrics()), platform.nodeId());
    ConnectAuthenticator authenticator = new ConnectAuthenticator(vertx, platform);
    AuditRepository audit = new AuditRepository(platform.db());
    node.denials(new DenialAudit(audit, platform.nodeId(), java.time.Clock.systemUTC()));
    BrokerStateRepository state = new BrokerStateRepository(platform.db());
    StoredJournal journal = new StoredJournal(state, platform.nodeId());
    node.broker().journal(journal);
    // clustered: sessions move between nodes; alone, every stored session is this node's
    SessionHandover handover = vertx.isClustered() ? new SessionHandover(vertx, node, state, journal, context) : null;
    Function<String, Future<Boolean>> alive = handover == null ? other -> Future.succeededFuture(false)
        : handover::alive;
    // clustered: a client id may be held by a session on another node, which only the store tells
    clientIds = new ClientIds(node.broker(), new DeviceRepository(platform.db()), handover == null ? null : state);
    // stored sessions and retained messages are back before the first client connects
    return BrokerRestore.load(state, node.broker(), context, platform.nodeId(), alive)
        .compose(v -> listenAll(mqtt, authenticator, audit, handover));
  }

  private Future<?> listenAll(MqttConfig mqtt, ConnectAuthenticator authenticator, AuditRepository audit,
                              SessionHandover handover) {
    List<Future<?>> started = new ArrayList<>();
    started.add(new BrokerBridge(vertx, node, audit).start());
    if (handover != null) {
      started.add(handover.start());
    }
    // operational: a certificate is requested, not required, so service accounts can log in with a
    // password alone; devices without a certificate are refused after the handshake
    started.add(listen(Identity.Listener.OPERATIONAL, tls(mqtt, Identity.Listener.OPERATIONAL, ClientAuth.REQUEST),
        "mqtt.operational.port", authenticator, audit));
    started.add(listen(Identity.Listener.PROVISIONING, tls(mqtt, Identity.Listener.PROVISIONING, ClientAuth.REQUIRED),
        "mqtt.provisioning.port", authenticator, audit));
    if (mqtt.plain().enabled()) {
      started.add(listen(Identity.Listener.PLAIN, base(mqtt, Identity.Listener.PLAIN), "mqtt.plain.port", authenticator,
          audit));
    }
    started.add(Health.register(vertx, Role.BROKER.label(), () -> HealthReport.up(Role.BROKER.label(),
        new JsonObject().put("ports", ports.copy()).put("sessions", node.broker().sessionCount())
            .put("connections", node.connections().size()))));
    return Future.all(started);
  }

  private MqttServerOptions base(MqttConfig mqtt, Identity.Listener listener) {
    MqttServerOptions options = new MqttServerOptions();
    options.setHost(mqtt.host()).setPort(port(mqtt, listener));
    // vertx-mqtt's defaults (8092 bytes, 23 characters) are too small for configs and device ids; the
    // provisioning listener, open to devices not yet onboarded, takes smaller packets
    options.setMaxMessageSize(BrokerNode.maxMessageSize(mqtt, listener)).setMaxClientIdLength(mqtt.maxClientIdLength());
    options.setAutoClientId(true);
    return options;
  }

  // trust is decided after the handshake, off the event loop, so anchor and revocation changes apply at once
  private static int port(MqttConfig mqtt, Identity.Listener listener) {
    return switch (listener) {
      case OPERATIONAL -> mqtt.operational().port();
      case PROVISIONING -> mqtt.provisioning().port();
      case PLAIN -> mqtt.plain().port();
    };
  }

  private MqttServerOptions tls(MqttConfig mqtt, Identity.Listener listener, ClientAuth clientAuth) {
    // behind a TCP load balancer the PROXY header names the device, so audit entries and limits see it
    MqttServerOptions options = base(mqtt, listener);
    options.setUseProxyProtocol(mqtt.proxyProtocol());
    return TlsServerOptions.engine(TlsServerOptions.apply(options, platform.pki().serverTls(), clientAuth,
        DeferredClientTrust.options()), platform.config().pki().tlsEngine());
  }

  private Future<MqttServer> listen(Identity.Listener listener, MqttServerOptions options, String portKey,
                                    ConnectAuthenticator authenticator, AuditRepository audit) {
    ConnectHandler connects = new ConnectHandler(listener, node, authenticator, clientIds, audit, context);
    MqttServer server = MqttServer.create(vertx, options).endpointHandler(connects::handle);
    return server.listen()
        .recover(failure -> ListenFailure.describe(failure, "MQTT " + listener.label(), options.getHost(),
            options.getPort(), portKey))
        .onSuccess(s -> {
          servers.add(s);
          ports.put(listener.label(), s.actualPort());
        });
  }

  /** Ports actually bound, by listener name. */
  public JsonObject actualPorts() {
    return ports.copy();
  }

  /** The context the broker state is confined to. */
  io.vertx.core.Context brokerContext() {
    return context;
  }

  /** The broker core, for tests and the node's health. */
  public BrokerNode node() {
    return node;
  }
}
