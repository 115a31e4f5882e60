package io.zto.broker;

import static org.assertj.core.api.Assertions.assertThat;

import io.zto.shared.bus.Addresses;
import io.zto.shared.bus.RevocationEvent;
import io.zto.shared.domain.Device;
import io.zto.shared.pki.Fingerprints;
import io.zto.shared.pki.Pem;
import io.zto.shared.pki.PlatformPki;
import io.zto.shared.testing.TestPki;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Revocation drops by what was verified (contract section 9): a certificate event drops the sessions whose
 * verified path holds that serial under that issuer, and a platform certificate's event also by device id
 * and serial; a serial listed by another CA drops nobody. mosquitto_sub (MQTT 5) holds the sessions.
 */
class RevocationDropsTest {

  private static final String PASSWORD = "drop-test-password";

  @TempDir
  static Path dir;
  static TestBroker broker;
  static PlatformPki pki;
  static OperationalDevices devices;

  @BeforeAll
  static void start() throws IOException {
    pki = TestPki.create(dir.resolve("data"));
    broker = TestBroker.start(pki, Map.of());
    devices = new OperationalDevices(pki, broker.platform.db(), broker.vertx, dir);
    for (String id : List.of("drop-1", "drop-2", "drop-3")) {
      devices.create(id, Device.State.PROVISIONED, PASSWORD);
    }
  }

  @AfterAll
  static void stop() {
    broker.close();
  }

  @Test
  void aSerialListedByAnotherCaDropsNobody() throws Exception {
    // GIVEN a device connected with its platform certificate
    Clients.Running session = connected("drop-1");
    // WHEN another CA's CRL lists the same serial (an event with that CA's fingerprint and no device)
    publish(new RevocationEvent(RevocationEvent.Kind.CERTIFICATE, RevocationEvent.Action.BLOCKED, serial("drop-1"),
        "00".repeat(32), null, "keyCompromise", Instant.now()));
    // THEN the session stays up
    Thread.sleep(1_000);
    assertThat(session.output()).doesNotContain("DISCONNECT");
    // WHEN the platform revokes it (serial and the issuing CA that verified it)
    publish(certificateEvent("drop-1", Fingerprints.sha256(pki.issuingCertificate()), null));
    // THEN it is dropped with 0x98 (administrative action)
    assertThat(session.await().out()).contains("Received DISCONNECT (152)").doesNotContain("Timed out");
  }

  @Test
  void aPlatformCertificateIsAlsoDroppedByDeviceIdAndSerial() throws Exception {
    // GIVEN a device connected with its platform certificate
    Clients.Running session = connected("drop-2");
    // WHEN its revocation names the device and serial, with an issuer fingerprint other than the one that
    // verified the session (the issuing CA's certificate renewed with the same key)
    publish(certificateEvent("drop-2", "ff".repeat(32), "drop-2"));
    // THEN it is dropped
    assertThat(session.await().out()).contains("Received DISCONNECT (152)").doesNotContain("Timed out");
  }

  @Test
  void anotherDevicesEventDropsNobody() throws Exception {
    // GIVEN a device connected
    Clients.Running session = connected("drop-3");
    // WHEN an event names its serial's issuer but another device, and another serial
    publish(new RevocationEvent(RevocationEvent.Kind.CERTIFICATE, RevocationEvent.Action.BLOCKED, "1234abcd",
        Fingerprints.sha256(pki.issuingCertificate()), "drop-3", "superseded", Instant.now()));
    // THEN the session stays up
    Thread.sleep(1_000);
    assertThat(session.output()).doesNotContain("DISCONNECT");
    session.kill();
  }

  private static Clients.Running connected(String id) {
    Clients.Running session = Clients.start(devices.tls("mosquitto_sub", broker.operationalPort(), id, "mqttv5", "-i",
        id, "-u", id, "-P", PASSWORD, "-t", "devices/" + id + "/commands/#", "-d", "-W", "20"));
    Clients.awaitOutput(session, "SUBACK");
    return session;
  }

  private static RevocationEvent certificateEvent(String id, String issuerFingerprint, String deviceId)
      throws IOException {
    return new RevocationEvent(RevocationEvent.Kind.CERTIFICATE, RevocationEvent.Action.BLOCKED, serial(id),
        issuerFingerprint, deviceId, "keyCompromise", Instant.now());
  }

  private static String serial(String id) throws IOException {
    X509Certificate certificate = Pem.readCertificate(Files.readString(dir.resolve(id + ".pem")));
    return certificate.getSerialNumber().toString(16);
  }

  private static void publish(RevocationEvent event) {
    broker.vertx.eventBus().publish(Addresses.REVOCATION_EVENTS, event.toJson());
  }
}
