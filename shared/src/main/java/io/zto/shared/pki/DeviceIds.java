package io.zto.shared.pki;

import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.ASN1OctetString;
import org.bouncycastle.asn1.ASN1Sequence;
import org.bouncycastle.asn1.ASN1TaggedObject;
import org.bouncycastle.asn1.DEROctetString;
import org.bouncycastle.asn1.DERSequence;
import org.bouncycastle.asn1.DERTaggedObject;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;

/**
 * Device identities from certificates (contract §2): the device id (subject serialNumber
 * 2.5.4.5 if present, else CN; {@code [A-Za-z0-9._-]}, 1 to 64 characters) and the IDevID
 * HardwareModuleName serial (RFC 4108).
 */
public final class DeviceIds {

  /** id-on-hardwareModuleName (RFC 4108). */
  public static final ASN1ObjectIdentifier HARDWARE_MODULE_NAME = new ASN1ObjectIdentifier("1.3.6.1.5.5.7.8.4");
  /** Longest allowed device id. */
  public static final int MAX_LENGTH = 64;

  private static final Pattern ALLOWED = Pattern.compile("[A-Za-z0-9._-]+");

  private DeviceIds() {
  }

  /**
   * The device id of {@code certificate}.
   *
   * @throws InvalidDeviceIdException if the subject has neither attribute, several values, or an invalid id
   */
  public static DeviceId fromCertificate(X509Certificate certificate) {
    return fromSubject(X500Name.getInstance(certificate.getSubjectX500Principal().getEncoded()));
  }

  /** The device id from a subject name (also used for CSR subjects). */
  public static DeviceId fromSubject(X500Name subject) {
    List<String> serials = Names.values(subject, BCStyle.SERIALNUMBER);
    if (serials.size() > 1) {
      throw new InvalidDeviceIdException("The subject has " + serials.size() + " serialNumber attributes; a device id needs exactly one");
    }
    if (serials.size() == 1) {
      return new DeviceId(requireValid(serials.get(0), "subject serialNumber"), DeviceId.Source.SUBJECT_SERIAL_NUMBER);
    }
    List<String> names = Names.values(subject, BCStyle.CN);
    if (names.isEmpty()) {
      throw new InvalidDeviceIdException("The subject '" + subject + "' has neither a serialNumber nor a CN to take the device id from");
    }
    if (names.size() > 1) {
      throw new InvalidDeviceIdException("The subject has " + names.size() + " CN attributes and no serialNumber; a device id needs exactly one");
    }
    return new DeviceId(requireValid(names.get(0), "subject CN"), DeviceId.Source.COMMON_NAME);
  }

  /** Whether {@code id} is a valid device id. */
  public static boolean isValid(String id) {
    return invalidReason(id, "device id").isEmpty();
  }

  /**
   * Returns {@code id} if valid.
   *
   * @param where where it came from, for the message (e.g. "subject CN")
   * @throws InvalidDeviceIdException with the reason otherwise
   */
  public static String requireValid(String id, String where) {
    invalidReason(id, where).ifPresent(reason -> {
      throw new InvalidDeviceIdException(reason);
    });
    return id;
  }

  /** Why {@code id} is not a valid device id, or empty if it is. */
  public static Optional<String> invalidReason(String id, String where) {
    if (id == null || id.isEmpty()) {
      return Optional.of("The " + where + " is empty; a device id needs 1 to " + MAX_LENGTH + " characters");
    }
    if (id.length() > MAX_LENGTH) {
      return Optional.of("The " + where + " is " + id.length() + " characters long; a device id may have at most " + MAX_LENGTH);
    }
    if (!ALLOWED.matcher(id).matches()) {
      return Optional.of("The " + where + " '" + printable(id) + "' contains characters other than"
          + " letters, digits, '.', '_' and '-' (first offender: " + describe(firstInvalid(id)) + ")");
    }
    return Optional.empty();
  }

  /** The subject serialNumber attribute (2.5.4.5) if there is exactly one, e.g. an IDevID's serial. */
  public static Optional<String> subjectSerialNumber(X509Certificate certificate) {
    return Names.single(X500Name.getInstance(certificate.getSubjectX500Principal().getEncoded()), BCStyle.SERIALNUMBER);
  }

  /**
   * The HardwareModuleName from the SAN otherName, if the certificate has one.
   *
   * @throws IllegalArgumentException if the SAN or the HardwareModuleName is malformed
   */
  public static Optional<HardwareModuleName> hardwareModuleName(X509Certificate certificate) {
    byte[] extension = certificate.getExtensionValue(Extension.subjectAlternativeName.getId());
    if (extension == null) {
      return Optional.empty();
    }
    try {
      GeneralNames names = GeneralNames.getInstance(ASN1OctetString.getInstance(extension).getOctets());
      for (GeneralName name : names.getNames()) {
        if (name.getTagNo() == GeneralName.otherName) {
          ASN1Sequence otherName = ASN1Sequence.getInstance(name.getName());
          if (HARDWARE_MODULE_NAME.equals(otherName.getObjectAt(0))) {
            ASN1Encodable value = ASN1TaggedObject.getInstance(otherName.getObjectAt(1)).getExplicitBaseObject();
            ASN1Sequence hmn = ASN1Sequence.getInstance(value);
            return Optional.of(new HardwareModuleName(
                ASN1ObjectIdentifier.getInstance(hmn.getObjectAt(0)).getId(),
                ASN1OctetString.getInstance(hmn.getObjectAt(1)).getOctets()));
          }
        }
      }
      return Optional.empty();
    } catch (RuntimeException e) {
      throw new IllegalArgumentException("Malformed subjectAltName/HardwareModuleName in certificate "
          + certificate.getSubjectX500Principal() + ": " + e.getMessage(), e);
    }
  }

  /** A SAN otherName entry carrying a HardwareModuleName, for issuing IDevIDs (tests, simulators). */
  public static GeneralName hardwareModuleNameSan(String hwTypeOid, byte[] serial) {
    var hmn = new DERSequence(new ASN1Encodable[] {
        new ASN1ObjectIdentifier(hwTypeOid), new DEROctetString(serial)});
    var otherName = new DERSequence(new ASN1Encodable[] {
        HARDWARE_MODULE_NAME, new DERTaggedObject(true, 0, hmn)});
    return new GeneralName(GeneralName.otherName, otherName);
  }

  private static int firstInvalid(String id) {
    return id.codePoints().filter(c -> !(c < 128 && ALLOWED.matcher(Character.toString(c)).matches())).findFirst().orElse('?');
  }

  private static String describe(int codePoint) {
    return Character.isISOControl(codePoint) || Character.isWhitespace(codePoint)
        ? String.format("U+%04X", codePoint)
        : "'" + Character.toString(codePoint) + "'";
  }

  private static String printable(String id) {
    StringBuilder out = new StringBuilder();
    id.codePoints().forEach(c -> out.append(Character.isISOControl(c) ? "?" : Character.toString(c)));
    return out.toString();
  }
}
