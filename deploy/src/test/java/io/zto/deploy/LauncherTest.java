package io.zto.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import io.zto.shared.testing.Await;
import io.zto.shared.testing.ThrowawayPostgres;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.cert.CertificateFactory;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.io.ByteArrayInputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The launcher as an operator meets it: command line, first start, restart, bad input. */
class LauncherTest {

  private static final HttpClient HTTP = HttpClient.newHttpClient();

  @TempDir
  Path dataDir;

  private final List<Node> started = new ArrayList<>();
  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();

  @AfterEach
  void stopNodes() {
    started.forEach(node -> Await.result(node.stop()));
  }

  @Test
  void firstStartCreatesCaTokenAndCredentialsOwnerOnlyAndAnswersHealth() throws Exception {
    // WHEN the platform starts on an empty data dir
    Node node = start();
    // THEN every piece of state is there, readable by the owner only
    for (String file : List.of("ca.p12", "ca.p12.password", "root-ca.pem", "issuing-ca.pem", "command-signing.pem",
        "admin-token", "provisioning-credentials.json", "tls/server-key.pem", "tls/server-chain.pem", "zto.db")) {
      assertThat(dataDir.resolve(file)).exists();
      assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dataDir.resolve(file))))
          .as(file).isEqualTo("rw-------");
    }
    JsonObject credentials = new JsonObject(Files.readString(dataDir.resolve("provisioning-credentials.json")));
    assertThat(credentials.getString("username")).isNotBlank();
    assertThat(credentials.getString("password")).hasSizeGreaterThanOrEqualTo(22);
    // AND /health answers UP for the database and every verticle
    HttpResponse<String> health = get(node, "/health", null);
    assertThat(health.statusCode()).isEqualTo(200);
    JsonObject body = new JsonObject(health.body());
    assertThat(body.getString("status")).isEqualTo("UP");
    assertThat(body.getJsonArray("components").stream().map(c -> ((JsonObject) c).getString("component")))
        .containsExactlyInAnyOrder("database", "broker", "provisioning", "est", "crl");
    // AND the banner tells where things are
    assertThat(out.toString()).contains("operator HTTP   http://127.0.0.1:" + node.httpPort(), dataDir.toString());
  }

  @Test
  void restartOnTheSameDataDirKeepsTokenCredentialsCaAndData() throws Exception {
    // GIVEN a first start, with one audited refusal
    Node first = start();
    String token = Files.readString(dataDir.resolve("admin-token"));
    byte[] root = Files.readAllBytes(dataDir.resolve("root-ca.pem"));
    byte[] keystore = Files.readAllBytes(dataDir.resolve("ca.p12"));
    String credentials = Files.readString(dataDir.resolve("provisioning-credentials.json"));
    assertThat(get(first, "/api/v1/audit", "wrong").statusCode()).isEqualTo(401);
    Await.result(first.stop());
    started.remove(first);
    // WHEN it starts again on the same data dir
    Node second = start();
    // THEN token, credentials and CA are the same, and the audit log kept the refusal
    assertThat(Files.readString(dataDir.resolve("admin-token"))).isEqualTo(token);
    assertThat(Files.readString(dataDir.resolve("provisioning-credentials.json"))).isEqualTo(credentials);
    assertThat(Files.readAllBytes(dataDir.resolve("root-ca.pem"))).isEqualTo(root);
    assertThat(Files.readAllBytes(dataDir.resolve("ca.p12"))).isEqualTo(keystore);
    HttpResponse<String> audit = get(second, "/api/v1/audit?outcome=refused", token.strip());
    assertThat(audit.statusCode()).isEqualTo(200);
    assertThat(new JsonObject(audit.body()).getJsonArray("items").getJsonObject(0).getString("reason"))
        .isEqualTo("wrong bearer token");
  }

  @Test
  void unknownConfigKeyFailsWithOneClearLineAndExitCode2() {
    Zto.Launch launch = launch("--data-dir", dataDir.toString(), "--set", "mqtt.plian.enabled=true");
    assertThat(launch.exitCode()).isEqualTo(2);
    assertThat(launch.node()).isNull();
    assertThat(err.toString()).startsWith("zto: ").contains("mqtt.plian.enabled", "mqtt.plain.enabled")
        .hasLineCount(1);
    // AND nothing was created in the data dir
    assertThat(dataDir.resolve("ca.p12")).doesNotExist();
  }

  @Test
  void unreadableConfigFileFailsWithItsPath() {
    Path missing = dataDir.resolve("nope.yaml");
    Zto.Launch launch = launch("--config", missing.toString());
    assertThat(launch.exitCode()).isEqualTo(2);
    assertThat(err.toString()).contains(missing.toString()).hasLineCount(1);
  }

  @Test
  void configFileAndEnvironmentAreApplied() throws Exception {
    // GIVEN a YAML file that enables nothing dangerous and an env var that moves the API port
    Path yaml = dataDir.resolve("zto.yaml");
    Files.writeString(yaml, "publicHost: gw.example.test\nest:\n  port: 0\nmqtt:\n  operational:\n    port: 0\n"
        + "  provisioning:\n    port: 0\n");
    Zto.Launch launch = Zto.launch(new String[] {"--config", yaml.toString(), "--data-dir", dataDir.toString()},
        Map.of("ZTO_HTTP_PORT", "0"), new PrintStream(out), new PrintStream(err));
    assertThat(launch.node()).as(err.toString()).isNotNull();
    started.add(launch.node());
    // THEN the public host is in the server certificate and the URLs
    X509Certificate server = (X509Certificate) CertificateFactory.getInstance("X.509")
        .generateCertificates(Files.newInputStream(dataDir.resolve("tls/server-chain.pem"))).iterator().next();
    assertThat(server.getSubjectAlternativeNames().stream().map(san -> String.valueOf(san.get(1))))
        .contains("gw.example.test", "localhost", "127.0.0.1");
    assertThat(out.toString()).contains("https://gw.example.test:0/.well-known/est");
  }

  @Test
  void portInUseFailsWithOneLineNamingTheKey() throws Exception {
    try (ServerSocket taken = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      Zto.Launch launch = launch("--data-dir", dataDir.toString(), "--set", "http.port=" + taken.getLocalPort(),
          "--set", "est.port=0", "--set", "mqtt.operational.port=0", "--set", "mqtt.provisioning.port=0");
      assertThat(launch.exitCode()).isEqualTo(1);
      assertThat(err.toString()).hasLineCount(1)
          .contains("zto: cannot start", "127.0.0.1:" + taken.getLocalPort(), "http.port", "address already in use");
    }
  }

  @Test
  void helpListsOptionsAndEveryConfigKey() {
    Zto.Launch launch = launch("--help");
    assertThat(launch.exitCode()).isZero();
    assertThat(out.toString()).contains("--data-dir", "--config", "--public-host", "--roles", "mqtt.plain.allowAnonymous",
        "ZTO_MQTT_PLAIN_ALLOWANONYMOUS", "db.url", "cluster.members");
  }

  @Test
  void rolesSelectWhichVerticlesRun() throws Exception {
    Node node = start("--roles", "est,crl");
    JsonObject body = new JsonObject(get(node, "/health", null).body());
    assertThat(body.getJsonArray("components").stream().map(c -> ((JsonObject) c).getString("component")))
        .containsExactlyInAnyOrder("database", "est", "crl");
  }

  @Test
  void sameplatformRunsOnPostgresWhenDbUrlNamesIt() throws Exception {
    Node node = start("--set", "db.url=" + ThrowawayPostgres.newDatabase());
    JsonObject body = new JsonObject(get(node, "/health", null).body());
    assertThat(body.getString("status")).isEqualTo("UP");
    assertThat(body.getJsonArray("components").getJsonObject(0).getJsonObject("details").getString("kind"))
        .isEqualTo("postgresql");
    assertThat(dataDir.resolve("zto.db")).doesNotExist();
  }

  @Test
  void ownCrlIsServedSignedByTheIssuingCa() throws Exception {
    Node node = start();
    HttpResponse<byte[]> response = HTTP.send(HttpRequest.newBuilder(uri(node, "/crl/issuing.crl")).build(),
        HttpResponse.BodyHandlers.ofByteArray());
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.headers().firstValue("Content-Type")).contains("application/pkix-crl");
    CertificateFactory factory = CertificateFactory.getInstance("X.509");
    X509CRL crl = (X509CRL) factory.generateCRL(new ByteArrayInputStream(response.body()));
    X509Certificate issuing = (X509Certificate) factory.generateCertificate(
        Files.newInputStream(dataDir.resolve("issuing-ca.pem")));
    crl.verify(issuing.getPublicKey());
    assertThat(crl.getNextUpdate()).isAfter(crl.getThisUpdate());
  }

  @Test
  void unknownApiPathsAndBadQueriesGetJsonErrors() throws Exception {
    Node node = start();
    String token = Files.readString(dataDir.resolve("admin-token")).strip();
    HttpResponse<String> missing = get(node, "/api/v1/nothing", token);
    assertThat(missing.statusCode()).isEqualTo(404);
    assertThat(new JsonObject(missing.body()).getString("error")).isEqualTo("not_found");
    HttpResponse<String> bad = get(node, "/api/v1/audit?limit=0", token);
    assertThat(bad.statusCode()).isEqualTo(400);
    assertThat(new JsonObject(bad.body()).getString("message")).contains("limit");
  }

  private Node start(String... extra) {
    List<String> args = new ArrayList<>(List.of("--data-dir", dataDir.toString(), "--set", "http.port=0",
        "--set", "est.port=0", "--set", "mqtt.operational.port=0", "--set", "mqtt.provisioning.port=0"));
    args.addAll(List.of(extra));
    Zto.Launch launch = launch(args.toArray(String[]::new));
    assertThat(launch.node()).as("launch failed: " + err).isNotNull();
    return launch.node();
  }

  private Zto.Launch launch(String... args) {
    Zto.Launch launch = Zto.launch(args, Map.of(), new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8));
    if (launch.node() != null) {
      started.add(launch.node());
    }
    return launch;
  }

  private static URI uri(Node node, String path) {
    return URI.create("http://127.0.0.1:" + node.httpPort() + path);
  }

  private static HttpResponse<String> get(Node node, String path, String token) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(uri(node, path));
    if (token != null) {
      request.header("Authorization", "Bearer " + token);
    }
    return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }
}
