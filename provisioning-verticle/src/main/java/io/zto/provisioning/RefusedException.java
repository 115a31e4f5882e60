package io.zto.provisioning;

/** A provisioning request the platform refuses; the message is the reason the device and the audit get. */
final class RefusedException extends RuntimeException {

  RefusedException(String reason) {
    super(reason, null, false, false);
  }
}
