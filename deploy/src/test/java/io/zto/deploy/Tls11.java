package io.zto.deploy;

import io.zto.shared.testing.ChildProcess;
import io.zto.shared.testing.Openssl;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * An openssl client that offers TLS 1.1 and nothing else. OpenSSL 3 refuses TLS 1.1 by itself at its
 * default security level, so a check "a TLS 1.1 client is refused" made with a default client passes
 * whatever the server does; this one lowers the level ({@code -cipher DEFAULT@SECLEVEL=0}) and comes with
 * a control handshake against an openssl server that allows TLS 1.1, which shows the client really
 * offers it on this machine.
 */
final class Tls11 {

  /** What {@code s_client} prints when the handshake agreed on nothing. */
  static final String NO_SESSION = "Cipher is (NONE)";

  private static final Duration TIMEOUT = Duration.ofSeconds(30);

  private Tls11() {
  }

  /** The output of a TLS 1.1-only handshake attempt against {@code host:port} (stdin closed: no data). */
  static String offerOnly11(String host, int port) {
    return ChildProcess.run(TIMEOUT, "openssl", "s_client", "-connect", host + ":" + port, "-servername", host,
        "-tls1_1", "-cipher", "DEFAULT@SECLEVEL=0").output();
  }

  /**
   * The output of {@link #offerOnly11} against an {@code openssl s_server} that allows TLS 1.1: the
   * control that makes a refusal by our server mean something (see {@link #negotiated11}).
   */
  static String againstAServerAllowingTls11(Path dir) throws IOException, InterruptedException {
    Path key = dir.resolve("tls11-key.pem");
    Path cert = dir.resolve("tls11-cert.pem");
    Openssl.Result made = Openssl.run(dir, "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
        "-nodes", "-keyout", key.toString(), "-out", cert.toString(), "-subj", "/CN=localhost", "-days", "1");
    if (made.exitCode() != 0) {
      throw new AssertionError("openssl req failed: " + made.output());
    }
    int port = freePort();
    Path log = dir.resolve("tls11-server.log");
    Process server = new ProcessBuilder("openssl", "s_server", "-accept", "127.0.0.1:" + port, "-cert", cert.toString(),
        "-key", key.toString(), "-tls1_1", "-cipher", "DEFAULT@SECLEVEL=0", "-naccept", "1")
        .redirectErrorStream(true).redirectOutput(log.toFile()).start();
    try {
      awaitAccepting(server, log);
      return offerOnly11("127.0.0.1", port);
    } finally {
      ChildProcess.kill(server);
    }
  }

  /** Whether an {@link #offerOnly11} output shows a TLS 1.1 session agreed. */
  static boolean negotiated11(String output) {
    return output.contains("Protocol  : TLSv1.1") && !output.contains(NO_SESSION);
  }

  // s_server prints ACCEPT once it listens; a probe connection would use up its one accept
  private static void awaitAccepting(Process server, Path log) throws IOException, InterruptedException {
    long deadline = System.nanoTime() + TIMEOUT.toNanos();
    while (!Files.readString(log).contains("ACCEPT")) {
      if (!server.isAlive() || System.nanoTime() > deadline) {
        throw new AssertionError("openssl s_server did not start: " + Files.readString(log));
      }
      Thread.sleep(50);
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }
}
