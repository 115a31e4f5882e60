package io.zto.crl;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import io.zto.shared.Platform;
import io.zto.shared.bus.Addresses;
import io.zto.shared.config.ZtoConfig;
import io.zto.shared.domain.IssuedCertificate;
import io.zto.shared.domain.RevocationReason;
import io.zto.shared.pki.Fingerprints;
import io.zto.shared.pki.KeyPairs;
import io.zto.shared.pki.PlatformPki;
import io.zto.shared.store.CertificateRepository;
import io.zto.shared.store.Database;
import io.zto.shared.testing.Backend;
import io.zto.shared.testing.TestPki;
import java.io.ByteArrayInputStream;
import java.math.BigInteger;
import java.nio.file.Path;
import java.security.cert.CertificateFactory;
import java.security.cert.X509CRL;
import java.security.cert.X509CRLEntry;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;
import org.bouncycastle.asn1.ASN1Integer;
import org.bouncycastle.asn1.ASN1OctetString;
import org.bouncycastle.asn1.x509.Extension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

@ExtendWith(VertxExtension.class)
class CrlVerticleTest {

  @TempDir
  static Path dataDir;

  private PlatformPki pki;
  private Database db;

  @BeforeEach
  void deploy(Vertx vertx, VertxTestContext ctx) {
    pki = TestPki.create(dataDir);
    Backend.SQLITE.open(vertx)
        .compose(opened -> {
          db = opened;
          ZtoConfig config = ZtoConfig.of(Map.of("dataDir", dataDir.toString()));
          return vertx.deployVerticle(new CrlVerticle(new Platform(config, db, pki, new SimpleMeterRegistry(), "test")));
        })
        .onComplete(ctx.succeedingThenComplete());
  }

  @AfterEach
  void closeDatabase(VertxTestContext ctx) {
    db.close().onComplete(ctx.succeedingThenComplete());
  }

  @Test
  void servesAFreshCrlSignedByTheIssuingCa(Vertx vertx, VertxTestContext ctx) {
    // WHEN the CRL of the issuing CA is asked for
    vertx.eventBus().<JsonObject>request(Addresses.CRL_GET, new JsonObject().put("ca", "issuing"))
        .onComplete(ctx.succeeding(reply -> ctx.verify(() -> {
          // THEN it is a CRL signed by the issuing CA, valid now, with no entries
          X509CRL crl = crl(reply.body());
          crl.verify(pki.issuingCertificate().getPublicKey());
          assertThat(crl.getThisUpdate().toInstant()).isBeforeOrEqualTo(Instant.now());
          assertThat(crl.getNextUpdate().toInstant()).isAfter(Instant.now());
          assertThat(crl.getRevokedCertificates()).isNull();
          ctx.completeNow();
        })));
  }

  @Test
  void reissuedCrlListsARevokedCertificateWithItsReasonAndAHigherNumber(Vertx vertx, VertxTestContext ctx)
      throws Exception {
    // GIVEN a certificate the platform issued, then revoked for key compromise
    X509Certificate cert = TestPki.authority(pki).issue(KeyPairs.ecP256().getPublic(), "dev-7", Duration.ofDays(1));
    String serial = cert.getSerialNumber().toString(16);
    byte[] der = cert.getEncoded();
    CertificateRepository certificates = new CertificateRepository(db);
    vertx.eventBus().<JsonObject>request(Addresses.CRL_GET, new JsonObject().put("ca", "issuing"))
        .compose(first -> certificates.insert(IssuedCertificate.issued(serial, "dev-7", PlatformPki.ISSUING_CA,
                "CN=dev-7", "default", Fingerprints.publicKeySha256(cert), Fingerprints.sha256(cert),
                cert.getNotBefore().toInstant(), cert.getNotAfter().toInstant(), der))
            .compose(inserted -> certificates.revoke(serial, RevocationReason.KEY_COMPROMISE, Instant.now()))
            // WHEN the CRL is reissued
            .compose(revoked -> vertx.eventBus().<JsonObject>request(Addresses.CRL_REISSUE,
                new JsonObject().put("ca", "issuing")))
            .onComplete(ctx.succeeding(second -> ctx.verify(() -> {
              // THEN it lists the serial with the reason, under a higher CRL number
              X509CRL before = crl(first.body());
              X509CRL after = crl(second.body());
              X509CRLEntry entry = after.getRevokedCertificate(new BigInteger(serial, 16));
              assertThat(entry).isNotNull();
              assertThat(entry.getRevocationReason()).isEqualTo(java.security.cert.CRLReason.KEY_COMPROMISE);
              assertThat(number(after)).isGreaterThan(number(before));
              ctx.completeNow();
            }))));
  }

  @Test
  void unknownCaIsNotFound(Vertx vertx, VertxTestContext ctx) {
    vertx.eventBus().request(Addresses.CRL_GET, new JsonObject().put("ca", "customer"))
        .onComplete(ctx.failing(failure -> ctx.verify(() -> {
          assertThat(((ReplyException) failure).failureCode()).isEqualTo(404);
          assertThat(failure).hasMessageContaining("customer");
          ctx.completeNow();
        })));
  }

  private static X509CRL crl(JsonObject reply) throws Exception {
    return (X509CRL) CertificateFactory.getInstance("X.509")
        .generateCRL(new ByteArrayInputStream(Base64.getDecoder().decode(reply.getString("der"))));
  }

  private static BigInteger number(X509CRL crl) {
    byte[] ext = crl.getExtensionValue(Extension.cRLNumber.getId());
    return ASN1Integer.getInstance(ASN1OctetString.getInstance(ext).getOctets()).getValue();
  }
}
