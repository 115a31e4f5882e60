package io.zto.deploy.est;

import static org.assertj.core.api.Assertions.assertThat;

import io.zto.deploy.est.EstTestNode.ProvisionedDevice;
import io.zto.shared.pki.Pem;
import io.zto.shared.testing.ChildProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The EST server driven by curl and openssl only (RFC 7030 appendix style), through
 * {@code est-verticle/src/test/scripts/est-curl-openssl.sh}: enroll, retry, wrong and replayed challenges,
 * no client certificate, garbage body, wrong media type, oversize body, re-enroll, revocation, the CRL.
 */
class EstCurlOpensslTest {

  private static final Path SCRIPT = Path.of("..", "est-verticle", "src", "test", "scripts", "est-curl-openssl.sh");

  @Test
  void curlAndOpensslEnrollReenrollAndAreRefusedWhereTheyShouldBe(@TempDir Path dataDir, @TempDir Path work)
      throws Exception {
    // GIVEN a node and a provisioned device whose LDevID and challenge are files, as on a gateway
    try (EstTestNode node = EstTestNode.start(dataDir, null, null)) {
      ProvisionedDevice device = node.provision("curl-dev-1");
      Path chain = work.resolve("ldevid-chain.pem");
      Path key = work.resolve("ldevid-key.pem");
      Files.writeString(chain, Pem.encode(device.ldevid().chain()));
      Files.writeString(key, device.ldevid().keyPem());
      Path scratch = Files.createDirectory(work.resolve("scratch"));
      // WHEN the script runs the whole session
      ProcessBuilder builder = new ProcessBuilder("bash", SCRIPT.toString()).redirectErrorStream(true);
      builder.environment().putAll(Map.of("EST", node.estBase(), "API", node.httpBase(), "TOKEN", node.adminToken(),
          "ROOT", node.rootPem().toString(), "LDEVID_CHAIN", chain.toString(), "LDEVID_KEY", key.toString(),
          "DEVICE", device.deviceId(), "CHALLENGE", device.challenge(), "WORK", scratch.toString()));
      ChildProcess.Result result = ChildProcess.run(builder, "", Duration.ofSeconds(120));
      // THEN every step passed
      assertThat(result.exitCode()).as(result.output()).isZero();
      assertThat(result.output()).contains("ALL EST CURL/OPENSSL CHECKS PASSED");
    }
  }
}
