package io.zto.broker;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Vertx;
import io.zto.shared.Platform;
import io.zto.shared.config.ZtoConfig;
import io.zto.shared.pki.PlatformPki;
import io.zto.shared.store.Database;
import io.zto.shared.testing.Await;
import io.zto.shared.testing.Backend;
import io.zto.shared.testing.TestPki;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;

/** A broker verticle on its own Vert.x, with a throwaway PKI and SQLite database; every port 0. */
final class TestBroker implements AutoCloseable {

  final Vertx vertx;
  final Platform platform;
  BrokerVerticle verticle;
  private String deployment;
  final SimpleMeterRegistry metrics = new SimpleMeterRegistry();

  private TestBroker(Vertx vertx, Platform platform, BrokerVerticle verticle) {
    this.vertx = vertx;
    this.platform = platform;
    this.verticle = verticle;
  }

  static TestBroker start(Path dataDir, Map<String, String> extra) {
    PlatformPki pki = TestPki.create(dataDir);
    return start(pki, extra);
  }

  static TestBroker start(PlatformPki pki, Map<String, String> extra) {
    Map<String, String> settings = new HashMap<>(Map.of("mqtt.plain.enabled", "true",
        "mqtt.plain.allowAnonymous", "true", "mqtt.plain.port", "0", "mqtt.operational.port", "0",
        "mqtt.provisioning.port", "0", "mqtt.host", "127.0.0.1"));
    settings.putAll(extra);
    return start(pki, ZtoConfig.of(settings));
  }

  static TestBroker start(PlatformPki pki, ZtoConfig config) {
    Vertx vertx = Vertx.vertx();
    Database db = Await.result(Backend.SQLITE.open(vertx));
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    Platform platform = new Platform(config, db, pki, registry, "node-" + UUID.randomUUID());
    BrokerVerticle verticle = new BrokerVerticle(platform);
    TestBroker broker = new TestBroker(vertx, platform, verticle);
    broker.deployment = Await.result(vertx.deployVerticle(verticle));
    return broker;
  }

  /** Undeploys the broker and deploys a new one on the same database (ports change). */
  void restart() {
    Await.result(vertx.undeploy(deployment));
    verticle = new BrokerVerticle(platform);
    deployment = Await.result(vertx.deployVerticle(verticle));
  }

  int plainPort() {
    return verticle.actualPorts().getInteger("plain");
  }

  int operationalPort() {
    return verticle.actualPorts().getInteger("operational");
  }

  int provisioningPort() {
    return verticle.actualPorts().getInteger("provisioning");
  }

  /** Runs {@code action} on the broker's context and waits for it (broker state is confined there). */
  <T> T onBroker(java.util.function.Supplier<T> action) {
    io.vertx.core.Promise<T> promise = io.vertx.core.Promise.promise();
    verticle.brokerContext().runOnContext(v -> promise.complete(action.get()));
    return Await.result(promise.future());
  }

  @Override
  public void close() {
    Await.result(vertx.close());
  }
}
