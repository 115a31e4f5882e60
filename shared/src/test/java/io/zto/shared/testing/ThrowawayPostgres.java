package io.zto.shared.testing;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.UserPrincipal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * A real PostgreSQL server for tests: {@code ZTO_TEST_PG_URL} if set, else a throwaway cluster made
 * with Debian's initdb in a temp dir on a free loopback port (as an unprivileged user when the tests
 * run as root, since PostgreSQL refuses to run as root), started once per JVM and stopped at exit.
 */
public final class ThrowawayPostgres {

  private static final String SUPERUSER = "zto";
  private static String baseUrl;

  private ThrowawayPostgres() {}

  /** URL of a fresh, empty database on the shared server. */
  public static String newDatabase() {
    String base = serverUrl();
    String name = "zto_" + UUID.randomUUID().toString().replace("-", "").substring(0, 16);
    psql(base, "CREATE DATABASE " + name);
    return base.substring(0, base.lastIndexOf('/') + 1) + name;
  }

  /** URL of the server's maintenance database. */
  public static synchronized String serverUrl() {
    if (baseUrl == null) {
      String given = System.getenv("ZTO_TEST_PG_URL");
      baseUrl = given != null && !given.isBlank() ? given : start();
    }
    return baseUrl;
  }

  private static String start() {
    try {
      Path bin = binDir();
      Path dir = Files.createTempDirectory("zto-pg-");
      Path data = dir.resolve("data");
      String runAs = isRoot() ? unprivilegedUser() : null;
      if (runAs != null) {
        UserPrincipal owner = dir.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName(runAs);
        Files.setOwner(dir, owner);
      }
      int port = freePort();
      run(runAs, bin.resolve("initdb").toString(), "-D", data.toString(), "-U", SUPERUSER,
          "--auth=trust", "-E", "UTF8", "--no-sync", "--no-instructions");
      run(runAs, bin.resolve("pg_ctl").toString(), "-D", data.toString(), "-l", dir.resolve("server.log").toString(),
          "-w", "-t", "60", "-o", "-p " + port + " -k " + dir + " -c listen_addresses=127.0.0.1"
              + " -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=300",
          "start");
      Runtime.getRuntime().addShutdownHook(new Thread(() -> stop(runAs, bin, data, dir)));
      return "postgresql://" + SUPERUSER + "@127.0.0.1:" + port + "/postgres";
    } catch (IOException e) {
      throw new IllegalStateException("cannot start a throwaway PostgreSQL: " + e.getMessage(), e);
    }
  }

  private static void stop(String runAs, Path bin, Path data, Path dir) {
    try {
      run(runAs, bin.resolve("pg_ctl").toString(), "-D", data.toString(), "-m", "immediate", "-w", "stop");
    } catch (RuntimeException e) {
      System.err.println("throwaway PostgreSQL did not stop: " + e.getMessage());
    }
    try (Stream<Path> files = Files.walk(dir)) {
      files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException ignored) {
      // a temp dir left behind is harmless
    }
  }

  static void psql(String url, String sql) {
    run(null, psqlBinary(), "-v", "ON_ERROR_STOP=1", "-q", "-d", url, "-c", sql);
  }

  private static String psqlBinary() {
    try {
      Path candidate = binDir().resolve("psql");
      return Files.isExecutable(candidate) ? candidate.toString() : "psql";
    } catch (IllegalStateException e) {
      return "psql";
    }
  }

  private static Path binDir() {
    String given = System.getenv("ZTO_TEST_PG_BIN");
    if (given != null && !given.isBlank()) {
      return Path.of(given);
    }
    Path versions = Path.of("/usr/lib/postgresql");
    if (Files.isDirectory(versions)) {
      try (Stream<Path> dirs = Files.list(versions)) {
        return dirs.map(d -> d.resolve("bin"))
            .filter(d -> Files.isExecutable(d.resolve("initdb")))
            .max(Comparator.comparing(d -> versionOf(d.getParent())))
            .orElseThrow(() -> new IllegalStateException("no initdb under /usr/lib/postgresql/*/bin"));
      } catch (IOException e) {
        throw new IllegalStateException(e);
      }
    }
    throw new IllegalStateException("PostgreSQL server binaries not found: install Debian's postgresql, "
        + "set ZTO_TEST_PG_BIN to the directory holding initdb, or ZTO_TEST_PG_URL to a server");
  }

  private static int versionOf(Path dir) {
    try {
      return Integer.parseInt(dir.getFileName().toString());
    } catch (NumberFormatException e) {
      return 0;
    }
  }

  private static boolean isRoot() {
    return "root".equals(System.getProperty("user.name"));
  }

  /** Debian's postgresql package makes the postgres user; nobody exists everywhere. */
  private static String unprivilegedUser() {
    try {
      List<String> lines = Files.readAllLines(Path.of("/etc/passwd"));
      return lines.stream().anyMatch(l -> l.startsWith("postgres:")) ? "postgres" : "nobody";
    } catch (IOException e) {
      return "nobody";
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }

  private static void run(String runAs, String... command) {
    List<String> cmd = new ArrayList<>();
    if (runAs != null) {
      cmd.addAll(List.of("runuser", "-u", runAs, "--"));
    }
    cmd.addAll(List.of(command));
    ChildProcess.Result result = ChildProcess.run(new ProcessBuilder(cmd).redirectErrorStream(true), "",
        Duration.ofSeconds(120));
    if (result.exitCode() != 0) {
      throw new IllegalStateException(String.join(" ", cmd) + " failed: " + result.output().strip());
    }
  }
}
