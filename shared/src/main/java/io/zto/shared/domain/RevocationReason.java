package io.zto.shared.domain;

/** RFC 5280 §5.3.1 CRLReason, with its code and its name as the RFC spells it. */
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

  /** The name RFC 5280 gives it, e.g. {@code keyCompromise}. */
  public String rfcName() {
    return rfcName;
  }

  /** Reads the RFC name in any case, or the enum name ({@code KEY_COMPROMISE}). */
  public static RevocationReason parse(String text) {
    for (RevocationReason reason : values()) {
      if (reason.rfcName.equalsIgnoreCase(text) || reason.name().equalsIgnoreCase(text)) {
        return reason;
      }
    }
    throw new IllegalArgumentException("not an RFC 5280 revocation reason: " + text);
  }

  /** The reason of a CRLReason code. */
  public static RevocationReason ofCode(int code) {
    for (RevocationReason reason : values()) {
      if (reason.code == code) {
        return reason;
      }
    }
    throw new IllegalArgumentException("not an RFC 5280 revocation reason code: " + code);
  }
}
