package io.zto.shared.pki;

/** A client certificate that does not chain to a trusted CA; the message says why. */
public class UntrustedCertificateException extends RuntimeException {

  public UntrustedCertificateException(String message) {
    super(message);
  }
}
