package io.zto.shared.pki;

/**
 * A device id read from a certificate (contract §2).
 *
 * @param value the id, already validated
 * @param source which subject attribute it came from
 */
public record DeviceId(String value, Source source) {

  /** Where the id was found. */
  public enum Source {
    /** subject serialNumber (2.5.4.5) */
    SUBJECT_SERIAL_NUMBER,
    /** subject commonName, used when there is no serialNumber */
    COMMON_NAME
  }

  @Override
  public String toString() {
    return value;
  }
}
