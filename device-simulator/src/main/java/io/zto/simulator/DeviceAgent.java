package io.zto.simulator;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.mqtt.MqttConnectionException;
import io.zto.shared.files.SecureFiles;
import io.zto.shared.pki.KeyPairs;
import io.zto.shared.pki.Pem;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * The device side of the whole contract, from a factory config: provision over MQTT with the LDevID
 * (proving the IDevID, when the config names one, with an {@code idevidProof}), make a key pair and
 * enroll over EST with the one-time challenge, connect to the operational listener, send telemetry and
 * answer signed commands, re-enroll at two thirds of the certificate's lifetime, and provision again when
 * the operational listener refuses its certificate (revoked). Refusals and lost connections are retried
 * with exponential backoff and jitter. Many agents share one Vert.x instance; no thread per device.
 */
public final class DeviceAgent {

  private final Vertx vertx;
  private final FactoryConfig factory;
  private final AgentOptions options;
  private final Consumer<AgentEvent> events;
  private final Clock clock = Clock.systemUTC();
  private final Tls ldevid;
  /** Proves the device's IDevID in its provisioning requests; null for a device without one (the fleet). */
  private final Idevid idevid;
  private final Promise<Void> operational = Promise.promise();
  private final Endpoints endpoints;
  // how many times each kind of endpoint failed: the next connection goes to the next endpoint of the kind
  private int provisioningTurn;
  private int estTurn;
  private int mqttTurn;
  // kept until an answer arrives, so a request repeated on another node is answered the same
  private String requestId;
  private JsonObject config;
  private Tls current;
  private Instant receivedAt = Instant.EPOCH;
  private OperationalSession session;
  private long renewalTimer = -1;
  private boolean stopped;
  private final Supplier<KeyPair> keys;

  public DeviceAgent(Vertx vertx, FactoryConfig factory, AgentOptions options, Consumer<AgentEvent> events) {
    this(vertx, factory, options, Endpoints.NONE, events);
  }

  /**
   * An agent that may use several platform nodes: on a refused or lost connection it moves to the next
   * endpoint of that kind (see {@link Endpoints}).
   */
  public DeviceAgent(Vertx vertx, FactoryConfig factory, AgentOptions options, Endpoints endpoints,
                     Consumer<AgentEvent> events) {
    this(vertx, factory, Pem.readCertificates(SecureFiles.readString(factory.ldevidCertificate())),
        Pem.readPrivateKey(SecureFiles.readString(factory.ldevidKey())), Idevid.of(factory), null,
        endpoints, options, events);
  }

  /**
   * An agent whose LDevID is already in memory (the factory config's LDevID and IDevID paths are not
   * read), taking each new operational key pair from {@code keys} instead of generating it: the fleet
   * simulator's pre-generated pool, so that its own key generation does not compete with the server.
   *
   * @param keys gives one fresh key pair per call without blocking; null to generate on a worker
   */
  public DeviceAgent(Vertx vertx, FactoryConfig factory, List<X509Certificate> ldevidChain, PrivateKey ldevidKey,
                     Supplier<KeyPair> keys, AgentOptions options, Consumer<AgentEvent> events) {
    this(vertx, factory, ldevidChain, ldevidKey, null, keys, Endpoints.NONE, options, events);
  }

  private DeviceAgent(Vertx vertx, FactoryConfig factory, List<X509Certificate> ldevidChain, PrivateKey ldevidKey,
                      Idevid idevid, Supplier<KeyPair> keys, Endpoints endpoints, AgentOptions options,
                      Consumer<AgentEvent> events) {
    this.vertx = vertx;
    this.factory = factory;
    this.endpoints = endpoints.orFactory(factory);
    this.options = options;
    this.events = events;
    this.keys = keys;
    this.ldevid = new Tls(ldevidChain, ldevidKey, factory.trustAnchorsPem());
    this.idevid = idevid;
  }

  /** Completes once the device is first connected to the operational listener. */
  public Future<Void> start() {
    onboard(1);
    return operational.future();
  }

  public Future<Void> stop() {
    stopped = true;
    vertx.cancelTimer(renewalTimer);
    return session == null ? Future.succeededFuture() : session.close();
  }

  public String deviceId() {
    return factory.deviceId();
  }

  /** The operational certificate, once enrolled. */
  public X509Certificate certificate() {
    return current == null ? null : current.certificate();
  }

  /** The private key of {@link #certificate()}, once enrolled (for tests that act as the device). */
  public PrivateKey privateKey() {
    return current == null ? null : current.key();
  }

  /** The config the platform sent, once provisioned. */
  public JsonObject config() {
    return config;
  }

  /** Publishes one telemetry sample now (QoS 1); completes once the broker acknowledged it. */
  public Future<Integer> publishTelemetry() {
    return session.publishTelemetry();
  }

  private void onboard(int attempt) {
    if (stopped) {
      return;
    }
    if (requestId == null) {
      requestId = UUID.randomUUID().toString();
    }
    String id = requestId;
    String url = Endpoints.pick(endpoints.provisioning(), provisioningTurn, factory.provisioningUrl());
    emit(AgentEvent.Kind.PROVISIONING, id);
    new ProvisioningClient(vertx, factory, ldevid, idevid, clock).provision(url, id, options.provisioningTimeout())
        .onFailure(failure -> provisioningTurn++)
        .compose(answer -> {
          requestId = null; // answered: a later round asks afresh
          if (!"provisioned".equals(answer.getString("status"))) {
            emit(AgentEvent.Kind.REJECTED, answer.getString("reason"));
            return Future.failedFuture(answer.getString("reason"));
          }
          config = answer.getJsonObject("config");
          emit(AgentEvent.Kind.PROVISIONED, id);
          return enroll();
        })
        .onSuccess(ignored -> operate(1))
        .onFailure(failure -> retry(attempt, failure));
  }

  private void retry(int attempt, Throwable failure) {
    emit(AgentEvent.Kind.FAILED, failure.getMessage());
    if (options.maxAttempts() > 0 && attempt >= options.maxAttempts()) {
      operational.tryFail(failure);
      return;
    }
    vertx.setTimer(options.backoff(attempt).toMillis(), id -> onboard(attempt + 1));
  }

  private Future<Void> enroll() {
    return newKeys().compose(keys -> enroll(keys, Math.max(1, endpoints.est().size())))
        .map(tls -> {
          current = tls;
          receivedAt = clock.instant();
          emit(AgentEvent.Kind.ENROLLED, tls.certificate().getSerialNumber().toString(16));
          return null;
        });
  }

  /** Enrolls with the challenge, trying the next EST endpoint on failure while {@code tries} last. */
  private Future<Tls> enroll(KeyPair keys, int tries) {
    JsonObject est = config.getJsonObject("est");
    return new EstClient(vertx, Endpoints.pick(endpoints.est(), estTurn, est.getString("url")))
        .enroll(new Tls(ldevid.chain(), ldevid.key(), est.getString("trustAnchors")), keys, deviceId(),
            est.getString("challengePassword"))
        .map(cert -> new Tls(List.of(cert), keys.getPrivate(), config.getJsonObject("mqtt").getString("trustAnchors")))
        .recover(failure -> {
          estTurn++;
          return tries > 1 ? enroll(keys, tries - 1) : Future.failedFuture(failure);
        });
  }

  /**
   * Connects to the operational listener; a refused certificate means provisioning again, any other failure
   * the next operational endpoint after a backoff.
   */
  private void operate(int attempt) {
    if (stopped) {
      return;
    }
    connect().onSuccess(ignored -> operational.tryComplete()).onFailure(failure -> {
      if (failure instanceof MqttConnectionException refused) {
        emit(AgentEvent.Kind.REPROVISIONING, "operational listener refused: " + refused.code());
        vertx.cancelTimer(renewalTimer);
        onboard(1);
        return;
      }
      mqttTurn++;
      emit(AgentEvent.Kind.FAILED, "operational connection: " + failure.getMessage());
      vertx.setTimer(options.backoff(attempt).toMillis(), id -> operate(attempt + 1));
    });
  }

  private Future<Void> connect() {
    try {
      session = new OperationalSession(vertx, config, current, clock, events);
    } catch (IllegalArgumentException e) {
      // a config whose command certificate cannot verify ES256: reported as a failed connection
      return Future.failedFuture(e);
    }
    String url = Endpoints.pick(endpoints.mqtt(), mqttTurn, config.getJsonObject("mqtt").getString("url"));
    return session.connect(url, this::lost).map(ignored -> {
      emit(AgentEvent.Kind.CONNECTED, current.certificate().getSerialNumber().toString(16));
      session.startTelemetry(options.telemetryInterval());
      scheduleRenewal();
      return null;
    });
  }

  /** The operational connection ended: reconnect; if the listener refuses the certificate, provision again. */
  private void lost() {
    emit(AgentEvent.Kind.DISCONNECTED, null);
    if (stopped) {
      return;
    }
    vertx.setTimer(options.backoff(1).toMillis(), id -> operate(1));
  }

  /**
   * Renews at {@code renewAt} of the lifetime left when the certificate arrived: CAs backdate notBefore
   * for slow clocks, and counting from it would renew a short-lived certificate at once, again and again.
   */
  private void scheduleRenewal() {
    vertx.cancelTimer(renewalTimer);
    Instant from = receivedAt.isAfter(current.certificate().getNotBefore().toInstant())
        ? receivedAt : current.certificate().getNotBefore().toInstant();
    Instant to = current.certificate().getNotAfter().toInstant();
    Instant renewAt = from.plusMillis((long) (Duration.between(from, to).toMillis() * options.renewAt()));
    long delay = Math.max(1, Duration.between(clock.instant(), renewAt).toMillis());
    renewalTimer = vertx.setTimer(delay, id -> renew());
  }

  private void renew() {
    if (stopped) {
      return;
    }
    String url = Endpoints.pick(endpoints.est(), estTurn, config.getJsonObject("est").getString("url"));
    newKeys().compose(keys -> new EstClient(vertx, url).reenroll(current, keys)
            .map(cert -> new Tls(List.of(cert), keys.getPrivate(), current.trustAnchorsPem())))
        .onSuccess(renewed -> {
          current = renewed;
          receivedAt = clock.instant();
          emit(AgentEvent.Kind.RENEWED, renewed.certificate().getSerialNumber().toString(16));
          // the old session goes; lost() reconnects with the new certificate
          session.close();
        })
        .onFailure(failure -> {
          estTurn++;
          emit(AgentEvent.Kind.FAILED, "re-enrollment: " + failure.getMessage());
          renewalTimer = vertx.setTimer(options.backoff(2).toMillis(), id -> renew());
        });
  }

  private Future<KeyPair> newKeys() {
    if (keys != null) {
      return Future.succeededFuture(keys.get());
    }
    return vertx.executeBlocking(KeyPairs::ecP256, false);
  }

  private void emit(AgentEvent.Kind kind, String detail) {
    events.accept(AgentEvent.of(kind, deviceId(), detail));
  }
}
