package io.zto.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
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

  @TempDir
  Path dataDir;

  private final List<Process> processes = new ArrayList<>();

  @AfterEach
  void kill() {
    processes.forEach(Process::destroyForcibly);
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
    // AND a TLS 1.1 client is refused
    assertThat(exitCode("curl -sS -o /dev/null --tls-max 1.1 --cacert " + dataDir.resolve("root-ca.pem")
        + " https://localhost:" + estPort + "/.well-known/est/cacerts")).isNotZero();
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
    Process process = new ProcessBuilder(java(), "-jar", JAR.toString(), "--data-dir", dataDir.toString(),
        "--set", "http.port=abc").start();
    processes.add(process);
    assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
    String err = new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.exitValue()).isEqualTo(2);
    assertThat(err.strip()).startsWith("zto: ").contains("http.port", "abc").hasLineCount(1);
  }

  private record Started(Process process, int httpPort) {}

  private Started start() throws IOException {
    Process process = new ProcessBuilder(java(), "-jar", JAR.toString(), "--data-dir", dataDir.toString(),
        "--set", "http.port=0", "--set", "est.port=0", "--set", "mqtt.operational.port=0",
        "--set", "mqtt.provisioning.port=0")
        .redirectError(ProcessBuilder.Redirect.INHERIT)
        .start();
    processes.add(process);
    BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
    for (String line = out.readLine(); line != null; line = out.readLine()) {
      Matcher matcher = HTTP_LINE.matcher(line);
      if (matcher.find()) {
        return new Started(process, Integer.parseInt(matcher.group(1)));
      }
    }
    throw new AssertionError("zto.jar ended without printing its operator HTTP address");
  }

  private static int estPort(JsonObject health) {
    return health.getJsonArray("components").stream().map(JsonObject.class::cast)
        .filter(c -> c.getString("component").equals("est")).findFirst().orElseThrow()
        .getJsonObject("details").getInteger("port");
  }

  private static String java() {
    return ProcessHandle.current().info().command().orElse("java");
  }

  private static String sh(String command) throws Exception {
    Process process = new ProcessBuilder("bash", "-o", "pipefail", "-c", command).redirectErrorStream(true).start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(process.exitValue()).as(output).isZero();
    return output;
  }

  private static int exitCode(String command) throws Exception {
    Process process = new ProcessBuilder("bash", "-c", command).redirectErrorStream(true).start();
    process.getInputStream().readAllBytes();
    process.waitFor(60, TimeUnit.SECONDS);
    return process.exitValue();
  }
}
