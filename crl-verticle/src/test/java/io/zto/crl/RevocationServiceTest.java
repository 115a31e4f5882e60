package io.zto.crl;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.json.JsonObject;
import io.zto.shared.Platform;
import io.zto.shared.bus.Addresses;
import io.zto.shared.bus.DropSessions;
import io.zto.shared.bus.RevocationEvent;
import io.zto.shared.bus.RevocationRequest;
import io.zto.shared.config.ZtoConfig;
import io.zto.shared.domain.AuditEvent;
import io.zto.shared.domain.Device;
import io.zto.shared.domain.IssuedCertificate;
import io.zto.shared.domain.RevocationReason;
import io.zto.shared.pki.Fingerprints;
import io.zto.shared.pki.KeyPairs;
import io.zto.shared.pki.PlatformPki;
import io.zto.shared.store.AuditRepository;
import io.zto.shared.store.CertificateRepository;
import io.zto.shared.store.Database;
import io.zto.shared.store.DeviceRepository;
import io.zto.shared.testing.Await;
import io.zto.shared.testing.Backend;
import io.zto.shared.testing.TestPki;
import java.io.ByteArrayInputStream;
import java.math.BigInteger;
import java.nio.file.Path;
import java.security.cert.CRLReason;
import java.security.cert.CertificateFactory;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.bouncycastle.asn1.ASN1Integer;
import org.bouncycastle.asn1.ASN1OctetString;
import org.bouncycastle.asn1.x509.Extension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The revocation service on the bus ({@link Addresses#REVOCATION_REQUEST}): what it stores, announces and
 * reissues for each request, what it refuses (with the status, nothing changed), and that with several
 * instances over one database each request is answered once.
 */
class RevocationServiceTest {

  @TempDir
  static Path dataDir;

  private Vertx vertx;
  private PlatformPki pki;
  private Database db;
  private CertificateRepository certificates;
  private final List<RevocationEvent> events = Collections.synchronizedList(new ArrayList<>());
  private final List<DropSessions> drops = Collections.synchronizedList(new ArrayList<>());

  @BeforeEach
  void deploy() {
    vertx = Vertx.vertx();
    pki = TestPki.create(dataDir);
    db = Await.result(Backend.SQLITE.open(vertx));
    certificates = new CertificateRepository(db);
    Await.result(deployCrlVerticle());
    Await.result(vertx.eventBus().<JsonObject>consumer(Addresses.REVOCATION_EVENTS,
        m -> events.add(RevocationEvent.fromJson(m.body()))).completion());
    Await.result(vertx.eventBus().<JsonObject>consumer(Addresses.BROKER_DROP_SESSIONS,
        m -> drops.add(DropSessions.fromJson(m.body()))).completion());
  }

  @AfterEach
  void close() {
    Await.result(db.close());
    Await.result(vertx.close());
  }

  @Test
  void keyCompromiseRevokesAndAnnouncesEveryValidCertificateOfTheDeviceWithOneCrl() throws Exception {
    // GIVEN dev-1 with two valid certificates and dev-2 with one
    String first = issue("dev-1");
    String second = issue("dev-1");
    String other = issue("dev-2");
    BigInteger before = number(crl());
    // WHEN the first is revoked for key compromise
    JsonObject reply = ask(RevocationRequest.revokeCertificate(first, "keyCompromise", "alice"));
    // THEN both of dev-1's are revoked, the answer naming the sibling
    assertThat(reply.getString("status")).isEqualTo("revoked");
    assertThat(reply.getJsonArray("alsoRevoked")).containsExactly(second);
    assertThat(reply.getBoolean("crlReissued")).isTrue();
    // AND each is announced with the issuing CA's fingerprint and its device, dev-2's not at all
    awaitEvents(2);
    String issuing = Fingerprints.sha256(pki.issuingCertificate());
    assertThat(events).extracting(RevocationEvent::kind, RevocationEvent::serial, RevocationEvent::issuerFingerprint,
            RevocationEvent::deviceId, RevocationEvent::reason)
        .containsExactlyInAnyOrder(
            org.assertj.core.groups.Tuple.tuple(RevocationEvent.Kind.CERTIFICATE, first, issuing, "dev-1", "keyCompromise"),
            org.assertj.core.groups.Tuple.tuple(RevocationEvent.Kind.CERTIFICATE, second, issuing, "dev-1", "keyCompromise"));
    // AND the CRL was reissued once, listing both and not dev-2's
    X509CRL crl = crl();
    assertThat(number(crl)).isEqualTo(before.add(BigInteger.ONE));
    assertThat(crl.getRevokedCertificate(new BigInteger(first, 16)).getRevocationReason())
        .isEqualTo(CRLReason.KEY_COMPROMISE);
    assertThat(crl.getRevokedCertificate(new BigInteger(second, 16)).getRevocationReason())
        .isEqualTo(CRLReason.KEY_COMPROMISE);
    assertThat(crl.getRevokedCertificate(new BigInteger(other, 16))).isNull();
    // AND one audit entry by the operator names both
    List<AuditEvent> audited = audit("certificate.revoke");
    assertThat(audited).hasSize(1);
    assertThat(audited.get(0).actor()).isEqualTo("alice");
    assertThat(audited.get(0).details().getJsonArray("alsoRevoked")).containsExactly(second);
  }

  @Test
  void aBurstOfRevocationsSharesCrlReissuesAndEveryOneIsListed() throws Exception {
    // GIVEN thirty certificates (a fleet re-enrolling at once supersedes as many)
    List<String> serials = new ArrayList<>();
    for (int i = 0; i < 30; i++) {
      serials.add(issue("burst-" + i));
    }
    BigInteger before = number(crl());
    // WHEN all are revoked at once
    List<Future<Message<JsonObject>>> replies = serials.stream().map(serial -> vertx.eventBus().<JsonObject>request(
        Addresses.REVOCATION_REQUEST, RevocationRequest.revokeCertificate(serial, "superseded", "fleet").toJson()))
        .toList();
    Await.result(Future.all(replies));
    // THEN each answer says the CRL was reissued after it, and the CRL lists every one
    assertThat(replies).allSatisfy(reply -> assertThat(reply.result().body().getBoolean("crlReissued")).isTrue());
    X509CRL crl = crl();
    for (String serial : serials) {
      assertThat(crl.getRevokedCertificate(new BigInteger(serial, 16))).as(serial).isNotNull();
    }
    // AND fewer CRLs were signed than certificates revoked: revocations arriving during a reissue share the next
    assertThat(number(crl).subtract(before).intValue()).isBetween(1, serials.size() - 1);
  }

  @Test
  void refusedRequestsCarryTheirStatusAndChangeNothing() {
    // GIVEN a certificate revoked as superseded and a valid one
    String superseded = issue("dev-3");
    Await.result(certificates.revoke(superseded, RevocationReason.SUPERSEDED, Instant.now()));
    String valid = issue("dev-3");
    // WHEN asked to revoke an unknown serial, to revoke again for another reason than keyCompromise, with a
    // made-up reason, to announce a certificate that is not revoked, and with a malformed request
    ReplyException unknown = refused(RevocationRequest.revokeCertificate("abcdef", "keyCompromise", "bob").toJson());
    ReplyException again = refused(RevocationRequest.revokeCertificate(superseded, "unspecified", "bob").toJson());
    ReplyException reason = refused(RevocationRequest.revokeCertificate(valid, "bored", "bob").toJson());
    ReplyException notRevoked = refused(RevocationRequest.announceRevoked(List.of(valid), "dev-3").toJson());
    ReplyException malformed = refused(new JsonObject().put("action", "revoke-everything"));
    // THEN each has its status and a reason a person understands
    assertThat(unknown.failureCode()).isEqualTo(404);
    assertThat(again.failureCode()).isEqualTo(409);
    assertThat(again).hasMessageContaining("revoked already (superseded)");
    assertThat(reason.failureCode()).isEqualTo(400);
    assertThat(reason).hasMessageContaining("keyCompromise");
    assertThat(notRevoked.failureCode()).isEqualTo(404);
    assertThat(malformed.failureCode()).isEqualTo(400);
    assertThat(malformed).hasMessageContaining("revoke-everything");
    // AND nothing changed, nothing was announced, and the operator's refusals are audited
    assertThat(Await.result(certificates.get(valid)).orElseThrow().status()).isEqualTo(IssuedCertificate.Status.VALID);
    assertThat(Await.result(certificates.get(superseded)).orElseThrow().revocationReason())
        .isEqualTo(RevocationReason.SUPERSEDED);
    assertThat(events).isEmpty();
    assertThat(audit("certificate.revoke")).extracting(AuditEvent::outcome).containsOnly(AuditEvent.Outcome.REFUSED)
        .hasSize(3);
  }

  @Test
  void disablingKicksOnceAndEnablingLiftsTheBlock() throws Exception {
    // GIVEN a provisioned device
    Await.result(new DeviceRepository(db).upsert(Device.seen("dev-4", "default", Device.State.PROVISIONED)));
    // WHEN an operator disables it
    JsonObject disabled = ask(RevocationRequest.device(RevocationRequest.Action.DISABLE_DEVICE, "dev-4", "carol"));
    // THEN it is disabled and one DEVICE BLOCKED event drops its sessions: no second kick
    assertThat(disabled.getString("state")).isEqualTo("disabled");
    awaitEvents(1);
    Thread.sleep(300);
    assertThat(events).extracting(RevocationEvent::kind, RevocationEvent::action, RevocationEvent::deviceId)
        .containsExactly(org.assertj.core.groups.Tuple.tuple(RevocationEvent.Kind.DEVICE, RevocationEvent.Action.BLOCKED,
            "dev-4"));
    assertThat(drops).isEmpty();
    // WHEN enabled THEN provisioned again and announced unblocked
    JsonObject enabled = ask(RevocationRequest.device(RevocationRequest.Action.ENABLE_DEVICE, "dev-4", "carol"));
    assertThat(enabled.getString("state")).isEqualTo("provisioned");
    awaitEvents(2);
    assertThat(events.get(1).action()).isEqualTo(RevocationEvent.Action.UNBLOCKED);
    // AND enabling again, or disabling an unknown device, is refused
    assertThat(refused(RevocationRequest.device(RevocationRequest.Action.ENABLE_DEVICE, "dev-4", "carol").toJson())
        .failureCode()).isEqualTo(409);
    assertThat(refused(RevocationRequest.device(RevocationRequest.Action.DISABLE_DEVICE, "nobody", "carol").toJson())
        .failureCode()).isEqualTo(404);
    assertThat(audit("device.disable")).hasSize(1);
  }

  @Test
  void retiringRevokesAnnouncesAndListsEveryCertificate() throws Exception {
    // GIVEN a device with two valid certificates
    Await.result(new DeviceRepository(db).upsert(Device.seen("dev-5", "default", Device.State.PROVISIONED)));
    String first = issue("dev-5");
    String second = issue("dev-5");
    // WHEN retired
    JsonObject reply = ask(RevocationRequest.device(RevocationRequest.Action.RETIRE_DEVICE, "dev-5", "dave"));
    // THEN both are revoked, announced with the issuing CA's fingerprint, and on the CRL
    assertThat(reply.getJsonArray("revoked")).containsExactlyInAnyOrder(first, second);
    awaitEvents(3);
    String issuing = Fingerprints.sha256(pki.issuingCertificate());
    assertThat(events.stream().filter(e -> e.kind() == RevocationEvent.Kind.CERTIFICATE))
        .allSatisfy(e -> assertThat(e.issuerFingerprint()).isEqualTo(issuing));
    assertThat(events).anySatisfy(e -> assertThat(e.kind()).isEqualTo(RevocationEvent.Kind.DEVICE));
    assertThat(crl().getRevokedCertificate(new BigInteger(second, 16)).getRevocationReason())
        .isEqualTo(CRLReason.CESSATION_OF_OPERATION);
  }

  @Test
  void revocationRequestsAreAnsweredOnceByAnyInstance() throws Exception {
    // GIVEN a second instance of the crl role over the same database (another node's)
    String second = Await.result(deployCrlVerticle());
    List<String> serials = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      serials.add(issue("dev-many-" + i));
    }
    // WHEN six revocations are asked at once
    List<Future<Message<JsonObject>>> replies = serials.stream().map(serial -> vertx.eventBus().<JsonObject>request(
        Addresses.REVOCATION_REQUEST, RevocationRequest.revokeCertificate(serial, "superseded", "erin").toJson()))
        .toList();
    Await.result(Future.all(replies));
    // THEN each was done once: one event and one audit entry per certificate
    awaitEvents(6);
    Thread.sleep(300);
    assertThat(events).extracting(RevocationEvent::serial).containsExactlyInAnyOrderElementsOf(serials);
    assertThat(audit("certificate.revoke")).hasSize(6)
        .allSatisfy(e -> assertThat(e.outcome()).isEqualTo(AuditEvent.Outcome.SUCCEEDED));
    // AND with one instance gone the other still answers
    Await.result(vertx.undeploy(second));
    String late = issue("dev-late");
    assertThat(ask(RevocationRequest.revokeCertificate(late, "superseded", "erin")).getString("status"))
        .isEqualTo("revoked");
  }

  private Future<String> deployCrlVerticle() {
    ZtoConfig config = ZtoConfig.of(Map.of("dataDir", dataDir.toString()));
    return vertx.deployVerticle(new CrlVerticle(new Platform(config, db, pki, new SimpleMeterRegistry(), "test")));
  }

  /** A certificate of the platform's issuing CA for the device, recorded as issued; its serial. */
  private String issue(String deviceId) {
    X509Certificate cert = TestPki.authority(pki).issue(KeyPairs.ecP256().getPublic(), deviceId, Duration.ofDays(1));
    String serial = cert.getSerialNumber().toString(16);
    try {
      Await.result(certificates.insert(IssuedCertificate.issued(serial, deviceId, PlatformPki.ISSUING_CA,
          "CN=" + deviceId, "default", Fingerprints.publicKeySha256(cert), Fingerprints.sha256(cert),
          cert.getNotBefore().toInstant(), cert.getNotAfter().toInstant(), cert.getEncoded())));
    } catch (java.security.cert.CertificateEncodingException e) {
      throw new IllegalStateException(e);
    }
    return serial;
  }

  private JsonObject ask(RevocationRequest request) {
    return Await.result(vertx.eventBus().<JsonObject>request(Addresses.REVOCATION_REQUEST, request.toJson())).body();
  }

  private ReplyException refused(JsonObject request) {
    return (ReplyException) Await.failure(vertx.eventBus().request(Addresses.REVOCATION_REQUEST, request));
  }

  private List<AuditEvent> audit(String action) {
    return Await.result(new AuditRepository(db).list(AuditRepository.Query.all(500))).items().stream()
        .filter(e -> e.action().equals(action)).toList();
  }

  private void awaitEvents(int count) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (events.size() < count) {
      assertThat(System.nanoTime()).as("%d revocation events, got %s", count, events).isLessThan(deadline);
      Thread.sleep(20);
    }
  }

  private X509CRL crl() throws Exception {
    JsonObject reply = Await.result(vertx.eventBus().<JsonObject>request(Addresses.CRL_GET,
        new JsonObject().put("ca", "issuing"))).body();
    return (X509CRL) CertificateFactory.getInstance("X.509")
        .generateCRL(new ByteArrayInputStream(Base64.getDecoder().decode(reply.getString("der"))));
  }

  private static BigInteger number(X509CRL crl) {
    byte[] ext = crl.getExtensionValue(Extension.cRLNumber.getId());
    return ASN1Integer.getInstance(ASN1OctetString.getInstance(ext).getOctets()).getValue();
  }
}
