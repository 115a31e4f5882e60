package io.zto.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import io.zto.shared.testing.ChildProcess;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shaded {@code deploy/target/zto.jar} as an operator runs it, in a process of its own, checked
 * with curl and openssl: it starts, answers, stops on SIGTERM and keeps its state across restarts.
 */
class FatJarIT {

  private static final Path JAR = Path.of("target", "zto.jar");
  private static final Pattern HTTP_LINE = Pattern.compile("operator HTTP\\s+http://127\\.0\\.0\\.1:(\\d+)");

  private static final Duration STARTUP = Duration.ofSeconds(150);

  @TempDir
  Path dataDir;

  @TempDir
  Path scratch;

  private final List<Process> processes = new ArrayList<>();

  @AfterEach
  void kill() throws InterruptedException {
    for (Process process : processes) {
      ChildProcess.kill(process);
    }
  }

  @Test
  void fatJarStartsAnswersHealthAndServesCaCertsToCurl() throws Exception {
    // GIVEN the fat jar started on an empty data dir
    Started zto = start();
    // THEN /health is UP
    HttpResponse<String> health = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
        URI.create("http://127.0.0.1:" + zto.httpPort + "/health")).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(health.statusCode()).isEqualTo(200);
    JsonObject body = new JsonObject(health.body());
    assertThat(body.getString("status")).isEqualTo("UP");
    // AND curl fetches the EST CA certificates over TLS trusting only root-ca.pem, and openssl reads them
    int estPort = estPort(body);
    String pem = sh("curl -sS --fail --tlsv1.2 --cacert " + dataDir.resolve("root-ca.pem")
        + " https://localhost:" + estPort + "/.well-known/est/cacerts | openssl base64 -d"
        + " | openssl pkcs7 -inform DER -print_certs");
    assertThat(pem).contains("zto Issuing CA", "zto Root CA");
    // AND a client that offers only TLS 1.1 (openssl, its security level lowered so that it really
    // offers it, as its control handshake with a TLS 1.1 server below proves) gets the server's
    // protocol_version alert and no session
    String control = Tls11.againstAServerAllowingTls11(scratch);
    assertThat(Tls11.negotiated11(control)).as("the client offers TLS 1.1 for real: " + control).isTrue();
    String refused = Tls11.offerOnly11("localhost", estPort);
    assertThat(refused).as(refused).contains("alert protocol version", Tls11.NO_SESSION);
    // WHEN it is stopped with SIGTERM THEN it exits
    zto.process.destroy();
    assertThat(zto.process.waitFor(30, TimeUnit.SECONDS)).isTrue();
    // AND a restart keeps the token
    String token = Files.readString(dataDir.resolve("admin-token"));
    Started again = start();
    assertThat(again.httpPort).isPositive();
    assertThat(Files.readString(dataDir.resolve("admin-token"))).isEqualTo(token);
  }

  @Test
  void badConfigExitsNonZeroWithOneLine() throws Exception {
    ProcessBuilder builder = new ProcessBuilder(java(), "-jar", JAR.toString(), "--data-dir", dataDir.toString(),
        "--set", "http.port=abc");
    ChildProcess.Result result = ChildProcess.run(builder, "", Duration.ofSeconds(60));
    assertThat(result.exitCode()).as(result.errors()).isEqualTo(2);
    assertThat(result.errors().strip()).startsWith("zto: ").contains("http.port", "abc").hasLineCount(1);
  }

  private record Started(Process process, int httpPort) {}

  /** Starts the jar on free ports and reads the operator HTTP port from its log, within a deadline. */
  private Started start() throws IOException, InterruptedException {
    Path log = Files.createTempFile(scratch, "zto-", ".log");
    Process process = new ProcessBuilder(java(), "-jar", JAR.toString(), "--data-dir", dataDir.toString(),
        "--set", "http.port=0", "--set", "est.port=0", "--set", "mqtt.operational.port=0",
        "--set", "mqtt.provisioning.port=0")
        .redirectErrorStream(true).redirectOutput(log.toFile())
        .start();
    processes.add(process);
    long deadline = System.nanoTime() + STARTUP.toNanos();
    while (System.nanoTime() < deadline) {
      Matcher matcher = HTTP_LINE.matcher(Files.readString(log));
      if (matcher.find()) {
        return new Started(process, Integer.parseInt(matcher.group(1)));
      }
      if (!process.isAlive()) {
        throw new AssertionError("zto.jar ended without printing its operator HTTP address:\n"
            + Files.readString(log));
      }
      Thread.sleep(100);
    }
    throw new AssertionError("zto.jar printed no operator HTTP address within " + STARTUP + ":\n"
        + Files.readString(log));
  }

  private static int estPort(JsonObject health) {
    return health.getJsonArray("components").stream().map(JsonObject.class::cast)
        .filter(c -> c.getString("component").equals("est")).findFirst().orElseThrow()
        .getJsonObject("details").getInteger("port");
  }

  private static String java() {
    return ProcessHandle.current().info().command().orElse("java");
  }

  private static String sh(String command) {
    ChildProcess.Result result = ChildProcess.bash(Duration.ofSeconds(60), command);
    assertThat(result.exitCode()).as(result.output()).isZero();
    return result.output();
  }
}
