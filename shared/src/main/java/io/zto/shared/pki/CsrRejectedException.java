package io.zto.shared.pki;

/**
 * A certificate request the platform will not certify. The message is the reason, written for the
 * person who built the device (EST answers it as a 400 text body).
 */
public class CsrRejectedException extends RuntimeException {

  public CsrRejectedException(String reason) {
    super(reason);
  }

  public CsrRejectedException(String reason, Throwable cause) {
    super(reason, cause);
  }

  /** The reason, same as {@link #getMessage()}. */
  public String reason() {
    return getMessage();
  }
}
