package io.zto.shared.pki;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.zto.shared.testing.DeviceIdentities;
import io.zto.shared.testing.DeviceIdentity;
import io.zto.shared.testing.TestPki;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class ChainVerifierTest {

  private static final DeviceIdentities FACTORY = DeviceIdentities.create();

  @Test
  void ldevidChainsToItsCustomerCa() {
    DeviceIdentity device = FACTORY.ldevid("dev-1");
    X509Certificate anchor = ChainVerifier.verify(List.of(device.certificate()), List.of(FACTORY.idevidCa(),
        FACTORY.ldevidCa()), Instant.now());
    assertThat(anchor).isEqualTo(FACTORY.ldevidCa());
  }

  @Test
  void certificateOfAnotherCaIsRefusedWithItsIssuerNamed() {
    DeviceIdentity idevid = FACTORY.idevid("SN-1", "HW-1");
    assertThatThrownBy(() -> ChainVerifier.verify(List.of(idevid.certificate()), List.of(FACTORY.ldevidCa()), Instant.now()))
        .isInstanceOf(UntrustedCertificateException.class)
        .hasMessageContaining("does not chain to a trusted CA");
  }

  @Test
  void forgedIssuerNameWithAnotherKeyIsRefused() {
    // GIVEN a second customer CA whose certificates carry the same issuer name pattern but another key
    DeviceIdentities other = DeviceIdentities.create();
    DeviceIdentity stranger = other.ldevid("dev-1");
    assertThatThrownBy(() -> ChainVerifier.verify(List.of(stranger.certificate()), List.of(FACTORY.ldevidCa()), Instant.now()))
        .isInstanceOf(UntrustedCertificateException.class)
        .hasMessageContaining("does not chain to a trusted CA")
        .hasMessageContaining("signature does not verify");
  }

  @Test
  void deviceSerialIsNamedReadablyInTheReason() {
    // GIVEN an IDevID (subject serialNumber) of a CA that is not trusted THEN the reason names the serial
    DeviceIdentity idevid = FACTORY.idevid("SN-7", "HW-7");
    assertThatThrownBy(() -> ChainVerifier.verify(List.of(idevid.certificate()), List.of(FACTORY.ldevidCa()), Instant.now()))
        .hasMessageContaining("serialNumber=SN-7")
        .hasMessageContaining("no trusted issuer");
  }

  @Test
  void expiredOrNotYetValidCertificatesAreRefused() {
    DeviceIdentity device = FACTORY.ldevid("dev-1");
    Instant afterExpiry = device.certificate().getNotAfter().toInstant().plusSeconds(1);
    assertThatThrownBy(() -> ChainVerifier.verify(List.of(device.certificate()), List.of(FACTORY.ldevidCa()), afterExpiry))
        .hasMessageContaining("expired");
    Instant beforeStart = device.certificate().getNotBefore().toInstant().minusSeconds(1);
    assertThatThrownBy(() -> ChainVerifier.verify(List.of(device.certificate()), List.of(FACTORY.ldevidCa()), beforeStart))
        .hasMessageContaining("not valid before");
  }

  @Test
  void presentedIntermediateLeadsToTheRoot() throws Exception {
    // GIVEN a device certificate of the platform's issuing CA, and only the root trusted
    var pki = TestPki.shared();
    KeyPair keys = KeyPairs.ecP256();
    X509Certificate leaf = TestPki.authority(pki).issue(keys.getPublic(), "dev-2", Duration.ofDays(1));
    // WHEN the client presents leaf + issuing CA THEN it chains to the root
    assertThat(ChainVerifier.verify(List.of(leaf, pki.issuingCertificate()), List.of(pki.rootCertificate()), Instant.now()))
        .isEqualTo(pki.rootCertificate());
    // AND without the intermediate it does not
    assertThatThrownBy(() -> ChainVerifier.verify(List.of(leaf), List.of(pki.rootCertificate()), Instant.now()))
        .isInstanceOf(UntrustedCertificateException.class);
  }

  @Test
  void noCertificateIsRefused() {
    assertThatThrownBy(() -> ChainVerifier.verify(List.of(), List.of(FACTORY.ldevidCa()), Instant.now()))
        .hasMessageContaining("no client certificate");
  }
}
