package io.zto.shared.pki;

import java.util.Arrays;
import java.util.HexFormat;

/**
 * RFC 4108 HardwareModuleName from an IEEE 802.1AR IDevID's SAN otherName (1.3.6.1.5.5.7.8.4):
 * {@code SEQUENCE { hwType OBJECT IDENTIFIER, hwSerialNum OCTET STRING }}.
 *
 * @param hwType the hardware type OID in dotted form
 * @param serial the raw serial octets
 */
public record HardwareModuleName(String hwType, byte[] serial) {

  public HardwareModuleName {
    serial = serial.clone();
  }

  @Override
  public byte[] serial() {
    return serial.clone();
  }

  /**
   * The serial as text: the octets themselves when they are printable ASCII (the usual case),
   * else lowercase hex. This is the form recorded and matched as "IDevID serial".
   */
  public String serialText() {
    for (byte b : serial) {
      if (b < 0x20 || b > 0x7e) {
        return HexFormat.of().formatHex(serial);
      }
    }
    return new String(serial, java.nio.charset.StandardCharsets.US_ASCII);
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof HardwareModuleName h && hwType.equals(h.hwType) && Arrays.equals(serial, h.serial);
  }

  @Override
  public int hashCode() {
    return hwType.hashCode() * 31 + Arrays.hashCode(serial);
  }

  @Override
  public String toString() {
    return "HardwareModuleName[" + hwType + ", " + serialText() + "]";
  }
}
