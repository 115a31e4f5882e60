package io.zto.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import io.zto.shared.testing.ChildProcess;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The bounds of the HTTP listeners against hostile or broken clients, on {@code zto.jar} as a process,
 * checked with curl and openssl: authentication before any body is read, no file uploads, a body limit
 * per endpoint, JSON errors for broken JSON, bounded request heads, and idle connections closed.
 */
class HttpInputBoundsIT {

  private static final Duration CURL_TIMEOUT = Duration.ofSeconds(60);
  private static final int JSON_LIMIT = 16 * 1024;
  private static final int IMPORT_LIMIT = 128 * 1024;
  private static final Duration IDLE = Duration.ofSeconds(2);
  private static final Duration HEAD = Duration.ofSeconds(3);
  private static final byte[] SLOW_HEAD = "GET /health HTTP/1.1\r\nHost: localhost\r\nX-Slow: "
      .getBytes(StandardCharsets.US_ASCII);
  private static final byte[] COMPLETE_HEAD = "GET /health HTTP/1.1\r\nHost: localhost\r\n\r\n"
      .getBytes(StandardCharsets.US_ASCII);

  @TempDir
  static Path tmp;

  private static Process zto;
  private static Path cwd;
  private static Path javaTmp;
  private static Path dataDir;
  private static int httpPort;
  private static int estPort;
  private static String token;

  @BeforeAll
  static void start() throws Exception {
    // GIVEN zto.jar in a working and temp directory of its own (so that a stray file shows), with small
    // body limits and a short idle timeout
    cwd = Files.createDirectory(tmp.resolve("cwd"));
    javaTmp = Files.createDirectory(tmp.resolve("java-tmp"));
    dataDir = tmp.resolve("data");
    int[] ports = ZtoProcess.freePorts(4);
    httpPort = ports[0];
    estPort = ports[1];
    zto = new ProcessBuilder(ZtoProcess.java(), "-Djava.io.tmpdir=" + javaTmp, "-jar",
        ZtoProcess.JAR.toAbsolutePath().toString(), "--data-dir", dataDir.toString(),
        "--set", "http.port=" + ports[0], "--set", "est.port=" + ports[1],
        "--set", "mqtt.operational.port=" + ports[2], "--set", "mqtt.provisioning.port=" + ports[3],
        "--set", "http.maxJsonBodySize=" + JSON_LIMIT, "--set", "http.maxBodySize=" + IMPORT_LIMIT,
        "--set", "http.idleTimeout=2s", "--set", "est.idleTimeout=2s")
        .directory(cwd.toFile()).redirectErrorStream(true).redirectOutput(tmp.resolve("zto.log").toFile()).start();
    awaitUp();
    token = Files.readString(dataDir.resolve("admin-token")).strip();
  }

  @AfterAll
  static void stop() throws InterruptedException {
    if (zto != null) {
      ChildProcess.kill(zto);
    }
  }

  @Test
  void unauthenticatedMultipartUploadGets401AndLeavesNoFileAnywhere() throws Exception {
    // GIVEN a 2 MB file and a 64 KB one (within every body limit) with a marker nobody else writes
    int enrollments = enrollmentCount();
    String marker = "upload-marker-" + UUID.randomUUID();
    Path upload = tmp.resolve("upload.csv");
    Files.writeString(upload, (marker + "\n").repeat(2 * 1024 * 1024 / (marker.length() + 1)));
    Path within = tmp.resolve("within.csv");
    Files.writeString(within, (marker + "\n").repeat(64 * 1024 / (marker.length() + 1)));
    for (Path file : List.of(within, upload)) {
      for (String path : List.of("/api/v1/enrollments:import", "/api/v1/enrollments")) {
        // WHEN each is posted as multipart without a token, all at once (no 100-continue to wait for)
        Answer anonymous = curl("-H", "Expect:", "-F", "file=@" + file, api(path));
        // THEN 401 with a JSON error
        assertThat(anonymous.status()).as(anonymous.body()).isEqualTo(401);
        assertThat(anonymous.json().getString("error")).isEqualTo("unauthorized");
      }
    }
    // AND with the token: too large for the import (413), and a small one is the wrong media type (415)
    Answer big = curl("-H", "Expect:", "-H", bearer(), "-F", "file=@" + upload, api("/api/v1/enrollments:import"));
    assertThat(big.status()).as(big.body()).isEqualTo(413);
    Path small = tmp.resolve("small.csv");
    Files.writeString(small, marker + "\n");
    Answer wrongType = curl("-H", bearer(), "-F", "file=@" + small, api("/api/v1/enrollments:import"));
    assertThat(wrongType.status()).as(wrongType.body()).isEqualTo(415);
    Answer json = curl("-H", bearer(), "-F", "file=@" + small, api("/api/v1/enrollments"));
    assertThat(json.status()).as(json.body()).isBetween(400, 499);
    // AND no file of the node's working dir, temp dir or data dir holds the upload, and there is no upload dir
    assertThat(filesContaining(marker, cwd, javaTmp, dataDir)).isEmpty();
    assertThat(cwd.resolve("file-uploads")).doesNotExist();
    assertThat(javaTmp.resolve("file-uploads")).doesNotExist();
    // AND nothing was imported
    assertThat(enrollmentCount()).isEqualTo(enrollments);
    // AND the four refusals are one audit row for this address, with their count (written within seconds)
    assertThat(awaitRefusalCount("127.0.0.1", "missing bearer token", 4)).isEqualTo(4);
  }

  @Test
  void oversizedBodiesGet413WithAJsonErrorEachAgainstTheLimitOfItsEndpoint() throws Exception {
    // GIVEN an enrollment whose body is larger than http.maxJsonBodySize
    String oversized = new JsonObject().put("deviceId", "too-big").put("approval", "auto")
        .put("tenant", "t".repeat(JSON_LIMIT)).encode();
    // WHEN it is posted THEN 413 naming the limit and its key, and nothing was created
    Answer refused = curl("-H", bearer(), "-H", "Content-Type: application/json", "--data-binary", oversized,
        api("/api/v1/enrollments"));
    assertThat(refused.status()).as(refused.body()).isEqualTo(413);
    assertThat(refused.json().getString("error")).isEqualTo("payload_too_large");
    assertThat(refused.json().getString("message")).contains(String.valueOf(JSON_LIMIT), "http.maxJsonBodySize");
    // AND an import larger than the JSON limit but within its own is read and imported
    StringBuilder lines = new StringBuilder();
    for (int i = 0; lines.length() <= JSON_LIMIT + 4096; i++) {
      lines.append(new JsonObject().put("deviceId", String.format("bounds-%06d", i)).put("approval", "auto").encode())
          .append('\n');
    }
    Path importFile = Files.writeString(tmp.resolve("import.ndjson"), lines);
    Answer imported = curl("-H", bearer(), "-H", "Content-Type: application/x-ndjson", "--data-binary",
        "@" + importFile, api("/api/v1/enrollments:import"));
    assertThat(imported.status()).as(imported.body()).isEqualTo(200);
    int count = enrollmentCount();
    assertThat(imported.json().getInteger("imported")).isPositive().isEqualTo(lines.toString().split("\n").length);
    // AND an import larger than http.maxBodySize gets 413 naming that key, and imports nothing
    Path hugeFile = Files.writeString(tmp.resolve("huge.ndjson"), lines.toString().replace("bounds-", "huge-")
        .repeat(IMPORT_LIMIT / lines.length() + 1));
    Answer huge = curl("-H", bearer(), "-H", "Content-Type: application/x-ndjson", "--data-binary", "@" + hugeFile,
        api("/api/v1/enrollments:import"));
    assertThat(huge.status()).as(huge.body()).isEqualTo(413);
    assertThat(huge.json().getString("message")).contains("http.maxBodySize");
    assertThat(enrollmentCount()).isEqualTo(count);
  }

  @Test
  void brokenJsonGets400WithAJsonErrorAndNever5xx() throws Exception {
    // GIVEN bodies that are not JSON, cut short, of the wrong JSON type, nested past the parser's depth or
    // not UTF-8
    List<byte[]> bodies = new ArrayList<>();
    for (String text : List.of("{", "{\"deviceId\":", "[1,2", "}{", "null", "\"x\"", "42", "[]", "",
        "{\"deviceId\":\"d\",\"approval\":\"auto\",\"deviceId\":", "{\"a\":".repeat(2000) + "1" + "}".repeat(2000),
        "{\"deviceId\":\"\\ud800\",\"approval\":\"auto\"}")) {
      bodies.add(text.getBytes(StandardCharsets.UTF_8));
    }
    bodies.add(new byte[] {(byte) 0xff, (byte) 0xfe, '{', '}'});
    bodies.add(new byte[] {'{', '"', 'd', 'e', 'v', 'i', 'c', 'e', 'I', 'd', '"', ':', '"', (byte) 0xc3, '"', '}'});
    int before = enrollmentCount();
    Path file = tmp.resolve("broken.json");
    for (byte[] body : bodies) {
      Files.write(file, body);
      String shown = new String(body, 0, Math.min(40, body.length), StandardCharsets.ISO_8859_1);
      for (String path : List.of("/api/v1/enrollments", "/api/v1/trust-anchors", "/api/v1/crl-sources")) {
        // WHEN each is posted as JSON
        Answer answer = curl("-H", bearer(), "-H", "Content-Type: application/json", "--data-binary", "@" + file,
            api(path));
        // THEN 400 with a JSON error a person can read
        assertThat(answer.status()).as(path + " " + shown + ": " + answer.body()).isEqualTo(400);
        assertThat(answer.json().getString("error")).isEqualTo("bad_request");
        assertThat(answer.json().getString("message")).isNotBlank();
      }
    }
    // AND a JSON body sent as another media type is a 4xx too
    Answer plain = curl("-H", bearer(), "-H", "Content-Type: text/plain", "--data-binary", "{}",
        api("/api/v1/enrollments"));
    assertThat(plain.status()).as(plain.body()).isBetween(400, 499);
    assertThat(plain.json().getString("error")).isNotBlank();
    // AND nothing was created
    assertThat(enrollmentCount()).isEqualTo(before);
  }

  @Test
  void oversizedRequestHeadsAreRefusedOnBothListeners() {
    String bigHeader = "X-Big: " + "a".repeat(20_000);
    String longQuery = "?q=" + "a".repeat(5_000);
    String est = "https://localhost:" + estPort + "/.well-known/est/cacerts";
    String root = dataDir.resolve("root-ca.pem").toString();
    // WHEN a request's headers are larger than 8 KiB THEN 431; a request line longer than 4 KiB: 414
    assertThat(curl("-H", bigHeader, api("/health")).status()).isEqualTo(431);
    assertThat(curl(api("/health") + longQuery).status()).isEqualTo(414);
    assertThat(curl("--cacert", root, "-H", bigHeader, est).status()).isEqualTo(431);
    assertThat(curl("--cacert", root, est + longQuery).status()).isEqualTo(414);
    // AND a normal request still works on both
    assertThat(curl(api("/health")).status()).isEqualTo(200);
    assertThat(curl("--cacert", root, est).status()).isEqualTo(200);
  }

  @Test
  void aClientThatGoesSilentIsDisconnectedAfterTheIdleTimeout() throws Exception {
    // GIVEN an operator HTTP client that sends half a request head and then nothing
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress("127.0.0.1", httpPort), 5_000);
      socket.setSoTimeout(20_000);
      socket.getOutputStream().write("GET /health HTTP/1.1\r\nHo".getBytes(StandardCharsets.US_ASCII));
      long start = System.nanoTime();
      // WHEN it waits THEN the server closes the connection after about the idle timeout, without an answer
      assertThat(readUntilClosed(socket.getInputStream())).isEmpty();
      assertThat(Duration.ofNanos(System.nanoTime() - start)).isBetween(IDLE.minusMillis(500), IDLE.plusSeconds(8));
    }
    // AND an EST client that completes the TLS handshake (openssl) and then sends nothing is disconnected
    // the same way: s_client ends by itself although its stdin stays open
    Path log = tmp.resolve("s_client.log");
    long start = System.nanoTime();
    Process client = new ProcessBuilder("openssl", "s_client", "-connect", "localhost:" + estPort, "-CAfile",
        dataDir.resolve("root-ca.pem").toString(), "-quiet")
        .redirectErrorStream(true).redirectOutput(log.toFile()).start();
    try {
      boolean ended = client.waitFor(20, TimeUnit.SECONDS);
      Duration took = Duration.ofNanos(System.nanoTime() - start);
      assertThat(ended).as("s_client still connected after 20 s: " + Files.readString(log)).isTrue();
      assertThat(Files.readString(log)).contains("verify return:1");
      assertThat(took).isBetween(IDLE.minusMillis(500), IDLE.plusSeconds(10));
    } finally {
      ChildProcess.kill(client);
    }
  }

  @Test
  void aClientTricklingItsFirstHeadIsDisconnectedAfterTheIdleTimeout() throws Exception {
    // GIVEN an operator HTTP client that sends its first head one byte every 500 ms
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress("127.0.0.1", httpPort), 5_000);
      socket.setSoTimeout(500);
      long start = System.nanoTime();
      // WHEN it keeps trickling THEN the server closes the connection after about the idle timeout (an
      // incomplete head is no activity), long before the headers reach their size limit
      int sent = trickleUntilClosed(socket, Duration.ofSeconds(20));
      assertThat(Duration.ofNanos(System.nanoTime() - start)).isBetween(IDLE.minusMillis(500), IDLE.plusSeconds(8));
      assertThat(sent).isLessThan(8 * 1024);
    }
  }

  @Test
  void aKeptAliveConnectionTricklingItsNextHeadIsDisconnectedAfterTheHeadTimeout() throws Exception {
    // GIVEN a node whose idle timeouts are a minute and whose head timeouts are 3 s
    ZtoProcess node = ZtoProcess.start(tmp.resolve("data-heads"), tmp.resolve("zto-heads.log"),
        "http.idleTimeout=60s", "est.idleTimeout=60s", "http.requestHeadTimeout=3s", "est.requestHeadTimeout=3s");
    try {
      // AND an operator HTTP client that made one request on its connection and trickles the next head
      try (Socket socket = new Socket()) {
        socket.connect(new InetSocketAddress("127.0.0.1", node.http()), 5_000);
        socket.setSoTimeout(10_000);
        socket.getOutputStream().write(COMPLETE_HEAD);
        assertThat(readResponse(socket.getInputStream())).startsWith("HTTP/1.1 200");
        socket.setSoTimeout(500);
        long start = System.nanoTime();
        // WHEN it keeps trickling THEN the connection is closed after about the head timeout
        int sent = trickleUntilClosed(socket, Duration.ofSeconds(20));
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isBetween(HEAD.minusMillis(500), HEAD.plusSeconds(8));
        assertThat(sent).isLessThan(8 * 1024);
      }
      // AND an EST client (openssl, after its TLS handshake) doing the same is disconnected the same way
      estClientTricklingItsSecondHeadIsDisconnected(node.est(), node.dataDir().resolve("root-ca.pem"));
    } finally {
      node.kill();
    }
  }

  private static void estClientTricklingItsSecondHeadIsDisconnected(int estPort, Path root) throws Exception {
    Path log = tmp.resolve("s_client-slow.log");
    Process client = new ProcessBuilder("openssl", "s_client", "-connect", "localhost:" + estPort, "-CAfile",
        root.toString(), "-quiet")
        .redirectErrorStream(true).redirectOutput(log.toFile()).start();
    long start = 0;
    try (OutputStream in = client.getOutputStream()) {
      in.write("GET /.well-known/est/cacerts HTTP/1.1\r\nHost: localhost\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      in.flush();
      long answered = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
      while (!Files.readString(log).contains("HTTP/1.1 200") && System.nanoTime() < answered) {
        Thread.sleep(50);
      }
      start = System.nanoTime();
      in.write("GET /.well-known/est/cacerts HTTP/1.1\r\nHost: localhost\r\nX-Slow: ".getBytes(StandardCharsets.US_ASCII));
      in.flush();
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
      while (client.isAlive() && System.nanoTime() < deadline) {
        in.write('a');
        in.flush();
        client.waitFor(500, TimeUnit.MILLISECONDS);
      }
    } catch (IOException closedByTheServer) {
      // s_client ended while we wrote: what the test waits for
    }
    try {
      assertThat(client.waitFor(5, TimeUnit.SECONDS)).as("s_client still connected: " + Files.readString(log)).isTrue();
      String output = Files.readString(log);
      assertThat(output).contains("verify return:1");
      assertThat(output.split("HTTP/1.1 200", -1)).as("one answer, to the complete request: " + output).hasSize(2);
      assertThat(Duration.ofNanos(System.nanoTime() - start)).isBetween(HEAD.minusMillis(500), HEAD.plusSeconds(10));
    } finally {
      ChildProcess.kill(client);
    }
  }

  /** Reads one whole response (head, then a body of its Content-Length) and returns its head. */
  private static String readResponse(InputStream in) throws IOException {
    StringBuilder head = new StringBuilder();
    while (!head.toString().endsWith("\r\n\r\n")) {
      int b = in.read();
      if (b == -1) {
        throw new AssertionError("connection closed in a response head: " + head);
      }
      head.append((char) b);
    }
    java.util.regex.Matcher length = java.util.regex.Pattern.compile("(?i)content-length:\\s*(\\d+)")
        .matcher(head);
    assertThat(length.find()).as(head.toString()).isTrue();
    in.readNBytes(Integer.parseInt(length.group(1)));
    return head.toString();
  }

  /**
   * Writes {@link #SLOW_HEAD} and then one header byte every 500 ms (the socket's read timeout) until the
   * server closes the connection; fails if it is still open after {@code atMost}.
   *
   * @return the bytes written
   */
  private static int trickleUntilClosed(Socket socket, Duration atMost) throws IOException {
    OutputStream out = socket.getOutputStream();
    InputStream in = socket.getInputStream();
    out.write(SLOW_HEAD);
    int sent = SLOW_HEAD.length;
    long deadline = System.nanoTime() + atMost.toNanos();
    while (System.nanoTime() < deadline) {
      try {
        out.write('a');
        out.flush();
        sent++;
        if (in.read() == -1) {
          return sent;
        }
        throw new AssertionError("the server answered a request whose head never ended");
      } catch (SocketTimeoutException stillOpen) {
        // nothing from the server yet: next byte
      } catch (SocketException closed) {
        return sent;
      }
    }
    throw new AssertionError("connection still open after " + atMost + " of trickled headers");
  }

  private record Answer(int status, String body) {
    JsonObject json() {
      return new JsonObject(body);
    }
  }

  /** One curl call: its HTTP status and the body it got (curl failing without a status fails the test). */
  private static Answer curl(String... args) {
    Path body = tmp.resolve("curl-body-" + UUID.randomUUID());
    List<String> command = new ArrayList<>(List.of("curl", "-sS", "-o", body.toString(), "-w", "%{http_code}"));
    command.addAll(List.of(args));
    ChildProcess.Result result = ChildProcess.run(new ProcessBuilder(command), "", CURL_TIMEOUT);
    assertThat(result.exitCode()).as(result.errors()).isZero();
    try {
      String text = Files.exists(body) ? Files.readString(body) : "";
      Files.deleteIfExists(body);
      return new Answer(Integer.parseInt(result.output().strip()), text);
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }

  private static String api(String path) {
    return "http://127.0.0.1:" + httpPort + path;
  }

  private static String bearer() {
    return "Authorization: Bearer " + token;
  }

  private static int enrollmentCount() {
    int count = 0;
    String cursor = null;
    do {
      Answer page = curl("-H", bearer(), api("/api/v1/enrollments?limit=500"
          + (cursor == null ? "" : "&cursor=" + URLEncoder.encode(cursor, StandardCharsets.UTF_8))));
      assertThat(page.status()).as(page.body()).isEqualTo(200);
      count += page.json().getJsonArray("items").size();
      cursor = page.json().getString("nextCursor");
    } while (cursor != null);
    return count;
  }

  /**
   * The count of the one audit row of refused authentications from {@code source} for {@code reason},
   * once it reaches {@code expected} or after 20 s.
   */
  private static long awaitRefusalCount(String source, String reason, long expected) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    long count = 0;
    while (System.nanoTime() < deadline && count < expected) {
      Answer page = curl("-H", bearer(), api("/api/v1/audit?action=api.authenticate&limit=500"));
      assertThat(page.status()).as(page.body()).isEqualTo(200);
      List<JsonObject> rows = page.json().getJsonArray("items").stream().map(JsonObject.class::cast)
          .filter(row -> source.equals(row.getString("actor")) && reason.equals(row.getString("reason"))).toList();
      assertThat(rows).hasSize(1);
      count = rows.get(0).getJsonObject("details").getLong("count");
      Thread.sleep(500);
    }
    return count;
  }

  /** Everything the peer sends until it closes (a reset counts as closed). */
  private static String readUntilClosed(InputStream in) throws IOException {
    try {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (SocketException reset) {
      return "";
    }
  }

  private static List<Path> filesContaining(String marker, Path... dirs) throws IOException {
    byte[] needle = marker.getBytes(StandardCharsets.UTF_8);
    List<Path> found = new ArrayList<>();
    for (Path dir : dirs) {
      try (Stream<Path> files = Files.walk(dir)) {
        for (Path file : files.filter(Files::isRegularFile).toList()) {
          if (indexOf(Files.readAllBytes(file), needle) >= 0) {
            found.add(file);
          }
        }
      }
    }
    return found;
  }

  private static int indexOf(byte[] haystack, byte[] needle) {
    outer:
    for (int i = 0; i <= haystack.length - needle.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (haystack[i + j] != needle[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }

  private static void awaitUp() throws Exception {
    HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(150);
    while (System.nanoTime() < deadline) {
      if (!zto.isAlive()) {
        throw new AssertionError("zto.jar exited: " + Files.readString(tmp.resolve("zto.log")));
      }
      try {
        HttpResponse<String> health = client.send(HttpRequest.newBuilder(URI.create(api("/health")))
            .timeout(Duration.ofSeconds(3)).build(), HttpResponse.BodyHandlers.ofString());
        if (health.statusCode() == 200) {
          return;
        }
      } catch (IOException notYet) {
        // not listening yet
      }
      Thread.sleep(250);
    }
    throw new AssertionError("zto.jar did not report UP within 150 s: " + Files.readString(tmp.resolve("zto.log")));
  }
}
