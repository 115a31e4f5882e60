package io.zto.simulator;

import io.vertx.core.Context;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.VerticleBase;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.ClientAuth;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetClientOptions;
import io.vertx.core.net.NetServerOptions;
import io.vertx.core.net.NetSocket;
import io.zto.shared.files.SecureFiles;
import io.zto.shared.pki.ChainVerifier;
import io.zto.shared.pki.DeferredClientTrust;
import io.zto.shared.pki.FactoryCa;
import io.zto.shared.pki.Pem;
import io.zto.shared.pki.ServerTlsIdentity;
import io.zto.shared.pki.TlsServerOptions;
import java.io.PrintStream;
import java.nio.file.Path;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;

/**
 * The machine's mutual-TLS ceiling, for the onboarding bench: a bare Vert.x TLS {@code NetServer} with
 * the platform's server certificate (from its data dir), its TLS engine setting and its client
 * certificate check (any chain in the handshake, {@link DeferredClientTrust}; then the chain checked by
 * {@link ChainVerifier} on a worker, as the listeners do), answering {@code ok} and closing; and a client
 * that opens fresh connections, each with a device certificate not used before, through the same
 * Vert.x client stack and engine as the simulated devices.
 *
 * <pre>
 * zto simulate handshake-server  --data-dir DIR --work DIR [--port 0] [--tls-engine auto] [--instances cores]
 * zto simulate handshake-ceiling --data-dir DIR --work DIR --port P [--connections 2000] [--warmup 300]
 *                                [--max-in-flight 64] [--client-tls-engine jdk]
 * </pre>
 */
final class HandshakeCeiling {

  static final String USAGE = """
      usage: zto simulate handshake-server --data-dir DIR --work DIR [--port 0] [--tls-engine auto] [--instances N]
             zto simulate handshake-ceiling --data-dir DIR --work DIR --port P [--connections 2000] [--warmup 300]
                                            [--max-in-flight 64] [--client-tls-engine jdk] [--event-loops N]
        handshake-server: a bare Vert.x TLS server with the platform's server certificate (DIR/tls), TLS
          engine and client-certificate check (chain checked by Bouncy Castle on a worker after the
          handshake); makes a customer CA in the work dir, trusts it, prints its port, runs until stopped.
        handshake-ceiling: opens fresh mutual-TLS connections to it, each with a device certificate of that
          CA not used before, at most --max-in-flight at once, after --warmup connections not counted;
          prints handshakes per second and writes WORK/ceiling.json.
      """;

  /** Longer than Vert.x's 10 s: on a loaded machine a slow handshake is a figure, not a failure. */
  static final long HANDSHAKE_TIMEOUT_SECONDS = 60;

  private HandshakeCeiling() {}

  static int run(String command, String[] args, PrintStream out, PrintStream err) {
    try {
      Map<String, String> options = FactoryTool.options(args);
      if (options.containsKey("help")) {
        out.print(USAGE);
        return 0;
      }
      Path dataDir = Path.of(options.getOrDefault("data-dir", SimulationOptions.DEFAULT_DATA_DIR));
      Path work = Path.of(required(options, "work"));
      if ("handshake-server".equals(command)) {
        serve(dataDir, work, SimulationOptions.integer(options, "port", 0), options.getOrDefault("tls-engine", "auto"),
            SimulationOptions.integer(options, "instances", Runtime.getRuntime().availableProcessors()), out);
        return 0;
      }
      JsonObject result = measure(dataDir, work, SimulationOptions.integer(options, "port", 0),
          SimulationOptions.integer(options, "connections", 2000), SimulationOptions.integer(options, "warmup", 300),
          SimulationOptions.integer(options, "max-in-flight", 64),
          options.getOrDefault("client-tls-engine", SimulationOptions.DEFAULT_CLIENT_TLS_ENGINE),
          SimulationOptions.integer(options, "event-loops", Runtime.getRuntime().availableProcessors()));
      SecureFiles.writeAtomically(work.resolve("ceiling.json"), result.encodePrettily());
      out.println(String.format(Locale.ROOT, "handshake ceiling: %.1f mutual-TLS handshakes/s (%d connections, %d in flight,"
          + " %d failed)", result.getDouble("handshakesPerSecond"), result.getInteger("connections"),
          result.getInteger("maxInFlight"), result.getInteger("failed")));
      return result.getInteger("failed") == 0 ? 0 : 1;
    } catch (IllegalArgumentException e) {
      err.println("zto simulate " + command + ": " + e.getMessage());
      err.print(USAGE);
      return 2;
    } catch (RuntimeException e) {
      err.println("zto simulate " + command + ": " + e.getMessage());
      return 1;
    }
  }

  /** Runs the server until the process ends. */
  static void serve(Path dataDir, Path work, int port, String engine, int instances, PrintStream out) {
    ServerTlsIdentity identity = new ServerTlsIdentity(
        Pem.readPrivateKey(SecureFiles.readString(dataDir.resolve("tls").resolve("server-key.pem"))),
        Pem.readCertificates(SecureFiles.readString(dataDir.resolve("tls").resolve("server-chain.pem"))));
    FactoryCa customer = FactoryCa.create("zto handshake ceiling customer CA", "zto bench");
    SecureFiles.ensureDirectory(work);
    SecureFiles.writeAtomically(work.resolve("customer-ca.pem"), Pem.encode(customer.certificate()));
    SecureFiles.writeAtomically(work.resolve("customer-ca-key.pem"), Pem.encode(customer.key()));
    List<X509Certificate> anchors = List.of(customer.certificate());
    Vertx vertx = Vertx.vertx();
    AtomicInteger bound = new AtomicInteger(port);
    NetServerOptions options = TlsServerOptions.engine(TlsServerOptions.apply(new NetServerOptions().setHost("127.0.0.1")
        .setPort(port), identity, ClientAuth.REQUIRED, DeferredClientTrust.options()), engine);
    if (port == 0) {
      // one port for all instances: bind the first, then the rest on the port it got
      await(vertx.createNetServer(options).connectHandler(socket -> answer(vertx, socket, anchors)).listen()
          .onSuccess(server -> bound.set(server.actualPort())));
      options.setPort(bound.get());
      instances--;
    }
    if (instances > 0) {
      await(vertx.deployVerticle(() -> new VerticleBase() {
        @Override
        public Future<?> start() {
          return vertx.createNetServer(options).connectHandler(socket -> answer(vertx, socket, anchors)).listen();
        }
      }, new DeploymentOptions().setInstances(instances)));
    }
    out.println("handshake-server listening on 127.0.0.1:" + bound.get() + " (engine " + engine + ")");
    out.flush();
    try {
      new CountDownLatch(1).await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** After the handshake: the chain check the platform's listeners make, on a worker, then "ok" or "no". */
  private static void answer(Vertx vertx, NetSocket socket, List<X509Certificate> anchors) {
    List<X509Certificate> chain = new ArrayList<>();
    try {
      for (Certificate certificate : socket.peerCertificates()) {
        chain.add((X509Certificate) certificate);
      }
    } catch (Exception e) {
      socket.end(Buffer.buffer("no\n"));
      return;
    }
    vertx.executeBlocking(() -> ChainVerifier.verify(chain, anchors, Instant.now()), false)
        .onComplete(checked -> socket.end(Buffer.buffer(checked.succeeded() ? "ok\n" : "no\n")));
  }

  /** Opens {@code warmup + connections} fresh mutual-TLS connections; the rate of the last {@code connections}. */
  static JsonObject measure(Path dataDir, Path work, int port, int connections, int warmup, int maxInFlight,
                            String clientEngine, int eventLoops) {
    if (port <= 0) {
      throw new IllegalArgumentException("--port (of the handshake-server) is required");
    }
    FactoryCa customer = FactoryCa.of(Pem.readCertificate(SecureFiles.readString(work.resolve("customer-ca.pem"))),
        Pem.readPrivateKey(SecureFiles.readString(work.resolve("customer-ca-key.pem"))));
    String root = SecureFiles.readString(dataDir.resolve("root-ca.pem"));
    int total = warmup + connections;
    KeyPool keys = KeyPool.generate(total);
    Tls[] devices = new Tls[total];
    IntStream.range(0, total).parallel().forEach(i -> {
      FactoryCa.Issued issued = customer.ldevid(String.format("ceiling-%06d", i), keys.get());
      devices[i] = new Tls(List.of(issued.certificate()), issued.keyPair().getPrivate(), root);
    });
    Tls.useClientEngine(clientEngine);
    Vertx vertx = Vertx.vertx(Lanes.vertxOptions(eventLoops));
    try {
      List<Context> lanes = await(Lanes.deploy(vertx, eventLoops));
      round(lanes, devices, 0, warmup, port, maxInFlight);
      long start = System.nanoTime();
      int failed = round(lanes, devices, warmup, total, port, maxInFlight);
      double seconds = (System.nanoTime() - start) / 1e9;
      return new JsonObject().put("connections", connections).put("warmup", warmup).put("maxInFlight", maxInFlight)
          .put("failed", failed).put("seconds", Math.round(seconds * 100) / 100.0)
          .put("handshakesPerSecond", Math.round((connections - failed) / seconds * 10) / 10.0)
          .put("clientTlsEngine", clientEngine);
    } finally {
      await(vertx.close());
    }
  }

  /** Connections {@code from..to-1}, at most {@code maxInFlight} at once; how many failed. */
  private static int round(List<Context> lanes, Tls[] devices, int from, int to, int port, int maxInFlight) {
    AtomicInteger next = new AtomicInteger(from);
    AtomicInteger failed = new AtomicInteger();
    CountDownLatch done = new CountDownLatch(to - from);
    for (int i = 0; i < Math.min(maxInFlight, to - from); i++) {
      Context lane = lanes.get(i % lanes.size());
      lane.runOnContext(ignored -> connectNext(lane.owner(), devices, next, to, port, failed, done));
    }
    try {
      if (!done.await(30, TimeUnit.MINUTES)) {
        throw new IllegalStateException("connections did not finish within 30 minutes");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return failed.get();
  }

  private static void connectNext(Vertx vertx, Tls[] devices, AtomicInteger next, int to, int port, AtomicInteger failed,
                                  CountDownLatch done) {
    int index = next.getAndIncrement();
    if (index >= to) {
      return;
    }
    Tls tls = devices[index];
    NetClient client = vertx.createNetClient(new NetClientOptions().setSsl(true).setKeyCertOptions(tls.keyCert())
        .setTrustOptions(tls.trust()).setHostnameVerificationAlgorithm("HTTPS").setSslEngineOptions(Tls.engine())
        .setSslHandshakeTimeout(HANDSHAKE_TIMEOUT_SECONDS));
    Promise<Boolean> answered = Promise.promise();
    client.connect(port, "localhost").onSuccess(socket -> {
      Buffer received = Buffer.buffer();
      socket.handler(received::appendBuffer);
      socket.endHandler(ignored -> answered.tryComplete(received.toString().startsWith("ok")));
      socket.closeHandler(ignored -> answered.tryComplete(received.toString().startsWith("ok")));
    }).onFailure(answered::tryFail);
    answered.future().onComplete(outcome -> {
      if (outcome.failed() || !outcome.result()) {
        failed.incrementAndGet();
      }
      client.close();
      done.countDown();
      connectNext(vertx, devices, next, to, port, failed, done);
    });
  }

  private static <T> T await(Future<T> future) {
    return MainThread.await(future, Duration.ofMinutes(2), "handshake ceiling");
  }

  private static String required(Map<String, String> options, String name) {
    String value = options.get(name);
    if (value == null || value.isBlank()) {
      throw new IllegalArgumentException("--" + name + " is required");
    }
    return value;
  }
}
