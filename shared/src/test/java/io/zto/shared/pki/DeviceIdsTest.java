package io.zto.shared.pki;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.security.MessageDigest;
import java.util.HexFormat;

import org.bouncycastle.asn1.x500.X500Name;
import org.junit.jupiter.api.Test;

import io.zto.shared.testing.DeviceIdentities;
import io.zto.shared.testing.DeviceIdentity;

class DeviceIdsTest {

  private static final DeviceIdentities IDS = DeviceIdentities.create();

  @Test
  void subjectSerialNumberIsTheDeviceIdWhenPresent() {
    DeviceIdentity device = IDS.ldevid("dev-0001");
    DeviceId id = DeviceIds.fromCertificate(device.certificate());
    assertThat(id.value()).isEqualTo("dev-0001");
    assertThat(id.source()).isEqualTo(DeviceId.Source.SUBJECT_SERIAL_NUMBER);
  }

  @Test
  void commonNameIsTheDeviceIdWithoutSerialNumber() {
    DeviceId id = DeviceIds.fromCertificate(IDS.ldevidCnOnly("GW_42.a").certificate());
    assertThat(id.value()).isEqualTo("GW_42.a");
    assertThat(id.source()).isEqualTo(DeviceId.Source.COMMON_NAME);
  }

  @Test
  void invalidDeviceIdsAreRefusedWithAReason() {
    assertThatThrownBy(() -> DeviceIds.fromCertificate(IDS.ldevid(new X500Name("CN=dev/1")).certificate()))
        .isInstanceOf(InvalidDeviceIdException.class)
        .hasMessage("The subject CN 'dev/1' contains characters other than letters, digits, '.', '_' and '-' (first offender: '/')");
    assertThatThrownBy(() -> DeviceIds.fromCertificate(IDS.ldevid("x".repeat(65)).certificate()))
        .hasMessage("The subject serialNumber is 65 characters long; a device id may have at most 64");
    assertThatThrownBy(() -> DeviceIds.fromCertificate(IDS.ldevid(new X500Name("O=Acme")).certificate()))
        .hasMessageContaining("has neither a serialNumber nor a CN");
    assertThatThrownBy(() -> DeviceIds.fromSubject(new X500Name("CN=a,CN=b")))
        .hasMessageContaining("2 CN attributes");
    assertThatThrownBy(() -> DeviceIds.requireValid("gerät", "device id"))
        .hasMessageContaining("first offender: 'ä'");
    assertThat(DeviceIds.isValid("x".repeat(64))).isTrue();
    assertThat(DeviceIds.isValid("")).isFalse();
  }

  @Test
  void idevidHardwareModuleNameSerialIsExtracted() {
    DeviceIdentity idevid = IDS.idevid("SN-123", "HW-4711");
    HardwareModuleName hmn = DeviceIds.hardwareModuleName(idevid.certificate()).orElseThrow();
    assertThat(hmn.serialText()).isEqualTo("HW-4711");
    assertThat(hmn.hwType()).isEqualTo(DeviceIdentities.TEST_HW_TYPE);
    assertThat(DeviceIds.subjectSerialNumber(idevid.certificate())).contains("SN-123");
    assertThat(DeviceIds.hardwareModuleName(IDS.ldevid("dev-1").certificate())).isEmpty();
    assertThat(new HardwareModuleName("1.2.3", new byte[] {0, (byte) 0xff}).serialText()).isEqualTo("00ff");
  }

  @Test
  void fingerprintIsLowercaseHexSha256OfDer() throws Exception {
    DeviceIdentity device = IDS.ldevid("dev-1");
    String expected = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(device.certificate().getEncoded()));
    assertThat(Fingerprints.sha256(device.certificate())).isEqualTo(expected).matches("[0-9a-f]{64}");
    assertThat(Fingerprints.publicKeySha256(device.certificate()))
        .isEqualTo(Fingerprints.sha256(device.keyPair().getPublic().getEncoded()));
  }

  @Test
  void identitiesChainToTheirCas() throws Exception {
    DeviceIdentity device = IDS.ldevid("dev-1");
    device.certificate().verify(IDS.ldevidCa().getPublicKey());
    assertThat(device.chain()).containsExactly(device.certificate(), IDS.ldevidCa());
    assertThat(Pem.readPrivateKey(device.keyPem()).getEncoded()).isEqualTo(device.key().getEncoded());
    IDS.idevid("s", "h").certificate().verify(IDS.idevidCa().getPublicKey());
  }
}
