package io.zto.est;

import io.vertx.core.Future;
import io.vertx.ext.web.RoutingContext;
import io.zto.shared.config.EstConfig;
import io.zto.shared.pki.Fingerprints;
import io.zto.shared.pki.KeyPairs;
import io.zto.shared.security.Secrets;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;

/**
 * {@code POST /serverkeygen} (RFC 7030 §4.4), for devices that cannot make keys: authenticated like
 * simpleenroll (LDevID and one-time challenge; the CSR names the device, its key is ignored). The EC P-256
 * key is made on the crypto pool and returned unencrypted as PKCS#8 next to the certificate in a
 * {@code multipart/mixed} answer; the key is not kept, so a lost answer needs a new challenge.
 */
final class ServerKeyGenHandler implements EstHandler {

  static final String OPERATION = "serverkeygen";

  private final EstServices services;
  private final ClientAuthenticator authenticator;
  private final ChallengeCheck challenges;
  private final EnrollmentPolicy policy;
  private final CertificateIssuer issuer;

  ServerKeyGenHandler(EstServices services, ClientAuthenticator authenticator, ChallengeCheck challenges,
                      EnrollmentPolicy policy, CertificateIssuer issuer) {
    this.services = services;
    this.authenticator = authenticator;
    this.challenges = challenges;
    this.policy = policy;
    this.issuer = issuer;
  }

  @Override
  public Future<EstOutcome> handle(RoutingContext ctx, EstConfig.Profile profile) {
    byte[] der = EstHttp.pkcs10Body(ctx);
    Instant now = Instant.now();
    return authenticator.ldevid(ctx).compose(client -> {
      String deviceId = client.deviceId();
      EstVerticle.identify(ctx, deviceId);
      return services.work(() -> EnrollmentPolicy.enrollmentCsr(der, deviceId)).compose(csr -> {
        String secret = ChallengeCheck.presented(ctx, deviceId, csr);
        return challenges.match(deviceId, secret, now)
            .compose(challenge -> policy.approval(profile, OPERATION, deviceId, csr)
                .compose(approved -> services.work(KeyPairs::ecP256))
                .compose(keyPair -> {
                  SubjectPublicKeyInfo publicKey = SubjectPublicKeyInfo.getInstance(keyPair.getPublic().getEncoded());
                  String publicKeyHash = Fingerprints.publicKeySha256(publicKey);
                  return challenges.consume(challenge, publicKeyHash, now)
                      .compose(consumed -> issuer.issue(publicKey, deviceId, profile))
                      .compose(certificate -> services.challenges.recordIssued(challenge.id(),
                              certificate.getSerialNumber().toString(16))
                          .map(recorded -> new EstOutcome(deviceId, certificate, false,
                              answer -> answer(answer, keyPair, certificate))));
                }));
      });
    });
  }

  private static void answer(RoutingContext ctx, KeyPair keyPair, X509Certificate certificate) {
    String boundary = "zto-est-" + HexFormat.of().formatHex(Secrets.randomBytes(12));
    String body = "--" + boundary + "\r\n"
        + "Content-Type: application/pkcs8\r\n"
        + "Content-Transfer-Encoding: base64\r\n\r\n"
        + EstHttp.base64Lines(keyPair.getPrivate().getEncoded())
        + "--" + boundary + "\r\n"
        + "Content-Type: " + CertsOnly.MEDIA_TYPE + "\r\n"
        + "Content-Transfer-Encoding: base64\r\n\r\n"
        + CertsOnly.base64(List.of(certificate))
        + "--" + boundary + "--\r\n";
    ctx.response().putHeader("Content-Type", "multipart/mixed; boundary=" + boundary)
        .putHeader("Cache-Control", "no-store").end(body);
  }
}
