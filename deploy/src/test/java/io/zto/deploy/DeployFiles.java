package io.zto.deploy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.yaml.snakeyaml.Yaml;

/**
 * Readers of the deployment files under deploy/ for {@link DeployFilesTest}: just enough of each format
 * (YAML through SnakeYAML, the Dockerfile, haproxy.cfg and the systemd unit line by line) to compare
 * what they set with the configuration keys.
 */
final class DeployFiles {

  private DeployFiles() {}

  /** @return every regular file under the directories, sorted */
  static List<Path> under(List<Path> dirs) {
    List<Path> files = new ArrayList<>();
    for (Path dir : dirs) {
      try (Stream<Path> walk = Files.walk(dir)) {
        walk.filter(Files::isRegularFile).sorted().forEach(files::add);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return files;
  }

  /** @return every document of a YAML file */
  static List<Map<String, Object>> yaml(Path file) {
    try {
      List<Map<String, Object>> docs = new ArrayList<>();
      new Yaml().loadAll(Files.readString(file)).forEach(doc -> {
        if (doc != null) {
          docs.add(map(doc));
        }
      });
      return docs;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @SuppressWarnings("unchecked")
  static Map<String, Object> map(Object node) {
    return node == null ? Map.of() : (Map<String, Object>) node;
  }

  @SuppressWarnings("unchecked")
  static List<Map<String, Object>> list(Object node) {
    return node == null ? List.of() : (List<Map<String, Object>>) node;
  }

  static List<String> strings(Object node) {
    return node == null ? List.of() : ((List<?>) node).stream().map(String::valueOf).toList();
  }

  /** docker-compose.yml, with {@code ${VAR:-default}} read as its default. */
  record Compose(Map<String, Object> root) {

    private static final Pattern INTERPOLATION = Pattern.compile("\\$\\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?}");

    static Compose read(Path file) {
      return new Compose(yaml(file).get(0));
    }

    Map<String, Map<String, Object>> services() {
      Map<String, Map<String, Object>> services = new LinkedHashMap<>();
      map(root.get("services")).forEach((name, service) -> services.put(name, map(service)));
      return services;
    }

    /** @return the services running the zto image, by name */
    Map<String, Map<String, Object>> ztoNodes() {
      Map<String, Map<String, Object>> nodes = new LinkedHashMap<>();
      services().forEach((name, service) -> {
        if (interpolate(String.valueOf(service.get("image"))).startsWith("zto:")) {
          nodes.put(name, service);
        }
      });
      return nodes;
    }

    static Map<String, String> environment(Map<String, Object> service) {
      Map<String, String> env = new LinkedHashMap<>();
      map(service.get("environment")).forEach((name, value) -> env.put(name, interpolate(String.valueOf(value))));
      return env;
    }

    /** @return the fixed address of the service on its (only) network */
    String ipv4Address(Map<String, Object> service) {
      Object networks = service.get("networks");
      return (String) map(map(networks).values().iterator().next()).get("ipv4_address");
    }

    /** @return {@code volume} or {@code volume:ro} of the volume mounted at {@code target}, or null */
    String volumeAt(Map<String, Object> service, String target) {
      for (String volume : strings(service.get("volumes"))) {
        String[] parts = volume.split(":");
        if (parts[1].equals(target)) {
          return parts.length > 2 ? parts[0] + ":" + parts[2] : parts[0];
        }
      }
      return null;
    }

    static String interpolate(String text) {
      Matcher m = INTERPOLATION.matcher(text);
      StringBuilder out = new StringBuilder();
      while (m.find()) {
        m.appendReplacement(out, Matcher.quoteReplacement(m.group(2) == null ? "" : m.group(2)));
      }
      return m.appendTail(out).toString();
    }
  }

  /** The manifests of deploy/k8s (kustomization.yaml and the Secret example apart). */
  record Kubernetes(List<Map<String, Object>> manifests, Map<String, Object> kustomization,
                    List<Map<String, Object>> secretExamples) {

    static Kubernetes read(Path dir) {
      List<Map<String, Object>> manifests = new ArrayList<>();
      for (Path file : under(List.of(dir))) {
        String name = file.getFileName().toString();
        if (!name.equals("kustomization.yaml") && !name.equals("secrets.example.yaml")) {
          manifests.addAll(yaml(file));
        }
      }
      return new Kubernetes(manifests, yaml(dir.resolve("kustomization.yaml")).get(0),
          yaml(dir.resolve("secrets.example.yaml")));
    }

    List<Map<String, Object>> all(String kind) {
      return manifests.stream().filter(m -> kind.equals(m.get("kind"))).toList();
    }

    Map<String, Object> one(String kind) {
      List<Map<String, Object>> all = all(kind);
      if (all.size() != 1) {
        throw new AssertionError("expected one " + kind + ", found " + all.size());
      }
      return all.get(0);
    }

    Map<String, Object> named(String kind, String name) {
      return all(kind).stream().filter(m -> name.equals(map(m.get("metadata")).get("name"))).findFirst()
          .orElseThrow(() -> new AssertionError("no " + kind + " named " + name));
    }

    /**
     * @return the container's environment as the pod sees it: plain values, the pod IP, and Secret keys
     *   with the values of secrets.example.yaml (a key missing there fails)
     */
    Map<String, String> environment(Map<String, Object> container, String podIp) {
      Map<String, String> env = new LinkedHashMap<>();
      for (Map<String, Object> entry : list(container.get("env"))) {
        String name = (String) entry.get("name");
        Map<String, Object> from = map(entry.get("valueFrom"));
        if (from.containsKey("fieldRef")) {
          String field = (String) map(from.get("fieldRef")).get("fieldPath");
          if (!field.equals("status.podIP")) {
            throw new AssertionError(name + ": unexpected fieldRef " + field);
          }
          env.put(name, podIp);
        } else if (from.containsKey("secretKeyRef")) {
          Map<String, Object> ref = map(from.get("secretKeyRef"));
          env.put(name, secretExample((String) ref.get("name"), (String) ref.get("key")));
        } else {
          env.put(name, String.valueOf(entry.get("value")));
        }
      }
      return env;
    }

    private String secretExample(String secret, String key) {
      return secretExamples.stream().filter(s -> secret.equals(map(s.get("metadata")).get("name")))
          .map(s -> (String) map(s.get("stringData")).get(key)).filter(v -> v != null).findFirst()
          .orElseThrow(() -> new AssertionError("secrets.example.yaml has no " + secret + "/" + key));
    }

    Map<String, Integer> containerPorts(Map<String, Object> container) {
      Map<String, Integer> ports = new LinkedHashMap<>();
      list(container.get("ports")).forEach(p -> ports.put((String) p.get("name"), (Integer) p.get("containerPort")));
      return ports;
    }

    /** @return mount path to volume name */
    Map<String, String> mounts(Map<String, Object> container) {
      Map<String, String> mounts = new LinkedHashMap<>();
      list(container.get("volumeMounts")).forEach(m -> mounts.put((String) m.get("mountPath"), (String) m.get("name")));
      return mounts;
    }
  }

  /** A Dockerfile's instructions, continuation lines joined. */
  record Dockerfile(List<String> instructions) {

    private static final Pattern ASSIGNMENT = Pattern.compile("([A-Za-z_][A-Za-z0-9_]*)=(\"([^\"]*)\"|\\S+)");

    static Dockerfile read(Path file) throws IOException {
      List<String> instructions = new ArrayList<>();
      StringBuilder current = new StringBuilder();
      for (String line : Files.readAllLines(file)) {
        if (line.isBlank() || line.stripLeading().startsWith("#")) {
          continue;
        }
        boolean continued = line.endsWith("\\");
        current.append(continued ? line.substring(0, line.length() - 1) : line);
        if (!continued) {
          instructions.add(current.toString().replaceAll("\\s+", " ").strip());
          current.setLength(0);
        }
      }
      return new Dockerfile(instructions);
    }

    private List<String> arguments(String instruction) {
      return instructions.stream().filter(i -> i.startsWith(instruction + " "))
          .map(i -> i.substring(instruction.length() + 1)).toList();
    }

    private Map<String, String> assignments(String instruction) {
      Map<String, String> values = new LinkedHashMap<>();
      for (String args : arguments(instruction)) {
        Matcher m = ASSIGNMENT.matcher(args);
        while (m.find()) {
          values.put(m.group(1), m.group(3) != null ? m.group(3) : m.group(2));
        }
      }
      return values;
    }

    String arg(String name) {
      return assignments("ARG").get(name);
    }

    Map<String, String> env() {
      return assignments("ENV");
    }

    List<Integer> exposed() {
      return arguments("EXPOSE").stream().flatMap(a -> Stream.of(a.split(" "))).map(Integer::valueOf).toList();
    }

    /** @return USER with build arguments substituted */
    String user() {
      String user = arguments("USER").get(0);
      for (Map.Entry<String, String> arg : assignments("ARG").entrySet()) {
        user = user.replace("${" + arg.getKey() + "}", arg.getValue());
      }
      return user;
    }

    List<String> volumes() {
      return arguments("VOLUME").stream().flatMap(v -> Stream.of(v.replaceAll("[\\[\\]\"]", "").split(",")))
          .map(String::strip).toList();
    }

    /** @return the sources of every COPY (flags and destination left out) */
    List<String> copySources() {
      List<String> sources = new ArrayList<>();
      for (String args : arguments("COPY")) {
        List<String> words = Stream.of(args.split(" ")).filter(w -> !w.startsWith("--")).toList();
        sources.addAll(words.subList(0, words.size() - 1));
      }
      return sources;
    }

    String healthcheck() {
      return arguments("HEALTHCHECK").get(0);
    }

    String entrypoint() {
      return arguments("ENTRYPOINT").get(0);
    }
  }

  /** haproxy.cfg: sections (global, defaults, frontend X, backend X, ...) and their lines. */
  record HaproxyConfig(Map<String, List<String>> sections) {

    static HaproxyConfig read(Path file) throws IOException {
      Map<String, List<String>> sections = new LinkedHashMap<>();
      List<String> current = null;
      for (String line : Files.readAllLines(file)) {
        String text = line.replaceFirst("\\s*#.*$", "");
        if (text.isBlank()) {
          continue;
        }
        if (!Character.isWhitespace(text.charAt(0))) {
          current = new ArrayList<>();
          sections.put(text.strip(), current);
        } else if (current != null) {
          current.add(text.strip().replaceAll("\\s+", " "));
        }
      }
      return new HaproxyConfig(sections);
    }

    List<String> defaults() {
      return sections.getOrDefault("defaults", List.of());
    }

    /** @return bound port to the frontend's default backend */
    Map<Integer, String> frontendPorts() {
      Map<Integer, String> ports = new LinkedHashMap<>();
      sections.forEach((section, lines) -> {
        if (section.startsWith("frontend ")) {
          String backend = value(lines, "default_backend");
          lines.stream().filter(l -> l.startsWith("bind "))
              .forEach(l -> ports.put(Integer.valueOf(l.split(" ")[1].replaceFirst("^.*:", "")), backend));
        }
      });
      return ports;
    }

    /** @return host:port of every server of the backend */
    List<String> servers(String backend) {
      return sections.getOrDefault("backend " + backend, List.of()).stream().filter(l -> l.startsWith("server "))
          .map(l -> l.split(" ")[2]).toList();
    }

    private static String value(List<String> lines, String directive) {
      return lines.stream().filter(l -> l.startsWith(directive + " ")).map(l -> l.substring(directive.length() + 1))
          .findFirst().orElse(null);
    }
  }

  /** A systemd unit's settings as {@code Key=value} lines. */
  record SystemdUnit(List<String> lines) {

    static SystemdUnit read(Path file) throws IOException {
      return new SystemdUnit(Files.readAllLines(file).stream().map(String::strip)
          .filter(l -> !l.isEmpty() && !l.startsWith("#") && !l.startsWith(";") && !l.startsWith("[")).toList());
    }

    String value(String key) {
      return lines.stream().filter(l -> l.startsWith(key + "=")).map(l -> l.substring(key.length() + 1))
          .findFirst().orElseThrow(() -> new AssertionError("no " + key + "= in the unit"));
    }

    List<String> execStartWords() {
      return List.of(value("ExecStart").split("\\s+"));
    }
  }
}
