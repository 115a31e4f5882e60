package io.zto.provisioning;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.zto.shared.Platform;
import io.zto.shared.bus.Addresses;
import io.zto.shared.bus.ProvisioningRequestMessage;
import io.zto.shared.config.ZtoConfig;
import io.zto.shared.domain.AuditEvent;
import io.zto.shared.domain.Enrollment;
import io.zto.shared.domain.TrustAnchor;
import io.zto.shared.pki.DeviceIds;
import io.zto.shared.pki.Pem;
import io.zto.shared.pki.Fingerprints;
import io.zto.shared.store.AuditRepository;
import io.zto.shared.store.Database;
import io.zto.shared.store.EnrollmentRepository;
import io.zto.shared.store.TrustAnchorRepository;
import io.zto.shared.testing.Await;
import io.zto.shared.testing.Backend;
import io.zto.shared.testing.DeviceIdentity;
import io.zto.shared.testing.TestPki;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A provisioning verticle on a fresh embedded database, asked over the event bus as the broker asks it:
 * for the tests of identity binding and IDevID proofs.
 */
final class ProvisioningBus {

  final Vertx vertx;
  final Database db;

  private ProvisioningBus(Vertx vertx, Database db) {
    this.vertx = vertx;
    this.db = db;
  }

  static ProvisioningBus deploy(Vertx vertx) {
    Database db = Await.result(Backend.SQLITE.open(vertx));
    ZtoConfig config = ZtoConfig.of(Map.of("publicHost", "zto.example.test"));
    Await.result(vertx.deployVerticle(new ProvisioningVerticle(new Platform(config, db, TestPki.shared(),
        new SimpleMeterRegistry(), "node-test"))));
    return new ProvisioningBus(vertx, db);
  }

  void close() {
    Await.result(db.close());
  }

  TrustAnchor anchor(String name, TrustAnchor.Purpose purpose, X509Certificate ca, String tenant) {
    return Await.result(new TrustAnchorRepository(db).create(TrustAnchor.create(name, purpose, Pem.encode(ca),
        Fingerprints.sha256(ca), ca.getSubjectX500Principal().getName(), ca.getNotAfter().toInstant())
        .withTenant(tenant)));
  }

  Enrollment enroll(Enrollment enrollment) {
    return Await.result(new EnrollmentRepository(db).create(enrollment));
  }

  /** A request with the device's LDevID alone as its TLS chain. */
  JsonObject ask(DeviceIdentity ldevid, String requestId) {
    return ask(ldevid, List.of(ldevid.certificate()), requestId, null, null);
  }

  /** A request as the broker forwards it: the TLS chain leaf first, a bare idevid PEM, an idevidProof. */
  JsonObject ask(DeviceIdentity ldevid, List<X509Certificate> tlsChain, String requestId, String idevidPem,
                 String proof) {
    String deviceId = DeviceIds.fromCertificate(ldevid.certificate()).value();
    return Await.result(vertx.eventBus().<JsonObject>request(Addresses.PROVISIONING_REQUEST,
        new ProvisioningRequestMessage(deviceId, requestId, Pem.encode(tlsChain), idevidPem,
            new JsonObject().put("fw", "1.0"), "node-test", proof).toJson())).body();
  }

  JsonObject decide(String id, String decision) {
    return Await.result(vertx.eventBus().<JsonObject>request(Addresses.PROVISIONING_DECIDE,
        new JsonObject().put("id", id).put("decision", decision).put("actor", "alice"))).body();
  }

  List<AuditEvent> audit(String subject) {
    return Await.result(new AuditRepository(db).list(new AuditRepository.Query(subject, null, null, null, null, 50)))
        .items();
  }

  List<String> auditReasons(String subject) {
    return audit(subject).stream().map(AuditEvent::reason).filter(Objects::nonNull).toList();
  }
}
