package io.zto.simulator;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetClientOptions;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetServerOptions;
import io.vertx.core.net.PemKeyCertOptions;
import io.zto.shared.pki.FactoryCa;
import io.zto.shared.pki.KeyPairs;
import io.zto.shared.pki.Pem;
import io.zto.shared.testing.Await;
import io.zto.shared.testing.TestPki;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ServerTrustTest {

  @TempDir
  Path tmp;

  private Vertx vertx;
  private NetServer server;
  private String rootPem;
  private X509Certificate leaf;

  @BeforeEach
  void platformListener() throws Exception {
    // GIVEN a TLS listener with the platform's own server certificate
    Path data = tmp.resolve("data");
    TestPki.create(data);
    rootPem = Files.readString(data.resolve("root-ca.pem"));
    String chainPem = Files.readString(data.resolve("tls/server-chain.pem"));
    leaf = Pem.readCertificates(chainPem).get(0);
    vertx = Vertx.vertx();
    server = Await.result(vertx.createNetServer(new NetServerOptions().setSsl(true).setHost("127.0.0.1").setPort(0)
            .setKeyCertOptions(new PemKeyCertOptions().addKeyValue(Buffer.buffer(Files.readString(data.resolve("tls/server-key.pem"))))
                .addCertValue(Buffer.buffer(chainPem))))
        .connectHandler(socket -> socket.end(Buffer.buffer("ok"))).listen());
  }

  @AfterEach
  void close() {
    Await.result(vertx.close());
  }

  @Test
  void platformCertificateIsTrustedForTheHostItNames() {
    // WHEN a device with the platform's root as anchor connects to localhost
    // THEN the handshake succeeds
    assertThat(connect(rootPem, "localhost")).isNull();
  }

  @Test
  void certificateOfAnotherCaIsRefused() {
    // GIVEN a device whose config names another CA
    String otherRoot = Pem.encode(FactoryCa.create("some other CA", "elsewhere").certificate());
    // WHEN it connects THEN the handshake fails on the server certificate
    assertThat(connect(otherRoot, "localhost")).isNotNull();
  }

  @Test
  void hostNotNamedInTheCertificateIsRefused() throws Exception {
    assertThat(ServerTrust.matches(leaf, "localhost")).isTrue();
    assertThat(ServerTrust.matches(leaf, "LOCALHOST")).isTrue();
    assertThat(ServerTrust.matches(leaf, "evil.example")).isFalse();
    assertThat(ServerTrust.matches(leaf, "10.9.8.7")).isFalse();
  }

  /** The failure of a handshake to the listener, or null when it succeeded. */
  private Throwable connect(String anchorsPem, String host) {
    KeyPair keys = KeyPairs.ecP256();
    FactoryCa factory = FactoryCa.create("factory", "test");
    Tls tls = new Tls(List.of(factory.ldevid("dev-1", keys).certificate()), keys.getPrivate(), anchorsPem);
    var client = vertx.createNetClient(new NetClientOptions().setSsl(true).setTrustOptions(tls.trust())
        .setKeyCertOptions(tls.keyCert()).setHostnameVerificationAlgorithm("HTTPS"));
    try {
      Await.result(client.connect(server.actualPort(), host).compose(socket -> socket.close()));
      return null;
    } catch (RuntimeException e) {
      return e;
    } finally {
      client.close();
    }
  }
}
