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
  /** CA certificates above the issuing CAs (for identities issued by an intermediate), nearest first. */
  private final List<X509Certificate> ldevidParents;
  private final List<X509Certificate> idevidParents;

  private DeviceIdentities(FactoryCa ldevidCa, FactoryCa idevidCa) {
    this(ldevidCa, idevidCa, List.of(), List.of());
  }

  private DeviceIdentities(FactoryCa ldevidCa, FactoryCa idevidCa, List<X509Certificate> ldevidParents,
                           List<X509Certificate> idevidParents) {
    this.ldevidCa = ldevidCa;
    this.idevidCa = idevidCa;
    this.ldevidParents = List.copyOf(ldevidParents);
    this.idevidParents = List.copyOf(idevidParents);
  }

  /**
   * Identities issued by a new intermediate CA under this customer CA and one under this manufacturer CA
   * (root -> line CA -> device): the roots stay the anchors to register, and each identity's
   * {@link DeviceIdentity#chain()} is device, intermediate, root. {@link #ldevidCa()} is then the intermediate.
   */
  public DeviceIdentities underIntermediates(String name) {
    FactoryCa ldevidLine = ldevidCa.intermediate(name + " LDevID Line CA", "Customer");
    FactoryCa idevidLine = idevidCa.intermediate(name + " IDevID Line CA", "Manufacturer");
    List<X509Certificate> ldevidAbove = new java.util.ArrayList<>(List.of(ldevidCa.certificate()));
    ldevidAbove.addAll(ldevidParents);
    List<X509Certificate> idevidAbove = new java.util.ArrayList<>(List.of(idevidCa.certificate()));
    idevidAbove.addAll(idevidParents);
    return new DeviceIdentities(ldevidLine, idevidLine, ldevidAbove, idevidAbove);
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
    return identity(ldevidCa, ldevidCa.ldevid(deviceId), ldevidParents);
  }

  /** An LDevID with only {@code CN=<deviceId>} (no serialNumber). */
  public DeviceIdentity ldevidCnOnly(String deviceId) {
    return identity(ldevidCa, ldevidCa.issue(new X500NameBuilder(BCStyle.INSTANCE).addRDN(BCStyle.CN, deviceId).build(),
        null, null), ldevidParents);
  }

  /** An LDevID with any subject, e.g. an invalid device id. */
  public DeviceIdentity ldevid(X500Name subject) {
    return identity(ldevidCa, ldevidCa.issue(subject, null, null), ldevidParents);
  }

  /** An IDevID with subject {@code serialNumber=<serialNumber>} and a HardwareModuleName SAN carrying {@code hwSerial}. */
  public DeviceIdentity idevid(String serialNumber, String hwSerial) {
    return identity(idevidCa, idevidCa.idevid(serialNumber, hwSerial), idevidParents);
  }

  private static DeviceIdentity identity(FactoryCa ca, FactoryCa.Issued issued, List<X509Certificate> parents) {
    List<X509Certificate> chain = new java.util.ArrayList<>(List.of(issued.certificate(), ca.certificate()));
    chain.addAll(parents);
    return new DeviceIdentity(issued.certificate(), issued.keyPair(), chain);
  }
}
