package io.zto.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import io.zto.shared.config.ZtoConfig;
import io.zto.shared.domain.Device;
import io.zto.shared.domain.IssuedCertificate;
import io.zto.shared.store.CertificateRepository;
import io.zto.shared.store.DeviceRepository;
import io.zto.shared.testing.Await;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The operator API never revokes or blocks by itself: without a node of the crl role (the revocation
 * service) it answers 503 with a reason, and nothing is changed.
 */
class RevocationWithoutCrlRoleTest {

  private static final HttpClient HTTP = HttpClient.newHttpClient();

  @TempDir
  static Path dataDir;
  private static Node node;

  @BeforeAll
  static void start() {
    node = Await.result(Node.start(ZtoConfig.of(Map.of("dataDir", dataDir.toString(), "roles", "provisioning",
        "http.port", "0"))));
  }

  @AfterAll
  static void stop() {
    Await.result(node.stop());
  }

  @Test
  void withoutTheCrlRoleRevokingAndDisablingAre503AndChangeNothing() throws Exception {
    // GIVEN a provisioned device with a valid certificate
    Instant now = Instant.now();
    CertificateRepository certificates = new CertificateRepository(node.platform().db());
    Await.result(certificates.insert(new IssuedCertificate("0abc", "lonely-1", "issuing", "CN=lonely-1", "default",
        "pk-0abc", "fp-0abc", now, now.plusSeconds(3600), new byte[] {0x30, 0x00}, IssuedCertificate.Status.VALID,
        null, null, now)));
    DeviceRepository devices = new DeviceRepository(node.platform().db());
    Await.result(devices.upsert(Device.seen("lonely-1", "default", Device.State.PROVISIONED)));
    // WHEN an operator revokes the certificate and disables the device on a node no crl role answers
    HttpResponse<String> revoke = call("POST", "/api/v1/certificates/0abc/revoke", "{\"reason\": \"keyCompromise\"}");
    HttpResponse<String> disable = call("POST", "/api/v1/devices/lonely-1/disable", null);
    // THEN both are 503 saying why
    for (HttpResponse<String> response : java.util.List.of(revoke, disable)) {
      assertThat(response.statusCode()).as(response.body()).isEqualTo(503);
      assertThat(new JsonObject(response.body()).getString("message")).contains("no node of the crl role");
    }
    // AND nothing changed
    assertThat(Await.result(certificates.get("0abc")).orElseThrow().status()).isEqualTo(IssuedCertificate.Status.VALID);
    assertThat(Await.result(devices.get("lonely-1")).orElseThrow().state()).isEqualTo(Device.State.PROVISIONED);
  }

  private static HttpResponse<String> call(String method, String path, String body) throws Exception {
    String token = Files.readString(dataDir.resolve("admin-token")).strip();
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.httpPort() + path))
        .header("Authorization", "Bearer " + token);
    request = body == null ? request.method(method, HttpRequest.BodyPublishers.noBody())
        : request.header("Content-Type", "application/json").method(method, HttpRequest.BodyPublishers.ofString(body));
    return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }
}
