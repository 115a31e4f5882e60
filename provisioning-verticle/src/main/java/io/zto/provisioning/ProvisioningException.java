package io.zto.provisioning;

/** A request the service cannot serve, with the HTTP-like status the bus failure carries. */
final class ProvisioningException extends RuntimeException {

  private final int status;

  ProvisioningException(int status, String message) {
    super(message, null, false, false);
    this.status = status;
  }

  int status() {
    return status;
  }
}
