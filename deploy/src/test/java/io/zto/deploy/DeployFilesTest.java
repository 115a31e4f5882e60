package io.zto.deploy;

import static io.zto.deploy.DeployFiles.list;
import static io.zto.deploy.DeployFiles.map;
import static io.zto.deploy.DeployFiles.strings;
import static io.zto.deploy.DeployFiles.under;
import static org.assertj.core.api.Assertions.assertThat;

import io.zto.deploy.DeployFiles.Compose;
import io.zto.deploy.DeployFiles.Dockerfile;
import io.zto.deploy.DeployFiles.HaproxyConfig;
import io.zto.deploy.DeployFiles.Kubernetes;
import io.zto.deploy.DeployFiles.SystemdUnit;

import io.zto.shared.config.ClusterConfig;
import io.zto.shared.config.CommandLine;
import io.zto.shared.config.ConfigException;
import io.zto.shared.config.ConfigKey;
import io.zto.shared.config.ConfigKeys;
import io.zto.shared.config.ConfigLoader;
import io.zto.shared.config.LoadedConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The deployment files under deploy/ (Dockerfile, compose, Kubernetes, systemd) cannot be run here, so
 * they are held to the code instead: every setting they make is loaded through the real
 * {@link ConfigLoader} (a misspelt key, a bad value or an unknown {@code ZTO_*} variable fails), every
 * port is the default of the key that moves it, and the pieces of a cluster point at each other.
 */
class DeployFilesTest {

  private static final Path DEPLOY = Path.of("").toAbsolutePath();
  private static final Path REPO = DEPLOY.getParent();
  private static final List<Path> DEPLOY_DIRS = List.of(DEPLOY.resolve("docker"), DEPLOY.resolve("compose"),
      DEPLOY.resolve("k8s"), DEPLOY.resolve("systemd"));
  /** The data dir of the image (Dockerfile ENV and VOLUME). */
  private static final String IMAGE_DATA_DIR = "/var/lib/zto";
  /** What the entry point puts into ZTO_DB_URL from DB_URL_FILE; the secret itself is made at install time. */
  private static final String SECRET_DB_URL = "postgresql://zto:secret@postgres:5432/zto";
  private static final List<ConfigKey> DEVICE_PORTS = List.of(ConfigKeys.MQTT_OPERATIONAL_PORT,
      ConfigKeys.MQTT_PROVISIONING_PORT, ConfigKeys.EST_PORT);

  @Test
  void everyZtoVariableAndSetOptionInTheDeployFilesAndDocsNamesARealKey() throws IOException {
    // GIVEN every deployment file and docs/deploy.md
    List<Path> files = new ArrayList<>(under(DEPLOY_DIRS));
    files.add(REPO.resolve("docs/deploy.md"));
    Pattern env = Pattern.compile("\\bZTO_[A-Z0-9_]*[A-Z0-9]\\b");
    Pattern set = Pattern.compile("--set[ =]([A-Za-z][A-Za-z.]*)=([^\\s\"'`\\\\]*)");
    List<String> problems = new ArrayList<>();
    int seen = 0;
    for (Path file : files) {
      String text = Files.readString(file);
      // WHEN every ZTO_* name and every --set key=value in them is looked up
      for (Matcher m = env.matcher(text); m.find(); seen++) {
        String name = m.group();
        if (ConfigKeys.findByEnv(name).isEmpty() && !name.equals(ConfigLoader.CONFIG_FILE_ENV)) {
          problems.add(REPO.relativize(file) + ": " + name + " is not a configuration key");
        }
      }
      for (Matcher m = set.matcher(text); m.find(); seen++) {
        problems.addAll(problemOf(REPO.relativize(file), m.group(1), m.group(2)));
      }
    }
    // THEN each names a key (and each --set value is valid for it)
    assertThat(seen).as("names found").isGreaterThan(20);
    assertThat(problems).isEmpty();
  }

  @Test
  void imageExposesEveryListenerPortAndRunsAsItsFixedUser() throws IOException {
    // GIVEN the Dockerfile
    Dockerfile docker = Dockerfile.read(DEPLOY.resolve("docker/Dockerfile"));
    // THEN it exposes the default port of every listener, of cluster membership and of the event bus, nothing else
    assertThat(docker.exposed()).containsExactlyInAnyOrderElementsOf(
        Stream.of(ConfigKeys.MQTT_OPERATIONAL_PORT, ConfigKeys.MQTT_PROVISIONING_PORT, ConfigKeys.EST_PORT,
            ConfigKeys.HTTP_PORT, ConfigKeys.CLUSTER_PORT, ConfigKeys.CLUSTER_EVENT_BUS_PORT)
            .map(DeployFilesTest::defaultPort).toList());
    // AND runs as the numeric user made by its ARG, with the data dir on a volume
    assertThat(docker.user()).isEqualTo(docker.arg("APP_UID") + ":" + docker.arg("APP_UID"));
    assertThat(docker.volumes()).containsExactly(IMAGE_DATA_DIR);
    // AND its environment is a valid configuration whose data dir is that volume
    LoadedConfig config = load(List.of(), docker.env());
    assertThat(config.string(ConfigKeys.DATA_DIR)).isEqualTo(IMAGE_DATA_DIR);
    // AND everything it copies exists and is let through .dockerignore (except the jar Maven builds)
    List<String> ignore = Files.readAllLines(DEPLOY.resolve(".dockerignore"));
    for (String source : docker.copySources()) {
      assertThat(ignore).as(".dockerignore lets " + source + " through").contains("!" + source);
      if (!source.startsWith("target/")) {
        assertThat(DEPLOY.resolve(source)).isRegularFile().isExecutable();
      }
    }
    assertThat(docker.healthcheck()).contains("/opt/zto/healthcheck.sh");
    assertThat(docker.entrypoint()).contains("/opt/zto/zto-entrypoint.sh");
  }

  @Test
  void composeNodesAreValidConfigurationsThatFormOneClusterOnOneCa() throws IOException {
    // GIVEN the compose file's zto services, with the environment the entry point hands to zto
    Compose compose = Compose.read(DEPLOY.resolve("compose/docker-compose.yml"));
    Map<String, Map<String, Object>> nodes = compose.ztoNodes();
    assertThat(nodes).hasSize(3);
    Map<String, LoadedConfig> configs = new LinkedHashMap<>();
    nodes.forEach((name, service) -> {
      Map<String, String> env = imageEnvironment();
      env.putAll(Compose.environment(service));
      assertThat(env.get("DB_URL_FILE")).as(name + " reads the database URL from its secret")
          .isIn(strings(service.get("secrets")).stream().map(s -> "/run/secrets/" + s).toList());
      env.put("ZTO_DB_URL", SECRET_DB_URL);
      // WHEN each node's settings are loaded as zto would
      configs.put(name, load(List.of(), env));
    });
    // THEN every node joins the same cluster, names every node as a member and advertises its own address
    Set<String> expectedMembers = nodes.keySet().stream()
        .map(host -> host + ":" + defaultPort(ConfigKeys.CLUSTER_PORT)).collect(Collectors.toSet());
    configs.forEach((name, config) -> {
      ClusterConfig cluster = ClusterConfig.from(config);
      assertThat(cluster.enabled()).as(name).isTrue();
      assertThat(cluster.name()).as(name).isEqualTo("zto");
      assertThat(cluster.memberAddresses()).map(ClusterConfig.Member::toString).as(name)
          .containsExactlyInAnyOrderElementsOf(expectedMembers);
      assertThat(nodes.get(name).get("hostname")).as(name).isEqualTo(name);
      assertThat(cluster.host()).as(name + " advertises its fixed address")
          .isEqualTo(compose.ipv4Address(nodes.get(name)));
      assertThat(config.string(ConfigKeys.HTTP_HOST)).as(name + ": the load balancer reaches /health")
          .isNotEqualTo("127.0.0.1");
      assertThat(config.string(ConfigKeys.DATA_DIR)).isEqualTo(IMAGE_DATA_DIR);
    });
    assertThat(configs.values().stream().map(c -> c.string(ConfigKeys.PUBLIC_HOST)).distinct()).hasSize(1);
    // AND exactly one node makes the CA; the others read it from that node's data volume, mounted as SEED_DIR
    List<String> seeds = nodes.keySet().stream()
        .filter(n -> configs.get(n).string(ConfigKeys.PKI_KEYSTORE).isEmpty()).toList();
    assertThat(seeds).hasSize(1);
    String seedVolume = compose.volumeAt(nodes.get(seeds.get(0)), IMAGE_DATA_DIR);
    nodes.forEach((name, service) -> {
      if (!seeds.contains(name)) {
        String seedDir = Compose.environment(service).get("SEED_DIR");
        assertThat(compose.volumeAt(service, seedDir)).as(name + " mounts the seed node's data at SEED_DIR")
            .isEqualTo(seedVolume + ":ro");
        assertThat(configs.get(name).string(ConfigKeys.PKI_KEYSTORE)).isEqualTo(seedDir + "/ca.p12");
        assertThat(configs.get(name).string(ConfigKeys.PKI_KEYSTORE_PASSWORD_FILE))
            .isEqualTo(seedDir + "/ca.p12.password");
        assertThat(map(service.get("depends_on"))).as(name + " waits for the seed node")
            .containsKey(seeds.get(0));
      }
    });
  }

  @Test
  void loadBalancerForwardsEveryPublishedPortToTheSamePortOfEveryNodeAndChecksHealth() throws IOException {
    // GIVEN haproxy.cfg and the compose file that publishes it
    HaproxyConfig lb = HaproxyConfig.read(DEPLOY.resolve("compose/haproxy.cfg"));
    Compose compose = Compose.read(DEPLOY.resolve("compose/docker-compose.yml"));
    Set<Integer> expected = new TreeSet<>(DEVICE_PORTS.stream().map(DeployFilesTest::defaultPort).toList());
    expected.add(defaultPort(ConfigKeys.HTTP_PORT));
    // THEN it listens on the default of every device listener and of the operator listener
    assertThat(lb.frontendPorts().keySet()).containsExactlyInAnyOrderElementsOf(expected);
    // AND each frontend's backend lists every zto node on that same port
    lb.frontendPorts().forEach((port, backend) -> assertThat(lb.servers(backend)).as(backend)
        .containsExactlyInAnyOrderElementsOf(compose.ztoNodes().keySet().stream().map(n -> n + ":" + port).toList()));
    // AND servers are health-checked with GET /health on the operator port
    assertThat(lb.defaults()).anyMatch(l -> l.startsWith("default-server ")
        && l.contains(" check port " + defaultPort(ConfigKeys.HTTP_PORT)));
    assertThat(lb.defaults()).anyMatch(l -> l.matches("http-check send meth GET uri /health\\b.*"));
    // AND compose publishes exactly those ports on the load balancer, each to itself
    assertThat(strings(compose.services().get("lb").get("ports")))
        .containsExactlyInAnyOrderElementsOf(expected.stream().map(p -> p + ":" + p).toList());
  }

  @Test
  void kubernetesPodsAreValidConfigurationsThatFindEachOtherThroughTheHeadlessService() throws IOException {
    // GIVEN the manifests
    Kubernetes k8s = Kubernetes.read(DEPLOY.resolve("k8s"));
    Map<String, Object> sts = k8s.one("StatefulSet");
    Map<String, Object> spec = map(sts.get("spec"));
    Map<String, Object> pod = map(map(spec.get("template")).get("spec"));
    Map<String, Object> container = list(pod.get("containers")).get(0);
    // WHEN the container's environment (Secret and pod IP filled in) is loaded as zto would
    Map<String, String> env = imageEnvironment();
    env.putAll(k8s.environment(container, "10.244.1.7"));
    LoadedConfig config = load(List.of(), env);
    ClusterConfig cluster = ClusterConfig.from(config);
    // THEN its members are the pods of the StatefulSet, named through its headless service
    String serviceName = (String) spec.get("serviceName");
    int replicas = (Integer) spec.get("replicas");
    String stsName = (String) map(sts.get("metadata")).get("name");
    assertThat(cluster.enabled()).isTrue();
    assertThat(cluster.host()).isEqualTo("10.244.1.7");
    assertThat(cluster.memberAddresses()).map(ClusterConfig.Member::toString).containsExactlyInAnyOrderElementsOf(
        IntStream.range(0, replicas).mapToObj(i -> stsName + "-" + i + "." + serviceName + ":"
            + defaultPort(ConfigKeys.CLUSTER_PORT)).toList());
    Map<String, Object> headless = k8s.named("Service", serviceName);
    assertThat(map(headless.get("spec"))).containsEntry("clusterIP", "None")
        .containsEntry("publishNotReadyAddresses", true);
    assertThat(config.string(ConfigKeys.DB_URL)).startsWith("postgresql://");
    // AND every container port is the default of its key, and the services point at them by name
    Map<String, Integer> ports = k8s.containerPorts(container);
    assertThat(ports).containsExactlyInAnyOrderEntriesOf(Map.of(
        "mqtt-op", defaultPort(ConfigKeys.MQTT_OPERATIONAL_PORT), "mqtt-prov", defaultPort(ConfigKeys.MQTT_PROVISIONING_PORT),
        "est", defaultPort(ConfigKeys.EST_PORT), "http", defaultPort(ConfigKeys.HTTP_PORT),
        "hazelcast", defaultPort(ConfigKeys.CLUSTER_PORT), "eventbus", defaultPort(ConfigKeys.CLUSTER_EVENT_BUS_PORT)));
    for (Map<String, Object> service : k8s.all("Service")) {
      for (Map<String, Object> port : list(map(service.get("spec")).get("ports"))) {
        assertThat(ports).containsEntry((String) port.get("targetPort"), (Integer) port.get("port"));
      }
    }
    assertThat(list(map(k8s.named("Service", "zto-devices").get("spec")).get("ports")))
        .map(p -> (Integer) p.get("port"))
        .containsExactlyInAnyOrderElementsOf(DEVICE_PORTS.stream().map(DeployFilesTest::defaultPort).toList());
    // AND readiness and liveness ask /health on the operator port, which then must not bind loopback only
    for (String probe : List.of("readinessProbe", "livenessProbe", "startupProbe")) {
      Map<String, Object> get = map(map(container.get(probe)).get("httpGet"));
      assertThat(get).as(probe).containsEntry("path", "/health").containsEntry("port", "http");
    }
    assertThat(config.string(ConfigKeys.HTTP_HOST)).isNotEqualTo("127.0.0.1");
    // AND the pod runs as the image's user, with volumes wherever a read-only root would stop a write
    Map<String, Object> security = map(pod.get("securityContext"));
    String imageUid = Dockerfile.read(DEPLOY.resolve("docker/Dockerfile")).arg("APP_UID");
    assertThat(security).containsEntry("runAsNonRoot", true).containsEntry("runAsUser", Integer.parseInt(imageUid));
    assertThat(map(container.get("securityContext"))).containsEntry("readOnlyRootFilesystem", true)
        .containsEntry("allowPrivilegeEscalation", false);
    Map<String, String> mounts = k8s.mounts(container);
    assertThat(mounts).containsKeys(config.string(ConfigKeys.DATA_DIR), "/tmp");
    // AND the CA keystore and SEED_DIR are the read-only pki Secret
    String pkiDir = Path.of(config.string(ConfigKeys.PKI_KEYSTORE)).getParent().toString();
    assertThat(mounts).containsEntry(pkiDir, "pki");
    assertThat(k8s.environment(container, "10.244.1.7")).containsEntry("SEED_DIR", pkiDir);
    assertThat(config.string(ConfigKeys.PKI_KEYSTORE_PASSWORD_FILE)).startsWith(pkiDir + "/");
    // AND the disruption budget covers these pods and keeps a majority
    Map<String, Object> pdb = map(k8s.one("PodDisruptionBudget").get("spec"));
    assertThat(map(map(pdb.get("selector")).get("matchLabels")))
        .isEqualTo(map(map(map(spec.get("template")).get("metadata")).get("labels")));
    assertThat((Integer) pdb.get("minAvailable")).isGreaterThan(replicas / 2).isLessThan(replicas);
  }

  @Test
  void kustomizationListsEveryManifestButTheSecretExample() throws IOException {
    // GIVEN the k8s directory
    Kubernetes k8s = Kubernetes.read(DEPLOY.resolve("k8s"));
    // THEN kustomization.yaml applies every manifest in it; the Secrets are made by hand from the example
    Set<String> manifests = under(List.of(DEPLOY.resolve("k8s"))).stream()
        .map(p -> p.getFileName().toString())
        .filter(n -> !n.equals("kustomization.yaml") && !n.equals("secrets.example.yaml"))
        .collect(Collectors.toSet());
    assertThat(strings(k8s.kustomization().get("resources"))).containsExactlyInAnyOrderElementsOf(manifests);
    assertThat(k8s.all("Secret")).isEmpty();
  }

  @Test
  void systemdUnitAndItsEnvironmentExampleAreValidConfigurations() throws IOException {
    // GIVEN the unit and the example environment file, with every commented example switched on
    SystemdUnit unit = SystemdUnit.read(DEPLOY.resolve("systemd/zto.service"));
    Map<String, String> env = new LinkedHashMap<>();
    for (String line : Files.readAllLines(DEPLOY.resolve("systemd/zto.env.example"))) {
      String assignment = line.replaceFirst("^#(?=[A-Z_]+=)", "");
      if (!assignment.startsWith("#") && assignment.contains("=")) {
        String name = assignment.substring(0, assignment.indexOf('='));
        assertThat(env.put(name, assignment.substring(assignment.indexOf('=') + 1))).as(name + " set twice").isNull();
      }
    }
    assertThat(env).containsKeys("ZTO_PUBLIC_HOST", "ZTO_DB_URL", "ZTO_HTTP_HOST", "JAVA_OPTS");
    // WHEN the command line of ExecStart is loaded with that environment
    List<String> exec = unit.execStartWords();
    assertThat(exec.subList(0, 2)).containsExactly("/usr/bin/java", "$JAVA_OPTS");
    int jar = exec.indexOf("-jar");
    LoadedConfig config = load(exec.subList(jar + 2, exec.size()), env);
    // THEN the data dir is the unit's StateDirectory, owned by the unit's user, and it is hardened
    assertThat(config.string(ConfigKeys.DATA_DIR)).isEqualTo("/var/lib/" + unit.value("StateDirectory"));
    assertThat(unit.value("WorkingDirectory")).isEqualTo(config.string(ConfigKeys.DATA_DIR));
    assertThat(unit.value("User")).isEqualTo("zto");
    assertThat(unit.value("EnvironmentFile")).isEqualTo("-/etc/zto/zto.env");
    for (String hardening : List.of("NoNewPrivileges=yes", "ProtectSystem=strict", "PrivateTmp=yes",
        "ProtectHome=yes", "CapabilityBoundingSet=")) {
      assertThat(unit.lines()).contains(hardening);
    }
    // AND a bad configuration (exit 2) is not restarted in a loop
    assertThat(unit.value("RestartPreventExitStatus")).isEqualTo(String.valueOf(Zto.EXIT_USAGE));
  }

  /** Loads like {@link Zto#launch}: problems fail the test with zto's own messages, warnings too. */
  private static LoadedConfig load(List<String> args, Map<String, String> env) {
    try {
      LoadedConfig config = ConfigLoader.load(CommandLine.parse(args.toArray(String[]::new)), env);
      assertThat(config.warnings()).as("warnings for " + args + " " + env).isEmpty();
      return config;
    } catch (ConfigException e) {
      throw new AssertionError("zto would not start with " + args + " " + env + ": " + e.problems(), e);
    }
  }

  /** The Dockerfile's ENV, which a container's own environment adds to and overrides. */
  private static Map<String, String> imageEnvironment() {
    try {
      return new LinkedHashMap<>(Dockerfile.read(DEPLOY.resolve("docker/Dockerfile")).env());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static List<String> problemOf(Path file, String path, String value) {
    var key = ConfigKeys.find(path);
    if (key.isEmpty()) {
      return List.of(file + ": --set " + path + " is not a configuration key");
    }
    if (value.isEmpty() || value.contains("$") || value.contains("<")) {
      return List.of(); // a placeholder, shown in prose
    }
    try {
      key.get().parse(value);
      return List.of();
    } catch (IllegalArgumentException e) {
      return List.of(file + ": --set " + path + "=" + value + ": " + e.getMessage());
    }
  }

  private static int defaultPort(ConfigKey key) {
    return (Integer) key.defaultValue();
  }
}
