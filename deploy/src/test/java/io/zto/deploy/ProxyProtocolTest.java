package io.zto.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.zto.shared.config.ZtoConfig;
import io.zto.shared.testing.Await;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Behind a TCP load balancer that sends a PROXY protocol v2 header ({@code mqtt.proxyProtocol}), the audit
 * log names the device's address, not the balancer's; a client that connects without the header gets nothing.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ProxyProtocolTest {

  private Node node;
  private OperatorClient operator;

  @BeforeAll
  void start(@TempDir Path tmp) throws Exception {
    Map<String, String> settings = new HashMap<>();
    settings.put("dataDir", tmp.resolve("zto-data").toString());
    for (String port : new String[] {"http.port", "est.port", "mqtt.operational.port", "mqtt.provisioning.port"}) {
      settings.put(port, Integer.toString(freePort()));
    }
    settings.put("mqtt.proxyProtocol", "true");
    node = Await.result(Node.start(ZtoConfig.of(settings)));
    operator = new OperatorClient("http://127.0.0.1:" + node.httpPort(),
        Files.readString(tmp.resolve("zto-data/admin-token")).strip());
  }

  @AfterAll
  void stop() {
    if (node != null) {
      Await.result(node.stop());
    }
  }

  @Test
  void refusedConnectBehindTheBalancerIsAuditedWithTheDevicesAddress() throws Exception {
    int port = node.platform().config().mqtt().operational().port();
    // GIVEN a connection whose PROXY header says it comes from 203.0.113.7
    try (SSLSocket tls = behindProxy("203.0.113.7", 40001, port)) {
      // WHEN it sends a CONNECT with an unknown service account
      tls.getOutputStream().write(connect("backend-x", "nobody", "wrong"));
      tls.getOutputStream().flush();
      byte[] connack = tls.getInputStream().readNBytes(4);
      // THEN CONNACK refuses it (MQTT 3.1.1: bad user name or password)
      assertThat(connack).hasSize(4);
      assertThat(connack[0]).isEqualTo((byte) 0x20);
      assertThat(connack[3]).isEqualTo((byte) 4);
    }
    // AND the audit entry names the device's address
    assertThat(awaitAudit("mqtt.connect", "203.0.113.7")).isTrue();
  }

  @Test
  void clientWithoutTheHeaderGetsNoTlsSession() throws Exception {
    int port = node.platform().config().mqtt().operational().port();
    try (Socket raw = new Socket("127.0.0.1", port)) {
      raw.setSoTimeout(15_000);
      SSLSocket tls = (SSLSocket) TrustingTls.context(null).getSocketFactory().createSocket(raw, "localhost", port, true);
      assertThatThrownBy(tls::startHandshake).isInstanceOf(IOException.class);
    }
  }

  /** A TLS connection to {@code port} after a PROXY v2 header naming {@code source} as the client. */
  private static SSLSocket behindProxy(String source, int sourcePort, int port) throws Exception {
    Socket raw = new Socket("127.0.0.1", port);
    raw.setSoTimeout(15_000);
    raw.getOutputStream().write(proxyV2(source, sourcePort, port));
    raw.getOutputStream().flush();
    SSLSocket tls = (SSLSocket) TrustingTls.context(null).getSocketFactory().createSocket(raw, "localhost", port, true);
    tls.startHandshake();
    return tls;
  }

  /** The binary PROXY protocol v2 header of a TCP over IPv4 connection (HAProxy's proxy-protocol.txt 2.2). */
  static byte[] proxyV2(String source, int sourcePort, int destinationPort) throws IOException {
    ByteBuffer header = ByteBuffer.allocate(16 + 12);
    header.put(new byte[] {0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A});
    header.put((byte) 0x21); // version 2, PROXY command
    header.put((byte) 0x11); // TCP over IPv4
    header.putShort((short) 12);
    header.put(InetAddress.getByName(source).getAddress());
    header.put(InetAddress.getByName("127.0.0.1").getAddress());
    header.putShort((short) sourcePort);
    header.putShort((short) destinationPort);
    return header.array();
  }

  /** An MQTT 3.1.1 CONNECT with a clean session and user name and password. */
  private static byte[] connect(String clientId, String username, String password) {
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    writeString(body, "MQTT");
    body.write(4);
    body.write(0xC2); // user name, password, clean session
    body.write(0);
    body.write(30);
    writeString(body, clientId);
    writeString(body, username);
    writeString(body, password);
    ByteArrayOutputStream packet = new ByteArrayOutputStream();
    packet.write(0x10);
    packet.write(body.size());
    packet.writeBytes(body.toByteArray());
    return packet.toByteArray();
  }

  private static void writeString(ByteArrayOutputStream out, String value) {
    byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
    out.write(bytes.length >> 8);
    out.write(bytes.length & 0xFF);
    out.writeBytes(bytes);
  }

  private boolean awaitAudit(String action, String address) throws Exception {
    for (int i = 0; i < 100; i++) {
      JsonArray items = OperatorClient.json(operator.api("GET", "/api/v1/audit?limit=200", null, null))
          .getJsonArray("items");
      for (int j = 0; j < items.size(); j++) {
        JsonObject entry = items.getJsonObject(j);
        JsonObject details = entry.getJsonObject("details");
        if (action.equals(entry.getString("action")) && details != null
            && String.valueOf(details.getString("remote")).contains(address)) {
          return true;
        }
      }
      Thread.sleep(100);
    }
    return false;
  }

  private static int freePort() throws Exception {
    return ZtoProcess.freePorts(1)[0];
  }
}
