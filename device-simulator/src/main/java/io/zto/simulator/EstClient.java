package io.zto.simulator;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import io.zto.shared.pki.CsrBuilder;
import io.zto.shared.pki.Der;
import java.io.IOException;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cms.CMSException;
import org.bouncycastle.cms.CMSSignedData;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;

/**
 * The device side of EST (RFC 7030): {@code simpleenroll} with the LDevID and the one-time challenge in
 * the CSR, {@code simplereenroll} with the current operational certificate. A 202 is waited out for its
 * {@code Retry-After}. CSRs are built on a worker thread (key generation and signing are CPU work).
 */
final class EstClient {

  static final int MAX_RETRIES_AFTER_202 = 20;

  private final Vertx vertx;
  private final String baseUrl;

  EstClient(Vertx vertx, String baseUrl) {
    this.vertx = vertx;
    this.baseUrl = baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl;
  }

  /** The issued certificate for {@code keys}, authenticated by {@code tls} and the challenge. */
  Future<X509Certificate> enroll(Tls tls, KeyPair keys, String deviceId, String challenge) {
    return vertx.executeBlocking(() -> new CsrBuilder(keys).commonName(deviceId).challengePassword(challenge).build(), false)
        .compose(csr -> post(tls, "simpleenroll", csr, 0));
  }

  /** A renewed certificate for {@code keys}, with the subject of the current certificate. */
  Future<X509Certificate> reenroll(Tls current, KeyPair keys) {
    X500Name subject = X500Name.getInstance(current.certificate().getSubjectX500Principal().getEncoded());
    return vertx.executeBlocking(() -> new CsrBuilder(keys).subject(subject).build(), false)
        .compose(csr -> post(current, "simplereenroll", csr, 0));
  }

  private Future<X509Certificate> post(Tls tls, String operation, PKCS10CertificationRequest csr, int attempt) {
    WebClient client = WebClient.create(vertx, new WebClientOptions().setSsl(true).setVerifyHost(true)
        .setKeyCertOptions(tls.keyCert()).setTrustOptions(tls.trust()).setSslEngineOptions(Tls.engine()));
    Buffer body;
    try {
      body = Buffer.buffer(Base64.getMimeEncoder().encodeToString(csr.getEncoded()));
    } catch (IOException e) {
      return Future.failedFuture(e);
    }
    return client.postAbs(baseUrl + "/" + operation)
        .putHeader("Content-Type", "application/pkcs10")
        .putHeader("Content-Transfer-Encoding", "base64")
        .sendBuffer(body)
        .eventually(() -> {
          client.close();
          return Future.succeededFuture();
        })
        .compose(response -> answer(tls, operation, csr, attempt, response));
  }

  private Future<X509Certificate> answer(Tls tls, String operation, PKCS10CertificationRequest csr, int attempt,
                                         HttpResponse<Buffer> response) {
    if (response.statusCode() == 200) {
      return Future.succeededFuture(certificates(response.bodyAsString()).get(0));
    }
    if (response.statusCode() == 202 && attempt < MAX_RETRIES_AFTER_202) {
      long wait = Duration.ofSeconds(retryAfter(response.getHeader("Retry-After"))).toMillis();
      return vertx.timer(wait).compose(ignored -> post(tls, operation, csr, attempt + 1));
    }
    return Future.failedFuture(new EstException(response.statusCode(), operation + " answered "
        + response.statusCode() + ": " + String.valueOf(response.bodyAsString()).strip()));
  }

  /** The certificates of a base64 certs-only PKCS#7, leaf first as the server sends it. */
  static List<X509Certificate> certificates(String base64) {
    try {
      CMSSignedData pkcs7 = new CMSSignedData(Base64.getMimeDecoder().decode(base64));
      List<X509Certificate> out = new ArrayList<>();
      for (X509CertificateHolder holder : pkcs7.getCertificates().getMatches(null)) {
        out.add(Der.certificate(holder));
      }
      if (out.isEmpty()) {
        throw new IllegalArgumentException("the EST answer holds no certificate");
      }
      return out;
    } catch (CMSException e) {
      throw new IllegalArgumentException("the EST answer is not a PKCS#7 certs-only message: " + e.getMessage(), e);
    }
  }

  private static long retryAfter(String header) {
    try {
      return header == null ? 5 : Math.max(1, Long.parseLong(header.strip()));
    } catch (NumberFormatException e) {
      return 5;
    }
  }

  /** An EST refusal with its HTTP status. */
  static final class EstException extends RuntimeException {
    final int status;

    EstException(int status, String message) {
      super(message, null, false, false);
      this.status = status;
    }
  }
}
