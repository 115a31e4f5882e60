package io.zto.shared.pki;

/** A certificate (or string) that yields no valid device id; the message says why. */
public class InvalidDeviceIdException extends RuntimeException {

  public InvalidDeviceIdException(String reason) {
    super(reason);
  }

  /** The reason, same as {@link #getMessage()}. */
  public String reason() {
    return getMessage();
  }
}
