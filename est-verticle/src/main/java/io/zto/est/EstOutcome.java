package io.zto.est;

import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;
import java.security.cert.X509Certificate;
import java.util.List;

/**
 * What an enrollment handler produced: the device, the certificate, whether it was a retry answered with
 * the certificate issued before, and how to answer. {@link EstVerticle} audits it, then answers, so the
 * audit entry exists before the device sees the certificate.
 */
record EstOutcome(String deviceId, X509Certificate certificate, boolean retry, Handler<RoutingContext> answer) {

  /** The usual answer: the certificate as base64 certs-only. */
  static EstOutcome certsOnly(String deviceId, X509Certificate certificate, boolean retry) {
    return new EstOutcome(deviceId, certificate, retry,
        ctx -> EstHttp.base64(ctx, CertsOnly.MEDIA_TYPE, CertsOnly.base64(List.of(certificate))));
  }

  String serial() {
    return certificate.getSerialNumber().toString(16);
  }
}
