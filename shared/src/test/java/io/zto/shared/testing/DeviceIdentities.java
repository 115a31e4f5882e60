package io.zto.shared.testing;

import io.zto.shared.pki.FactoryCa;
import io.zto.shared.pki.Pem;
import java.security.cert.X509Certificate;
import java.util.List;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;

/**
 * Device identities for tests: a customer LDevID CA and a manufacturer IDevID CA (both EC P-256,
 * self-signed), and device certificates from them, signed with Bouncy Castle's lightweight API
 * (well under a millisecond each). Thread-safe.
 *
 * <pre>{@code
 * DeviceIdentities ids = DeviceIdentities.create();
 * DeviceIdentity dev = ids.ldevid("dev-0001");      // subject serialNumber=dev-0001, CN=Gateway
 * DeviceIdentity idev = ids.idevid("SN123", "HW-42"); // HardwareModuleName SAN with serial HW-42
 * }</pre>
 */
public final class DeviceIdentities {

  /** An arbitrary hwType for HardwareModuleName (the "example" arc of RFC 4108 tests). */
  public static final String TEST_HW_TYPE = FactoryCa.DEFAULT_HW_TYPE;

  private final FactoryCa ldevidCa;
  private final FactoryCa idevidCa;

  private DeviceIdentities(FactoryCa ldevidCa, FactoryCa idevidCa) {
    this.ldevidCa = ldevidCa;
    this.idevidCa = idevidCa;
  }

  /** New customer LDevID CA and manufacturer IDevID CA. */
  public static DeviceIdentities create() {
    return new DeviceIdentities(FactoryCa.create("Test Customer LDevID CA", "Customer"),
        FactoryCa.create("Test Manufacturer IDevID CA", "Manufacturer"));
  }

  /** The customer LDevID CA certificate (register it as a trust anchor of purpose ldevid). */
  public X509Certificate ldevidCa() {
    return ldevidCa.certificate();
  }

  /** The customer LDevID CA as PEM. */
  public String ldevidCaPem() {
    return Pem.encode(ldevidCa.certificate());
  }

  /** The manufacturer IDevID CA certificate (purpose idevid). */
  public X509Certificate idevidCa() {
    return idevidCa.certificate();
  }

  /** The manufacturer IDevID CA as PEM. */
  public String idevidCaPem() {
    return Pem.encode(idevidCa.certificate());
  }

  /** An LDevID with subject {@code serialNumber=<deviceId>, CN=Gateway}. */
  public DeviceIdentity ldevid(String deviceId) {
    return identity(ldevidCa, ldevidCa.ldevid(deviceId));
  }

  /** An LDevID with only {@code CN=<deviceId>} (no serialNumber). */
  public DeviceIdentity ldevidCnOnly(String deviceId) {
    return identity(ldevidCa, ldevidCa.issue(new X500NameBuilder(BCStyle.INSTANCE).addRDN(BCStyle.CN, deviceId).build(),
        null, null));
  }

  /** An LDevID with any subject, e.g. an invalid device id. */
  public DeviceIdentity ldevid(X500Name subject) {
    return identity(ldevidCa, ldevidCa.issue(subject, null, null));
  }

  /** An IDevID with subject {@code serialNumber=<serialNumber>} and a HardwareModuleName SAN carrying {@code hwSerial}. */
  public DeviceIdentity idevid(String serialNumber, String hwSerial) {
    return identity(idevidCa, idevidCa.idevid(serialNumber, hwSerial));
  }

  private static DeviceIdentity identity(FactoryCa ca, FactoryCa.Issued issued) {
    return new DeviceIdentity(issued.certificate(), issued.keyPair(), List.of(issued.certificate(), ca.certificate()));
  }
}
