package io.zto.shared.pki;

import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;

/**
 * A device CA as a factory or a customer runs one: a manufacturer CA issuing IEEE 802.1AR IDevIDs (with
 * a HardwareModuleName) or a customer CA issuing LDevIDs (subject serialNumber = device id). zto does
 * not need one to operate; the factory tool, the fleet simulator and the tests use it to make devices.
 * EC P-256 throughout, signed with Bouncy Castle's lightweight API.
 */
public final class FactoryCa {

  /** hwType of the HardwareModuleNames this CA puts into IDevIDs unless told otherwise. */
  public static final String DEFAULT_HW_TYPE = "1.3.6.1.4.1.6175.10.1";
  /** Validity of the device certificates it issues. */
  public static final Duration DEFAULT_DEVICE_VALIDITY = Duration.ofDays(3650);

  private final X509Certificate certificate;
  private final PrivateKey key;

  private FactoryCa(X509Certificate certificate, PrivateKey key) {
    this.certificate = Objects.requireNonNull(certificate);
    this.key = Objects.requireNonNull(key);
  }

  /** A new self-signed CA named {@code CN=<commonName>, O=<organization>}, valid 20 years. */
  public static FactoryCa create(String commonName, String organization) {
    KeyPair keyPair = KeyPairs.ecP256();
    X500Name subject = new X500NameBuilder(BCStyle.INSTANCE).addRDN(BCStyle.O, organization)
        .addRDN(BCStyle.CN, commonName).build();
    X509Certificate certificate = new CertificateBuilder()
        .subject(subject)
        .publicKey(keyPair.getPublic())
        .selfSigned(SigningKey.of(keyPair.getPrivate()))
        .validity(Instant.now().minus(Duration.ofMinutes(5)), Duration.ofDays(7300))
        .ca(1)
        .keyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign)
        .build();
    return new FactoryCa(certificate, keyPair.getPrivate());
  }

  /**
   * A CA under this one (a customer's line or plant CA: root -> line CA -> devices), path length 0, valid
   * 10 years. Devices it issues present it in their TLS chain.
   */
  public FactoryCa intermediate(String commonName, String organization) {
    KeyPair keyPair = KeyPairs.ecP256();
    X500Name subject = new X500NameBuilder(BCStyle.INSTANCE).addRDN(BCStyle.O, organization)
        .addRDN(BCStyle.CN, commonName).build();
    X509Certificate issued = new CertificateBuilder()
        .subject(subject)
        .publicKey(keyPair.getPublic())
        .issuer(certificate, SigningKey.of(key))
        .validity(Instant.now().minus(Duration.ofMinutes(5)), Duration.ofDays(3650))
        .ca(0)
        .keyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign)
        .build();
    return new FactoryCa(issued, keyPair.getPrivate());
  }

  /** An existing CA, e.g. read back from the factory tool's output. */
  public static FactoryCa of(X509Certificate certificate, PrivateKey key) {
    return new FactoryCa(certificate, key);
  }

  public X509Certificate certificate() {
    return certificate;
  }

  public PrivateKey key() {
    return key;
  }

  /** A certificate with its key pair. */
  public record Issued(X509Certificate certificate, KeyPair keyPair) {}

  /** An LDevID with subject {@code serialNumber=<deviceId>, CN=Gateway}. */
  public Issued ldevid(String deviceId) {
    return issue(name(BCStyle.SERIALNUMBER, deviceId, "Gateway"), null, null);
  }

  /** As {@link #ldevid(String)}, for a key pair made beforehand (the fleet simulator's key pool). */
  public Issued ldevid(String deviceId, KeyPair keyPair) {
    return issue(name(BCStyle.SERIALNUMBER, deviceId, "Gateway"), null, null, keyPair);
  }

  /** An IDevID with subject {@code serialNumber=<serialNumber>} and a HardwareModuleName SAN with {@code hwSerial}. */
  public Issued idevid(String serialNumber, String hwSerial) {
    return issue(name(BCStyle.SERIALNUMBER, serialNumber, "Gateway IDevID"), DEFAULT_HW_TYPE,
        hwSerial.getBytes(StandardCharsets.US_ASCII));
  }

  /**
   * A client certificate for any subject.
   *
   * @param hwType with {@code hwSerial}: the HardwareModuleName SAN to include; both null for none
   */
  public Issued issue(X500Name subject, String hwType, byte[] hwSerial) {
    return issue(subject, hwType, hwSerial, KeyPairs.ecP256());
  }

  /** As above, for the given key pair. */
  public Issued issue(X500Name subject, String hwType, byte[] hwSerial, KeyPair keyPair) {
    CertificateBuilder builder = new CertificateBuilder()
        .subject(subject)
        .publicKey(keyPair.getPublic())
        .issuer(certificate, SigningKey.of(key))
        .validity(Instant.now().minus(Duration.ofMinutes(5)), DEFAULT_DEVICE_VALIDITY)
        .keyUsage(KeyUsage.digitalSignature)
        .extendedKeyUsage(KeyPurposeId.id_kp_clientAuth);
    if (hwSerial != null) {
      builder.subjectAltName(DeviceIds.hardwareModuleNameSan(hwType, hwSerial));
    }
    return new Issued(builder.build(), keyPair);
  }

  private static X500Name name(ASN1ObjectIdentifier serialType, String serial, String commonName) {
    return new X500NameBuilder(BCStyle.INSTANCE).addRDN(BCStyle.CN, commonName).addRDN(serialType, serial).build();
  }
}
