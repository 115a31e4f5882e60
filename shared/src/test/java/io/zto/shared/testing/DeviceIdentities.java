package io.zto.shared.testing;

import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;

import io.zto.shared.pki.CertificateBuilder;
import io.zto.shared.pki.DeviceIds;
import io.zto.shared.pki.KeyPairs;
import io.zto.shared.pki.Pem;
import io.zto.shared.pki.SigningKey;

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
  public static final String TEST_HW_TYPE = "1.3.6.1.4.1.6175.10.1";

  private final DeviceIdentity ldevidCa;
  private final DeviceIdentity idevidCa;

  private DeviceIdentities(DeviceIdentity ldevidCa, DeviceIdentity idevidCa) {
    this.ldevidCa = ldevidCa;
    this.idevidCa = idevidCa;
  }

  /** New customer LDevID CA and manufacturer IDevID CA. */
  public static DeviceIdentities create() {
    return new DeviceIdentities(
        selfSignedCa(name(BCStyle.CN, "Test Customer LDevID CA", BCStyle.O, "Customer")),
        selfSignedCa(name(BCStyle.CN, "Test Manufacturer IDevID CA", BCStyle.O, "Manufacturer")));
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
    return issue(ldevidCa, name(BCStyle.SERIALNUMBER, deviceId, BCStyle.CN, "Gateway"), null);
  }

  /** An LDevID with only {@code CN=<deviceId>} (no serialNumber). */
  public DeviceIdentity ldevidCnOnly(String deviceId) {
    return issue(ldevidCa, new X500NameBuilder(BCStyle.INSTANCE).addRDN(BCStyle.CN, deviceId).build(), null);
  }

  /** An LDevID with any subject, e.g. an invalid device id. */
  public DeviceIdentity ldevid(X500Name subject) {
    return issue(ldevidCa, subject, null);
  }

  /** An IDevID with subject {@code serialNumber=<serialNumber>} and a HardwareModuleName SAN carrying {@code hwSerial}. */
  public DeviceIdentity idevid(String serialNumber, String hwSerial) {
    return issue(idevidCa, name(BCStyle.SERIALNUMBER, serialNumber, BCStyle.CN, "Gateway IDevID"),
        hwSerial.getBytes(StandardCharsets.US_ASCII));
  }

  private static DeviceIdentity issue(DeviceIdentity ca, X500Name subject, byte[] hwSerial) {
    KeyPair keyPair = KeyPairs.ecP256();
    Instant now = Instant.now();
    CertificateBuilder builder = new CertificateBuilder()
        .subject(subject)
        .publicKey(keyPair.getPublic())
        .issuer(ca.certificate(), SigningKey.of(ca.key()))
        .validity(now.minus(Duration.ofMinutes(5)), Duration.ofDays(365))
        .keyUsage(KeyUsage.digitalSignature)
        .extendedKeyUsage(KeyPurposeId.id_kp_clientAuth);
    if (hwSerial != null) {
      builder.subjectAltName(DeviceIds.hardwareModuleNameSan(TEST_HW_TYPE, hwSerial));
    }
    X509Certificate certificate = builder.build();
    return new DeviceIdentity(certificate, keyPair, List.of(certificate, ca.certificate()));
  }

  private static DeviceIdentity selfSignedCa(X500Name subject) {
    KeyPair keyPair = KeyPairs.ecP256();
    X509Certificate certificate = new CertificateBuilder()
        .subject(subject)
        .publicKey(keyPair.getPublic())
        .selfSigned(SigningKey.of(keyPair.getPrivate()))
        .validity(Instant.now().minus(Duration.ofMinutes(5)), Duration.ofDays(3650))
        .ca(1)
        .keyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign)
        .build();
    return new DeviceIdentity(certificate, keyPair, List.of(certificate));
  }

  private static X500Name name(ASN1ObjectIdentifier t1, String v1,
                               ASN1ObjectIdentifier t2, String v2) {
    return new X500NameBuilder(BCStyle.INSTANCE).addRDN(t2, v2).addRDN(t1, v1).build();
  }
}
