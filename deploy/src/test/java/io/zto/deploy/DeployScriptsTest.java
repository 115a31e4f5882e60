package io.zto.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import io.zto.shared.testing.Await;
import io.zto.shared.testing.ChildProcess;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The two scripts of the container image, run for real with bash/sh: the health check against a real
 * HTTP server, and the entry point's cluster seeding followed by a real node started on what it prepared.
 * Only {@code java} is replaced in the entry-point runs, by a script that records its arguments and
 * environment, since the shaded jar does not exist yet in the test phase.
 */
class DeployScriptsTest {

  private static final Path DOCKER = Path.of("docker").toAbsolutePath();

  @TempDir
  Path tmp;

  private HttpServer server;
  private final List<Node> nodes = new ArrayList<>();

  @AfterEach
  void stop() {
    if (server != null) {
      server.stop(0);
    }
    nodes.forEach(node -> Await.result(node.stop()));
  }

  @Test
  void healthCheckPassesOnlyWhileHealthAnswers200() throws Exception {
    // GIVEN a loopback HTTP server whose /health answers what the test sets
    AtomicInteger status = new AtomicInteger(200);
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/health", exchange -> {
      byte[] body = "{\"status\":\"?\"}".getBytes(StandardCharsets.UTF_8);
      exchange.sendResponseHeaders(status.get(), body.length);
      exchange.getResponseBody().write(body);
      exchange.close();
    });
    server.start();
    Map<String, String> env = Map.of("ZTO_HTTP_PORT", String.valueOf(server.getAddress().getPort()));
    // WHEN the node is UP, THEN the check passes
    assertThat(run(List.of("bash", DOCKER.resolve("healthcheck.sh").toString()), env).exit()).isZero();
    // WHEN it reports DOWN (503), THEN the check fails and says why
    status.set(503);
    Result down = run(List.of("bash", DOCKER.resolve("healthcheck.sh").toString()), env);
    assertThat(down.exit()).isEqualTo(1);
    assertThat(down.output()).contains("503");
    // WHEN nothing listens, THEN the check fails
    server.stop(0);
    server = null;
    assertThat(run(List.of("bash", DOCKER.resolve("healthcheck.sh").toString()), env).exit()).isEqualTo(1);
  }

  @Test
  void secondNodeSeededByTheEntryPointServesTheFirstNodesCaTokenAndCredentials() throws Exception {
    // GIVEN a first node that made the installation's CA, token and provisioning credentials in its data dir
    Path seed = tmp.resolve("zto1");
    Node first = start(List.of("--data-dir", seed.toString()), Map.of());
    Await.result(first.stop());
    nodes.remove(first);
    byte[] keystore = Files.readAllBytes(seed.resolve("ca.p12"));
    // WHEN the entry point prepares a second node the way docker-compose.yml and the StatefulSet do
    Path data = Files.createDirectory(tmp.resolve("zto2"));
    Path dbUrlFile = Files.writeString(tmp.resolve("db-url"), "sqlite:" + data.resolve("zto.db"));
    Map<String, String> env = new LinkedHashMap<>();
    env.put("ZTO_DATA_DIR", data.toString());
    env.put("SEED_DIR", seed.toString());
    env.put("DB_URL_FILE", dbUrlFile.toString());
    env.put("ZTO_PKI_KEYSTORE", seed.resolve("ca.p12").toString());
    env.put("ZTO_PKI_KEYSTORE_PASSWORD_FILE", seed.resolve("ca.p12.password").toString());
    Launched launched = entryPoint(env, "--public-host", "zto.example.com");
    // THEN it hands over the arguments and the database URL from the secret file
    assertThat(launched.args()).endsWith("--public-host", "zto.example.com");
    assertThat(launched.env()).containsEntry("ZTO_DB_URL", "sqlite:" + data.resolve("zto.db"));
    // AND the shared secrets are in the new data dir, owner-only
    for (String file : List.of("admin-token", "provisioning-credentials.json")) {
      assertThat(data.resolve(file)).hasSameBinaryContentAs(seed.resolve(file));
      assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(data.resolve(file)))).isEqualTo("rw-------");
    }
    // AND a node started with exactly that command line and environment serves the first node's root
    Node second = start(launched.args(), launched.env());
    assertThat(second.httpPort()).isPositive();
    assertThat(data.resolve("root-ca.pem")).hasSameTextualContentAs(seed.resolve("root-ca.pem"));
    assertThat(data.resolve("issuing-ca.pem")).hasSameTextualContentAs(seed.resolve("issuing-ca.pem"));
    assertThat(data.resolve("ca.p12")).as("the shared keystore is read, not copied").doesNotExist();
    assertThat(Files.readAllBytes(seed.resolve("ca.p12"))).as("and never written").isEqualTo(keystore);
  }

  @Test
  void entryPointKeepsADataDirsOwnSecretsAndRefusesAnIncompleteSeed() throws Exception {
    // GIVEN a data dir that already has its token, and a seed with another one but no credentials
    Path data = Files.createDirectory(tmp.resolve("data"));
    Path seed = Files.createDirectory(tmp.resolve("seed"));
    Files.writeString(data.resolve("admin-token"), "own\n");
    Files.writeString(data.resolve("provisioning-credentials.json"), "{}\n");
    Files.writeString(seed.resolve("admin-token"), "seed\n");
    Map<String, String> env = Map.of("ZTO_DATA_DIR", data.toString(), "SEED_DIR", seed.toString());
    // WHEN the entry point runs, THEN the data dir keeps its own secrets
    entryPoint(env);
    assertThat(data.resolve("admin-token")).hasContent("own");
    // WHEN a fresh data dir is seeded from the incomplete seed
    Path fresh = Files.createDirectory(tmp.resolve("fresh"));
    Result refused = run(List.of("sh", DOCKER.resolve("zto-entrypoint.sh").toString()),
        withFakeJava(Map.of("ZTO_DATA_DIR", fresh.toString(), "SEED_DIR", seed.toString())));
    // THEN it stops before starting zto, naming the missing file
    assertThat(refused.exit()).isEqualTo(2);
    assertThat(refused.output()).contains("provisioning-credentials.json");
    assertThat(tmp.resolve("java.args")).doesNotExist();
  }

  /** What the fake java was started with. */
  private record Launched(List<String> args, Map<String, String> env) {}

  private record Result(int exit, String output) {}

  private Launched entryPoint(Map<String, String> env, String... args) throws Exception {
    List<String> command = new ArrayList<>(List.of("sh", DOCKER.resolve("zto-entrypoint.sh").toString()));
    command.addAll(List.of(args));
    Result result = run(command, withFakeJava(env));
    assertThat(result.exit()).as(result.output()).isZero();
    List<String> javaArgs = Files.readAllLines(tmp.resolve("java.args"));
    // drop the JVM's own flags and "-jar <jar>": what is left is zto's command line
    List<String> ztoArgs = javaArgs.subList(javaArgs.indexOf("-jar") + 2, javaArgs.size());
    Map<String, String> ztoEnv = new LinkedHashMap<>();
    for (String line : Files.readAllLines(tmp.resolve("java.env"))) {
      ztoEnv.put(line.substring(0, line.indexOf('=')), line.substring(line.indexOf('=') + 1));
    }
    Files.delete(tmp.resolve("java.args"));
    return new Launched(ztoArgs, ztoEnv);
  }

  /** A PATH whose java records its arguments and ZTO_* environment, and the test's other ZTO_* removed. */
  private Map<String, String> withFakeJava(Map<String, String> env) throws IOException {
    Path bin = tmp.resolve("bin");
    if (!Files.exists(bin)) {
      Files.createDirectory(bin);
      Path java = Files.writeString(bin.resolve("java"), "#!/bin/sh\n"
          + "env | grep '^ZTO_' > '" + tmp.resolve("java.env") + "'\n"
          + "for a in \"$@\"; do printf '%s\\n' \"$a\"; done > '" + tmp.resolve("java.args") + "'\n");
      Files.setPosixFilePermissions(java, PosixFilePermissions.fromString("rwx------"));
    }
    Map<String, String> all = new LinkedHashMap<>(env);
    all.put("PATH", bin + ":" + System.getenv("PATH"));
    return all;
  }

  private static Result run(List<String> command, Map<String, String> env) throws Exception {
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
    builder.environment().keySet().removeIf(name -> name.startsWith("ZTO_") || name.equals("JAVA_OPTS"));
    builder.environment().putAll(env);
    ChildProcess.Result result = ChildProcess.run(builder, "", Duration.ofSeconds(30));
    return new Result(result.exitCode(), result.output());
  }

  /** Starts a node in this JVM, on free ports, as {@link Zto#launch} does for the command line. */
  private Node start(List<String> args, Map<String, String> env) {
    List<String> all = new ArrayList<>(args);
    all.addAll(List.of("--set", "http.port=0", "--set", "est.port=0", "--set", "mqtt.operational.port=0",
        "--set", "mqtt.provisioning.port=0"));
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    Zto.Launch launch = Zto.launch(all.toArray(String[]::new), env, new PrintStream(new ByteArrayOutputStream()),
        new PrintStream(err, true, StandardCharsets.UTF_8));
    assertThat(launch.node()).as("node did not start: " + err).isNotNull();
    assertThat(err.toString(StandardCharsets.UTF_8)).as("warnings").doesNotContain("warning");
    nodes.add(launch.node());
    return launch.node();
  }
}
