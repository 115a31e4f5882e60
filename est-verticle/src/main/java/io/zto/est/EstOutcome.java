package io.zto.est;

import java.security.cert.X509Certificate;

/**
 * What an enrollment handler produced, for the audit log: the device, the certificate and whether it
 * was a retry answered with the certificate issued before.
 */
record EstOutcome(String deviceId, X509Certificate certificate, boolean retry) {

  String serial() {
    return certificate.getSerialNumber().toString(16);
  }
}
