package io.zto.simulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jwt.SignedJWT;
import io.vertx.core.json.JsonObject;
import io.zto.shared.pki.DeviceIds;
import io.zto.shared.pki.Pem;
import io.zto.shared.testing.ChildProcess;
import io.zto.shared.testing.TestPki;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.security.interfaces.ECPublicKey;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FactoryToolTest {

  @TempDir
  Path tmp;

  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();

  @Test
  void makesDevicesThatOpensslVerifiesAndFactoryConfigsThatPointAtThePlatform() throws Exception {
    // GIVEN a platform data dir
    Path platform = tmp.resolve("zto-data");
    TestPki.create(platform);
    Path factory = tmp.resolve("factory");
    // WHEN three devices are made
    int code = run("--out", factory.toString(), "--count", "3", "--platform-data-dir", platform.toString(),
        "--provisioning-url", "mqtts://zto.example.test:8884");
    assertThat(code).as(err.toString()).isZero();
    // THEN each has an LDevID of the customer CA and an IDevID with a HardwareModuleName, keys owner-only
    Path device = factory.resolve("devices/gw-000002");
    assertThat(sh("openssl verify -CAfile " + factory.resolve("customer-ca.pem") + " " + device.resolve("ldevid.pem")))
        .contains("OK");
    assertThat(sh("openssl verify -CAfile " + factory.resolve("manufacturer-ca.pem") + " " + device.resolve("idevid.pem")))
        .contains("OK");
    assertThat(sh("openssl x509 -noout -text -in " + device.resolve("idevid.pem"))).contains("1.3.6.1.5.5.7.8.4");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(device.resolve("ldevid-key.pem"))))
        .isEqualTo("rw-------");
    // AND the factory config names the device, the listener and the platform's credentials and root
    FactoryConfig config = FactoryConfig.read(device.resolve("factory.json"));
    X509Certificate ldevid = Pem.readCertificate(Files.readString(config.ldevidCertificate()));
    assertThat(DeviceIds.fromCertificate(ldevid).value()).isEqualTo("gw-000002").isEqualTo(config.deviceId());
    assertThat(config.provisioningUrl()).isEqualTo("mqtts://zto.example.test:8884");
    assertThat(config.username()).isEqualTo("zto-provisioning");
    assertThat(config.trustAnchorsPem()).isEqualTo(Files.readString(platform.resolve("root-ca.pem")));
    Pem.readPrivateKey(Files.readString(config.ldevidKey()));
    // AND it names the IDevID key, so the agent can prove its IDevID: the proof verifies with idevid.pem
    SignedJWT proof = SignedJWT.parse(Idevid.of(config).proof("r-1", config.deviceId(), ldevid, Instant.now()));
    X509Certificate idevid = Pem.readCertificate(Files.readString(device.resolve("idevid.pem")));
    assertThat(config.idevidKey()).isEqualTo(device.resolve("idevid-key.pem"));
    assertThat(proof.verify(new ECDSAVerifier((ECPublicKey) idevid.getPublicKey()))).isTrue();
    assertThat(IdevidProofTest.leafOf(proof)).isEqualTo(idevid);
    // AND an import file lists them
    assertThat(Files.readAllLines(factory.resolve("enrollments.jsonl"))).hasSize(3)
        .allMatch(line -> line.contains("\"approval\":\"auto\""));
  }

  @Test
  void aFactoryConfigThatNamesAnIdevidWithoutItsKeyIsAClearError() throws Exception {
    // GIVEN a factory config whose idevid lacks the key (the device could not prove its IDevID)
    Path file = tmp.resolve("factory.json");
    Files.writeString(file, new JsonObject()
        .put("deviceId", "gw-1").put("provisioning", new JsonObject().put("url", "mqtts://h:8884"))
        .put("ldevid", new JsonObject().put("certificate", "l.pem").put("key", "l-key.pem"))
        .put("idevid", new JsonObject().put("certificate", "i.pem")).encode());
    // THEN reading it names what is missing
    assertThatThrownBy(() -> FactoryConfig.read(file))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("lacks idevid.key");
  }

  @Test
  void badArgumentsAndAMissingPlatformAreClearErrors() {
    assertThat(run("--count")).isEqualTo(2);
    assertThat(err.toString()).contains("unexpected argument '--count'");
    err.reset();
    assertThat(run("--out", tmp.resolve("f").toString(), "--platform-data-dir", tmp.resolve("none").toString()))
        .isEqualTo(1);
    assertThat(err.toString()).contains("provisioning-credentials.json");
  }

  private int run(String... args) {
    return FactoryTool.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8));
  }

  private static String sh(String command) {
    ChildProcess.Result result = ChildProcess.run(new ProcessBuilder("bash", "-c", command).redirectErrorStream(true),
        "", Duration.ofSeconds(30));
    assertThat(result.exitCode()).as(result.output()).isZero();
    return result.output();
  }
}
