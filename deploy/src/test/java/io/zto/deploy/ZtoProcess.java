package io.zto.deploy;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/** {@code target/zto.jar} running as a process on free loopback ports, for the *IT tests. */
record ZtoProcess(Process process, Path dataDir, int http, int est, int operational, int provisioning) {

  static final Path JAR = Path.of("target", "zto.jar");

  /** Starts the jar on {@code dataDir} with four free ports and waits for {@code /health} to say UP. */
  static ZtoProcess start(Path dataDir, Path log, String... extraSettings) throws Exception {
    return start(dataDir, log, freePorts(4), extraSettings);
  }

  /** As {@link #start(Path, Path, String...)} on given ports: http, est, operational, provisioning. */
  static ZtoProcess start(Path dataDir, Path log, int[] ports, String... extraSettings) throws Exception {
    List<String> command = new ArrayList<>(List.of(java(), "-jar", JAR.toString(), "--data-dir", dataDir.toString(),
        "--set", "http.port=" + ports[0], "--set", "est.port=" + ports[1],
        "--set", "mqtt.operational.port=" + ports[2], "--set", "mqtt.provisioning.port=" + ports[3]));
    for (String setting : extraSettings) {
      command.addAll(List.of("--set", setting));
    }
    Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    ZtoProcess zto = new ZtoProcess(process, dataDir, ports[0], ports[1], ports[2], ports[3]);
    zto.awaitUp();
    return zto;
  }

  String api() {
    return "http://127.0.0.1:" + http;
  }

  String token() throws IOException {
    return Files.readString(dataDir.resolve("admin-token")).strip();
  }

  void stop() throws InterruptedException {
    process.destroy();
    if (!process.waitFor(20, TimeUnit.SECONDS)) {
      process.destroyForcibly();
    }
  }

  /** kill -9: no shutdown hook, no goodbye to the cluster, leases left to expire. */
  void kill() throws InterruptedException {
    process.destroyForcibly();
    process.waitFor(20, TimeUnit.SECONDS);
  }

  private void awaitUp() throws Exception {
    HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(150);
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new AssertionError("zto.jar exited with " + process.exitValue());
      }
      try {
        HttpResponse<String> health = client.send(HttpRequest.newBuilder(URI.create(api() + "/health"))
            .timeout(Duration.ofSeconds(3)).build(), HttpResponse.BodyHandlers.ofString());
        if (health.statusCode() == 200) {
          return;
        }
      } catch (IOException notYet) {
        // not listening yet
      }
      Thread.sleep(250);
    }
    throw new AssertionError("zto.jar did not report UP on /health within 150 s");
  }

  /** Distinct free loopback ports (the sockets are closed before zto binds them). */
  static int[] freePorts(int count) throws IOException {
    Set<Integer> ports = new HashSet<>();
    List<ServerSocket> sockets = new ArrayList<>();
    try {
      while (ports.size() < count) {
        ServerSocket socket = new ServerSocket(0);
        sockets.add(socket);
        ports.add(socket.getLocalPort());
      }
    } finally {
      for (ServerSocket socket : sockets) {
        socket.close();
      }
    }
    return ports.stream().mapToInt(Integer::intValue).toArray();
  }

  static String java() {
    return ProcessHandle.current().info().command().orElse("java");
  }
}
