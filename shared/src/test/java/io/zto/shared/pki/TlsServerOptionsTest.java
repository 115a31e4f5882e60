package io.zto.shared.pki;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.concurrent.TimeUnit;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.ClientAuth;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.zto.shared.testing.Openssl;
import io.zto.shared.testing.TestPki;

/**
 * A real Vert.x 5 HTTPS server with {@link TlsServerOptions}, probed by blocking JDK and openssl
 * clients from the test thread (never from an event loop).
 */
class TlsServerOptionsTest {

  private final PlatformPki pki = TestPki.shared();
  private Vertx vertx;

  @BeforeEach
  void startVertx() {
    vertx = Vertx.vertx();
  }

  @AfterEach
  void stopVertx() throws Exception {
    await(vertx.close());
  }

  @Test
  void acceptsTls13AndTls12ClientsThatTrustTheRoot() throws Exception {
    // GIVEN an HTTPS server on port 0 with the platform's server identity
    int port = startServer(ClientAuth.REQUEST);

    // WHEN clients trusting only the root connect with TLS 1.3 and with TLS 1.2, checking the host name
    // THEN both handshakes succeed and the request is answered
    assertThat(get(port, "TLSv1.3", null)).isEqualTo("TLSv1.3 no-client-cert");
    assertThat(get(port, "TLSv1.2", null)).isEqualTo("TLSv1.2 no-client-cert");
  }

  @Test
  void requiredClientAuthAcceptsADeviceCertificateFromTheTrustAnchors() throws Exception {
    // GIVEN a server requiring client certificates from the platform root, and an issued device certificate
    int port = startServer(ClientAuth.REQUIRED);
    var deviceKey = KeyPairs.ecP256();
    X509Certificate device = TestPki.authority(pki).issue(deviceKey.getPublic(), "dev-tls", java.time.Duration.ofDays(1));
    KeyStore keys = KeyStore.getInstance("PKCS12");
    keys.load(null, null);
    keys.setKeyEntry("device", deviceKey.getPrivate(), new char[0], new X509Certificate[] {device, pki.issuingCertificate()});

    // WHEN the device connects THEN the server sees its certificate
    assertThat(get(port, "TLSv1.3", keys)).isEqualTo("TLSv1.3 CN=dev-tls");
    // AND a client without certificate is refused
    assertThatThrownBy(() -> get(port, "TLSv1.3", null)).isInstanceOf(IOException.class);
  }

  @Test
  void refusesTls11() throws Exception {
    assumeTrue(Openssl.available(), "openssl not on PATH");
    // GIVEN the server
    int port = startServer(ClientAuth.REQUEST);

    // WHEN openssl offers only TLS 1.1 (security level 0 so that openssl itself allows it)
    var tls11 = Openssl.run(null, "s_client", "-connect", "127.0.0.1:" + port, "-tls1_1", "-cipher", "DEFAULT@SECLEVEL=0");
    // AND, as a control, only TLS 1.2
    var tls12 = Openssl.run(null, "s_client", "-connect", "127.0.0.1:" + port, "-tls1_2",
        "-CAfile", pki.layout().rootCaPem().toString());

    // THEN the TLS 1.1 handshake fails with a protocol alert from the server, the TLS 1.2 one succeeds
    assertThat(tls11.exitCode()).as(tls11.output()).isNotZero();
    assertThat(tls11.output()).contains("CONNECTED").contains("alert protocol version"); // alert 70 sent by the server
    assertThat(tls12.output()).contains("Verify return code: 0 (ok)").contains("Protocol  : TLSv1.2");
  }

  @Test
  void theOpenSslEngineServesTheSameTlsAndSeesTheClientCertificate() throws Exception {
    // GIVEN the BoringSSL engine (pki.tlsEngine=openssl) requiring client certificates
    int port = startServer(ClientAuth.REQUIRED, "openssl");
    var keys = KeyPairs.ecP256();
    X509Certificate device = TestPki.authority(pki).issue(keys.getPublic(), "dev-ossl", java.time.Duration.ofDays(1));
    KeyStore clientKeys = KeyStore.getInstance("PKCS12");
    clientKeys.load(null, null);
    clientKeys.setKeyEntry("device", keys.getPrivate(), new char[0],
        new java.security.cert.Certificate[] {device, pki.issuingCertificate()});
    // THEN TLS 1.3 and 1.2 clients trusting the root get through with their certificate seen
    assertThat(get(port, "TLSv1.3", clientKeys)).isEqualTo("TLSv1.3 CN=dev-ossl");
    assertThat(get(port, "TLSv1.2", clientKeys)).isEqualTo("TLSv1.2 CN=dev-ossl");
    assertThatThrownBy(() -> TlsServerOptions.engine(new HttpServerOptions(), "libressl"))
        .hasMessageContaining("auto, openssl or jdk");
  }

  @Test
  void clientAuthWithoutTrustAnchorsIsAConfigurationError() {
    assertThatThrownBy(() -> TlsServerOptions.apply(new HttpServerOptions(), pki.serverTls(), ClientAuth.REQUIRED, List.of()))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("needs trust anchors");
    HttpServerOptions options = TlsServerOptions.apply(new HttpServerOptions(), pki.serverTls(), ClientAuth.NONE, List.of());
    assertThat(options.getEnabledSecureTransportProtocols()).containsExactlyInAnyOrder("TLSv1.2", "TLSv1.3");
    assertThat(options.isSsl()).isTrue();
  }

  private int startServer(ClientAuth clientAuth) throws Exception {
    return startServer(clientAuth, "jdk");
  }

  private int startServer(ClientAuth clientAuth, String engine) throws Exception {
    HttpServerOptions options = TlsServerOptions.engine(TlsServerOptions.apply(
        new HttpServerOptions().setHost("127.0.0.1").setPort(0),
        pki.serverTls(), clientAuth, List.of(pki.rootCertificate())), engine);
    HttpServer server = vertx.createHttpServer(options).requestHandler(request -> {
      String client;
      try {
        client = request.connection().isSsl() && request.connection().peerCertificates() != null
            ? ((X509Certificate) request.connection().sslSession().getPeerCertificates()[0]).getSubjectX500Principal().getName()
            : "no-client-cert";
      } catch (Exception e) {
        client = "no-client-cert";
      }
      request.response().end(request.connection().sslSession().getProtocol() + " " + client);
    });
    return await(server.listen()).actualPort();
  }

  /** A blocking HTTPS GET with a JDK client that trusts only the platform root and checks the host name. */
  private String get(int port, String protocol, KeyStore clientKeys) throws Exception {
    KeyStore trust = KeyStore.getInstance("PKCS12");
    trust.load(null, null);
    trust.setCertificateEntry("root", pki.rootCertificate());
    TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(trust);
    KeyManagerFactory kmf = null;
    if (clientKeys != null) {
      kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
      kmf.init(clientKeys, new char[0]);
    }
    SSLContext context = SSLContext.getInstance("TLS");
    context.init(kmf == null ? null : kmf.getKeyManagers(), tmf.getTrustManagers(), null);
    try (SSLSocket socket = (SSLSocket) context.getSocketFactory().createSocket("127.0.0.1", port)) {
      socket.setSoTimeout(5000);
      socket.setEnabledProtocols(new String[] {protocol});
      SSLParameters parameters = socket.getSSLParameters();
      parameters.setEndpointIdentificationAlgorithm("HTTPS"); // the IP SAN 127.0.0.1 must match
      socket.setSSLParameters(parameters);
      socket.startHandshake();
      socket.getOutputStream().write("GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      socket.getOutputStream().flush();
      InputStream in = socket.getInputStream();
      String response = new String(in.readAllBytes(), StandardCharsets.US_ASCII);
      assertThat(response).startsWith("HTTP/1.1 200");
      return response.substring(response.indexOf("\r\n\r\n") + 4);
    }
  }

  private static <T> T await(Future<T> future) throws Exception {
    return future.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }
}
