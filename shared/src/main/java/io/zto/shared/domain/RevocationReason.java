package io.zto.shared.domain;

import java.util.Locale;

/** CRL reason codes of RFC 5280 §5.3.1 (value 7 is unused). */
public enum RevocationReason {
  UNSPECIFIED(0, "unspecified"),
  KEY_COMPROMISE(1, "keyCompromise"),
  CA_COMPROMISE(2, "cACompromise"),
  AFFILIATION_CHANGED(3, "affiliationChanged"),
  SUPERSEDED(4, "superseded"),
  CESSATION_OF_OPERATION(5, "cessationOfOperation"),
  CERTIFICATE_HOLD(6, "certificateHold"),
  REMOVE_FROM_CRL(8, "removeFromCRL"),
  PRIVILEGE_WITHDRAWN(9, "privilegeWithdrawn"),
  AA_COMPROMISE(10, "aACompromise");

  private final int code;
  private final String rfcName;

  RevocationReason(int code, String rfcName) {
    this.code = code;
    this.rfcName = rfcName;
  }

  /** The CRLReason value. */
  public int code() {
    return code;
  }

  /** The RFC 5280 name, e.g. {@code keyCompromise}. */
  public String rfcName() {
    return rfcName;
  }

  /** The reason for a CRLReason value. */
  public static RevocationReason fromCode(int code) {
    for (RevocationReason reason : values()) {
      if (reason.code == code) {
        return reason;
      }
    }
    throw new IllegalArgumentException("Unknown CRL reason code " + code);
  }

  /** Parses {@code keyCompromise}, {@code KEY_COMPROMISE} or {@code key-compromise} (case-insensitive). */
  public static RevocationReason parse(String name) {
    String normalized = name.replace("_", "").replace("-", "").toLowerCase(Locale.ROOT);
    for (RevocationReason reason : values()) {
      if (reason.rfcName.toLowerCase(Locale.ROOT).equals(normalized)) {
        return reason;
      }
    }
    throw new IllegalArgumentException("Unknown revocation reason '" + name + "'; one of: keyCompromise, cACompromise,"
        + " affiliationChanged, superseded, cessationOfOperation, certificateHold, removeFromCRL, privilegeWithdrawn,"
        + " aACompromise, unspecified");
  }
}
