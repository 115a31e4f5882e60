package io.zto.provisioning;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import io.zto.shared.Platform;
import io.zto.shared.bus.Addresses;
import io.zto.shared.bus.DeliverMessage;
import io.zto.shared.bus.ProvisioningRequestMessage;
import io.zto.shared.config.ZtoConfig;
import io.zto.shared.domain.Activation;
import io.zto.shared.domain.Approval;
import io.zto.shared.domain.AuditEvent;
import io.zto.shared.domain.Device;
import io.zto.shared.domain.Enrollment;
import io.zto.shared.domain.EnrollmentGroup;
import io.zto.shared.domain.EnrollmentStatus;
import io.zto.shared.domain.IssuedCertificate;
import io.zto.shared.domain.ReprovisionPolicy;
import io.zto.shared.domain.RevocationReason;
import io.zto.shared.domain.TrustAnchor;
import io.zto.shared.pki.Fingerprints;
import io.zto.shared.pki.Pem;
import io.zto.shared.pki.PlatformPki;
import io.zto.shared.store.AuditRepository;
import io.zto.shared.store.CertificateRepository;
import io.zto.shared.store.ChallengeRepository;
import io.zto.shared.store.CredentialRepository;
import io.zto.shared.store.Database;
import io.zto.shared.store.DeviceRepository;
import io.zto.shared.store.EnrollmentRepository;
import io.zto.shared.store.ProvisioningRequestRepository;
import io.zto.shared.store.TrustAnchorRepository;
import io.zto.shared.testing.Await;
import io.zto.shared.testing.Backend;
import io.zto.shared.testing.DeviceIdentities;
import io.zto.shared.testing.DeviceIdentity;
import io.zto.shared.testing.TestPki;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Provisioning over the event bus, as the broker will ask for it (contract section 4). */
@ExtendWith(VertxExtension.class)
class ProvisioningVerticleTest {

  private static final DeviceIdentities FACTORY = DeviceIdentities.create();

  private Vertx vertx;
  private Database db;
  private PlatformPki pki;
  private TrustAnchor ldevidAnchor;
  private EnrollmentRepository enrollments;

  @BeforeEach
  void deploy(Vertx vertx) {
    this.vertx = vertx;
    pki = TestPki.shared();
    db = Await.result(Backend.SQLITE.open(vertx));
    enrollments = new EnrollmentRepository(db);
    ZtoConfig config = ZtoConfig.of(Map.of("publicHost", "zto.example.test"));
    ldevidAnchor = anchor("customer", TrustAnchor.Purpose.LDEVID, FACTORY.ldevidCa());
    anchor("manufacturer", TrustAnchor.Purpose.IDEVID, FACTORY.idevidCa());
    Await.result(vertx.deployVerticle(new ProvisioningVerticle(new Platform(config, db, pki, new SimpleMeterRegistry(),
        "node-test"))));
  }

  @AfterEach
  void close() {
    Await.result(db.close());
  }

  @Test
  void enrolledDeviceIsProvisionedWithFreshSecretsStoredOnlyAsHashes() {
    // GIVEN an auto-approved enrollment of dev-1 with an application config
    DeviceIdentity device = FACTORY.ldevid("dev-1");
    enroll(Enrollment.create(null, "dev-1", null, null, null,
        Activation.auto().withApplication(new JsonObject().put("site", "plant-7"))));
    // WHEN it asks
    JsonObject answer = ask(device, "r-1", null);
    // THEN the config of contract section 4 comes back
    assertThat(answer.getString("status")).isEqualTo("provisioned");
    JsonObject config = answer.getJsonObject("config");
    assertThat(config.getString("deviceId")).isEqualTo("dev-1");
    assertThat(config.getJsonObject("est").getString("url")).isEqualTo("https://zto.example.test:8443/.well-known/est");
    assertThat(config.getJsonObject("mqtt").getString("url")).isEqualTo("mqtts://zto.example.test:8883");
    assertThat(config.getJsonObject("mqtt").getString("clientId")).isEqualTo("dev-1");
    assertThat(config.getJsonObject("mqtt").getString("trustAnchors")).isEqualTo(pki.rootPem());
    assertThat(Pem.readCertificate(config.getJsonObject("commandVerification").getString("certificate")))
        .isEqualTo(pki.commandSigningCertificate());
    assertThat(config.getJsonObject("application").getString("site")).isEqualTo("plant-7");
    // AND the secrets are random, at least 128 bits, and stored only as keyed digests that verify
    String password = config.getJsonObject("mqtt").getString("password");
    String challenge = config.getJsonObject("est").getString("challengePassword");
    assertThat(password).hasSizeGreaterThanOrEqualTo(22).isNotEqualTo(challenge);
    String passwordHash = Await.result(new CredentialRepository(db).get("dev-1")).orElseThrow().passwordHash();
    // HMAC-SHA-256 under the installation's key for 128-bit random secrets (RandomSecrets)
    assertThat(passwordHash).doesNotContain(password).startsWith("$hmac-sha256$k=");
    assertThat(pki.randomSecrets().verify(password, passwordHash)).isTrue();
    var live = Await.result(new ChallengeRepository(db).live("dev-1", Instant.now()));
    assertThat(live).hasSize(1);
    assertThat(pki.randomSecrets().verify(challenge, live.get(0).challengeHash())).isTrue();
    assertThat(Await.result(new DeviceRepository(db).get("dev-1")).orElseThrow().state())
        .isEqualTo(Device.State.PROVISIONED);
  }

  @Test
  void repeatedRequestIdGetsTheSameAnswerAndANewOneReplacesTheSecrets() {
    DeviceIdentity device = FACTORY.ldevid("dev-2");
    enroll(Enrollment.create(null, "dev-2", null, null, null, Activation.auto()));
    JsonObject first = ask(device, "r-1", null);
    // WHEN the same requestId comes again THEN the very same answer, secrets included
    assertThat(ask(device, "r-1", null)).isEqualTo(first);
    // WHEN a new requestId comes THEN new secrets, and the old password no longer verifies
    JsonObject second = ask(device, "r-2", null);
    String oldPassword = first.getJsonObject("config").getJsonObject("mqtt").getString("password");
    String newPassword = second.getJsonObject("config").getJsonObject("mqtt").getString("password");
    assertThat(newPassword).isNotEqualTo(oldPassword);
    String hash = Await.result(new CredentialRepository(db).get("dev-2")).orElseThrow().passwordHash();
    assertThat(pki.randomSecrets().verify(oldPassword, hash)).isFalse();
    assertThat(pki.randomSecrets().verify(newPassword, hash)).isTrue();
    // AND only the newest challenge is live
    assertThat(Await.result(new ChallengeRepository(db).live("dev-2", Instant.now()))).hasSize(1);
  }

  @Test
  void unknownDeviceIsRejectedRecordedAndAudited() {
    JsonObject answer = ask(FACTORY.ldevid("stranger-1"), "r-1", null);
    assertThat(answer.getString("status")).isEqualTo("rejected");
    assertThat(answer.getString("reason")).contains("unknown device");
    assertThat(answer.containsKey("config")).isFalse();
    assertThat(Await.result(new DeviceRepository(db).get("stranger-1")).orElseThrow().state())
        .isEqualTo(Device.State.UNKNOWN);
    var refusals = Await.result(new AuditRepository(db).list(
        new AuditRepository.Query("stranger-1", null, AuditEvent.Outcome.REFUSED, null, null, 10))).items();
    assertThat(refusals).extracting(AuditEvent::reason).anyMatch(r -> r.contains("unknown device"));
    assertThat(Await.result(new CredentialRepository(db).get("stranger-1"))).isEmpty();
  }

  @Test
  void manualApprovalAnswersPendingAndRemembersIt() {
    DeviceIdentity device = FACTORY.ldevid("dev-3");
    enroll(Enrollment.create(null, "dev-3", null, null, null, Activation.auto().withApproval(Approval.MANUAL)));
    assertThat(ask(device, "r-1", null).getString("status")).isEqualTo("pending");
    assertThat(ask(device, "r-1", null).getString("status")).isEqualTo("pending");
    assertThat(Await.result(new DeviceRepository(db).get("dev-3")).orElseThrow().state()).isEqualTo(Device.State.PENDING);
    assertThat(Await.result(new CredentialRepository(db).get("dev-3"))).isEmpty();
  }

  @Test
  void approvalPushesTheConfigToTheWaitingDeviceAndOnlyOneDecisionWins() {
    // GIVEN dev-12 waiting for manual approval, and the broker listening for deliveries
    DeviceIdentity device = FACTORY.ldevid("dev-12");
    enroll(Enrollment.create(null, "dev-12", null, null, null,
        Activation.auto().withApproval(Approval.MANUAL).withApplication(new JsonObject().put("line", 3))));
    assertThat(ask(device, "r-1", null).getString("status")).isEqualTo("pending");
    java.util.concurrent.BlockingQueue<DeliverMessage> delivered = new java.util.concurrent.LinkedBlockingQueue<>();
    Await.result(vertx.eventBus().<JsonObject>consumer(Addresses.BROKER_DELIVER,
        msg -> delivered.add(DeliverMessage.fromJson(msg.body()))).completion());
    String id = Await.result(new ProvisioningRequestRepository(db).find("dev-12", "r-1")).orElseThrow().id();
    // WHEN an operator approves
    JsonObject decided = Await.result(vertx.eventBus().<JsonObject>request(Addresses.PROVISIONING_DECIDE,
        new JsonObject().put("id", id).put("decision", "approve").put("actor", "alice"))).body();
    // THEN the request is provisioned, decided by alice, with no secret in the reply
    assertThat(decided.getString("status")).isEqualTo("provisioned");
    assertThat(decided.getString("decidedBy")).isEqualTo("alice");
    assertThat(decided.encode()).doesNotContain("password");
    // AND the device's response topic got the config
    DeliverMessage pushed = Await.result(vertx.executeBlocking(
        () -> delivered.poll(10, java.util.concurrent.TimeUnit.SECONDS)));
    assertThat(pushed.topic()).isEqualTo("zto/v1/dev-12/provision/response");
    JsonObject answer = new JsonObject(pushed.payload());
    assertThat(answer.getJsonObject("config").getJsonObject("application").getInteger("line")).isEqualTo(3);
    // AND asking again with the same requestId gives the same config
    assertThat(ask(device, "r-1", null)).isEqualTo(answer);
    // AND a second decision is refused with 409
    Throwable again = Await.failure(vertx.eventBus().request(Addresses.PROVISIONING_DECIDE,
        new JsonObject().put("id", id).put("decision", "reject")));
    assertThat(((ReplyException) again).failureCode()).isEqualTo(409);
  }

  @Test
  void rejectionIsPushedAndUnknownRequestIsNotFound() {
    DeviceIdentity device = FACTORY.ldevid("dev-13");
    enroll(Enrollment.create(null, "dev-13", null, null, null, Activation.auto().withApproval(Approval.MANUAL)));
    ask(device, "r-1", null);
    String id = Await.result(new ProvisioningRequestRepository(db).find("dev-13", "r-1")).orElseThrow().id();
    JsonObject decided = Await.result(vertx.eventBus().<JsonObject>request(Addresses.PROVISIONING_DECIDE,
        new JsonObject().put("id", id).put("decision", "reject").put("reason", "not our plant"))).body();
    assertThat(decided.getString("status")).isEqualTo("rejected");
    JsonObject answer = ask(device, "r-1", null);
    assertThat(answer.getString("status")).isEqualTo("rejected");
    assertThat(answer.getString("reason")).isEqualTo("not our plant");
    assertThat(Await.result(new CredentialRepository(db).get("dev-13"))).isEmpty();
    Throwable missing = Await.failure(vertx.eventBus().request(Addresses.PROVISIONING_DECIDE,
        new JsonObject().put("id", "nope").put("decision", "approve")));
    assertThat(((ReplyException) missing).failureCode()).isEqualTo(404);
  }

  @Test
  void groupTakesEveryDeviceOfItsCaButADisabledEnrollmentOverridesIt() {
    // GIVEN an enabled group for the customer CA, and a disabled enrollment for dev-5
    Await.result(enrollments.createGroup(EnrollmentGroup.create(null, "line-1", ldevidAnchor.id(), Activation.auto())));
    enroll(Enrollment.create(null, "dev-5", null, null, null, Activation.auto().withStatus(EnrollmentStatus.DISABLED)));
    // THEN dev-4 is provisioned through the group, dev-5 is refused
    assertThat(ask(FACTORY.ldevid("dev-4"), "r-1", null).getString("status")).isEqualTo("provisioned");
    JsonObject refused = ask(FACTORY.ldevid("dev-5"), "r-1", null);
    assertThat(refused.getString("status")).isEqualTo("rejected");
    assertThat(refused.getString("reason")).contains("disabled");
  }

  @Test
  void expiredActivationWindowAndUsedUpBudgetAreRefused() {
    Instant now = Instant.now();
    enroll(Enrollment.create(null, "dev-6", null, null, null,
        Activation.auto().withWindow(now.minus(2, ChronoUnit.DAYS), now.minus(1, ChronoUnit.DAYS))));
    assertThat(ask(FACTORY.ldevid("dev-6"), "r-1", null).getString("reason")).contains("expired");
    enroll(Enrollment.create(null, "dev-7", null, null, null, Activation.auto().withMaxProvisionings(1)));
    DeviceIdentity dev7 = FACTORY.ldevid("dev-7");
    assertThat(ask(dev7, "r-1", null).getString("status")).isEqualTo("provisioned");
    assertThat(ask(dev7, "r-2", null).getString("reason")).contains("maximum number of provisionings");
  }

  @Test
  void provisioningThatFailsPartWayLeavesNoRowsAndCountsNothing() {
    // GIVEN a registration allowing one provisioning, and a database that refuses to store the sealed answer
    Enrollment enrollment = Enrollment.create(null, "dev-12", null, null, null, Activation.auto().withMaxProvisionings(1));
    enroll(enrollment);
    DeviceIdentity device = FACTORY.ldevid("dev-12");
    Await.result(db.update("CREATE TRIGGER refuse_answer BEFORE UPDATE OF answer_sealed ON provisioning_requests"
        + " BEGIN SELECT RAISE(ABORT, 'injected fault'); END", io.vertx.sqlclient.Tuple.tuple()));
    // WHEN the device asks THEN it gets a failure, not an answer
    assertThat(send(new ProvisioningRequestMessage(io.zto.shared.pki.DeviceIds.fromCertificate(device.certificate()).value(),
        "r-1", device.certificatePem(), null, new JsonObject(),
        "node-test").toJson()).toCompletionStage().toCompletableFuture().handle((m, e) -> e)).succeedsWithin(
        java.time.Duration.ofSeconds(10)).isNotNull();
    // AND nothing of the step was kept: no request, no secrets, no provisioned device, the budget untouched
    assertThat(Await.result(new ProvisioningRequestRepository(db).find("dev-12", "r-1"))).isEmpty();
    assertThat(Await.result(new CredentialRepository(db).get("dev-12"))).isEmpty();
    assertThat(Await.result(new ChallengeRepository(db).live("dev-12", Instant.now()))).isEmpty();
    assertThat(Await.result(new DeviceRepository(db).get("dev-12")).map(Device::state))
        .isNotEqualTo(java.util.Optional.of(Device.State.PROVISIONED));
    // AND once the fault is gone the same request provisions, within the budget of one
    Await.result(db.update("DROP TRIGGER refuse_answer", io.vertx.sqlclient.Tuple.tuple()));
    assertThat(ask(device, "r-1", null).getString("status")).isEqualTo("provisioned");
  }

  @Test
  void provenIdevidMatchesItsEnrollmentAndOneOfAnotherManufacturerIsRefused() {
    // GIVEN an enrollment by HardwareModuleName serial
    enroll(Enrollment.create(null, null, null, null, "HW-0008", Activation.auto()));
    DeviceIdentity idevid = FACTORY.idevid("SN-0008", "HW-0008");
    DeviceIdentity dev8 = FACTORY.ldevid("dev-8");
    // WHEN dev-8 proves its IDevID THEN it is provisioned and the serials are recorded
    assertThat(askWithProof(dev8, "r-1", proof(idevid, "r-1", "dev-8", dev8)).getString("status"))
        .isEqualTo("provisioned");
    Device row = Await.result(new DeviceRepository(db).get("dev-8")).orElseThrow();
    assertThat(row.idevidSerial()).isEqualTo("SN-0008");
    assertThat(row.hwmoduleSerial()).isEqualTo("HW-0008");
    // AND an IDevID of another manufacturer CA (a forgery of the same serial) is refused
    DeviceIdentity forged = DeviceIdentities.create().idevid("SN-0008", "HW-0008");
    DeviceIdentity dev9 = FACTORY.ldevid("dev-9");
    JsonObject refused = askWithProof(dev9, "r-1", proof(forged, "r-1", "dev-9", dev9));
    assertThat(refused.getString("status")).isEqualTo("rejected");
    assertThat(refused.getString("reason")).contains("IDevID of the idevidProof is not trusted");
  }

  @Test
  void requestForAnotherDevicesIdAndMalformedRequestsAreRefused() {
    enroll(Enrollment.create(null, "dev-10", null, null, null, Activation.auto()));
    // a request naming dev-10 with dev-11's LDevID
    ProvisioningRequestMessage spoofed = new ProvisioningRequestMessage("dev-10", "r-1",
        FACTORY.ldevid("dev-11").certificatePem(), null, null, "node-test");
    JsonObject answer = Await.result(vertx.eventBus().<JsonObject>request(Addresses.PROVISIONING_REQUEST,
        spoofed.toJson())).body();
    assertThat(answer.getString("reason")).contains("belongs to 'dev-11'");
    assertThat(Await.result(new CredentialRepository(db).get("dev-10"))).isEmpty();
    // a requestId of 65 characters, and a body without fields
    Throwable tooLong = Await.failure(send(new ProvisioningRequestMessage("dev-10", "x".repeat(65),
        FACTORY.ldevid("dev-10").certificatePem(), null, null, "n").toJson()));
    assertThat(((ReplyException) tooLong).failureCode()).isEqualTo(400);
    assertThat(tooLong).hasMessageContaining("requestId");
    Throwable empty = Await.failure(send(new JsonObject()));
    assertThat(((ReplyException) empty).failureCode()).isEqualTo(400);
  }

  @Test
  void revokedDeviceReprovisionsUnderAllowButWaitsAfterKeyCompromiseUntilApproved() {
    // GIVEN dev-20 provisioned under the default policy (allow) with a certificate revoked as superseded
    DeviceIdentity device = FACTORY.ldevid("dev-20");
    enroll(Enrollment.create(null, "dev-20", null, null, null, Activation.auto()));
    assertThat(ask(device, "r-1", null).getString("status")).isEqualTo("provisioned");
    revoke(issue("0a20", "dev-20"), RevocationReason.SUPERSEDED);
    // WHEN it asks again with a new requestId THEN it is provisioned at once
    assertThat(ask(device, "r-2", null).getString("status")).isEqualTo("provisioned");
    // WHEN its next certificate is revoked for key compromise and it asks again
    revoke(issue("0b20", "dev-20"), RevocationReason.KEY_COMPROMISE);
    JsonObject waiting = ask(device, "r-3", null);
    // THEN it waits, and the approval queue says why
    assertThat(waiting.getString("status")).isEqualTo("pending");
    assertThat(waiting.getString("reason")).contains("0b20", "keyCompromise");
    var row = Await.result(new ProvisioningRequestRepository(db).find("dev-20", "r-3")).orElseThrow();
    assertThat(row.reason()).contains("revoked for keyCompromise");
    assertThat(auditReasons("dev-20")).anyMatch(r -> r.startsWith("pending approval: certificate 0b20"));
    // WHEN an operator approves THEN it is provisioned, and asking later again is not held back any more
    JsonObject decided = Await.result(vertx.eventBus().<JsonObject>request(Addresses.PROVISIONING_DECIDE,
        new JsonObject().put("id", row.id()).put("decision", "approve"))).body();
    assertThat(decided.getString("status")).isEqualTo("provisioned");
    assertThat(ask(device, "r-3", null).getString("status")).isEqualTo("provisioned");
    assertThat(ask(device, "r-4", null).getString("status")).isEqualTo("provisioned");
  }

  @Test
  void manualPolicyHoldsEveryReprovisioningAndNeverRefusesIt() {
    // GIVEN dev-21 under reprovisionPolicy manual and dev-22 under never, both provisioned once
    enroll(Enrollment.create(null, "dev-21", null, null, null,
        Activation.auto().withReprovisionPolicy(ReprovisionPolicy.MANUAL)));
    enroll(Enrollment.create(null, "dev-22", null, null, null,
        Activation.auto().withReprovisionPolicy(ReprovisionPolicy.NEVER)));
    DeviceIdentity dev21 = FACTORY.ldevid("dev-21");
    DeviceIdentity dev22 = FACTORY.ldevid("dev-22");
    assertThat(ask(dev21, "r-1", null).getString("status")).isEqualTo("provisioned");
    assertThat(ask(dev22, "r-1", null).getString("status")).isEqualTo("provisioned");
    // WHEN both ask again with new requestIds (and the same LDevIDs)
    JsonObject manual = ask(dev21, "r-2", null);
    JsonObject never = ask(dev22, "r-2", null);
    // THEN the first waits for an operator, the second is refused, each saying why, and audited
    assertThat(manual.getString("status")).isEqualTo("pending");
    assertThat(manual.getString("reason")).contains("reprovisionPolicy manual");
    assertThat(never.getString("status")).isEqualTo("rejected");
    assertThat(never.getString("reason")).contains("does not allow re-provisioning");
    assertThat(auditReasons("dev-22")).anyMatch(r -> r.contains("reprovisionPolicy never"));
    // AND the refused device keeps its earlier secrets
    assertThat(Await.result(new CredentialRepository(db).get("dev-22")).orElseThrow().requestId()).isEqualTo("r-1");
  }

  @Test
  void retiredDeviceIsRefusedUntilRegisteredAgainAndAnApprovalOfADisabledDeviceIsRefused() {
    // GIVEN dev-23 provisioned, then retired (its enrollment closed)
    DeviceIdentity device = FACTORY.ldevid("dev-23");
    Enrollment enrollment = Await.result(enrollments.create(Enrollment.create(null, "dev-23", null, null, null,
        Activation.auto())));
    assertThat(ask(device, "r-1", null).getString("status")).isEqualTo("provisioned");
    DeviceRepository devices = new DeviceRepository(db);
    Await.result(devices.retire("dev-23", RevocationReason.CESSATION_OF_OPERATION, Instant.now().minusSeconds(5)));
    // WHEN it asks again THEN it is refused: retired
    JsonObject refused = ask(device, "r-2", null);
    assertThat(refused.getString("status")).isEqualTo("rejected");
    assertThat(refused.getString("reason")).contains("retired", "registered anew");
    // WHEN an operator re-enables its enrollment THEN it provisions as a new device
    Await.result(enrollments.setStatus(enrollment.id(), EnrollmentStatus.ENABLED, Instant.now()));
    assertThat(ask(device, "r-3", null).getString("status")).isEqualTo("provisioned");
    assertThat(Await.result(devices.get("dev-23")).orElseThrow().state()).isEqualTo(Device.State.PROVISIONED);
    // WHEN a device waiting for approval is disabled meanwhile THEN the approval is refused (409), audited
    enroll(Enrollment.create(null, "dev-24", null, null, null, Activation.auto().withApproval(Approval.MANUAL)));
    ask(FACTORY.ldevid("dev-24"), "r-1", null);
    Await.result(devices.setState("dev-24", Device.State.DISABLED, Instant.now()));
    String id = Await.result(new ProvisioningRequestRepository(db).find("dev-24", "r-1")).orElseThrow().id();
    Throwable approval = Await.failure(vertx.eventBus().request(Addresses.PROVISIONING_DECIDE,
        new JsonObject().put("id", id).put("decision", "approve")));
    assertThat(((ReplyException) approval).failureCode()).isEqualTo(409);
    assertThat(approval).hasMessageContaining("disabled");
    assertThat(auditReasons("dev-24")).anyMatch(r -> r.contains("is disabled"));
    assertThat(Await.result(new CredentialRepository(db).get("dev-24"))).isEmpty();
  }

  private IssuedCertificate issue(String serial, String deviceId) {
    Instant now = Instant.now();
    return Await.result(new CertificateRepository(db).insert(IssuedCertificate.issued(serial, deviceId, "issuing",
        "CN=" + deviceId, "device", "pk-" + serial, "fp-" + serial, now.minusSeconds(60), now.plusSeconds(3600),
        new byte[] {1})));
  }

  private void revoke(IssuedCertificate cert, RevocationReason reason) {
    assertThat(Await.result(new CertificateRepository(db).revoke(cert.serial(), reason, Instant.now()))).isPresent();
  }

  private java.util.stream.Stream<String> auditReasons(String subject) {
    return Await.result(new AuditRepository(db).list(new AuditRepository.Query(subject, null, null, null, null, 50)))
        .items().stream().map(AuditEvent::reason).filter(java.util.Objects::nonNull);
  }

  private JsonObject ask(DeviceIdentity device, String requestId, String idevidPem) {
    String deviceId = io.zto.shared.pki.DeviceIds.fromCertificate(device.certificate()).value();
    return Await.result(send(new ProvisioningRequestMessage(deviceId, requestId, device.certificatePem(), idevidPem,
        new JsonObject().put("fw", "1.0"), "node-test").toJson())).body();
  }

  private JsonObject askWithProof(DeviceIdentity device, String requestId, String proof) {
    String deviceId = io.zto.shared.pki.DeviceIds.fromCertificate(device.certificate()).value();
    return Await.result(send(new ProvisioningRequestMessage(deviceId, requestId, device.certificatePem(), null,
        new JsonObject().put("fw", "1.0"), "node-test", proof).toJson())).body();
  }

  private static String proof(DeviceIdentity idevid, String requestId, String deviceId, DeviceIdentity ldevid) {
    return IdevidProofs.sign(com.nimbusds.jose.JWSAlgorithm.ES256, idevid.key(), List.of(idevid.certificate()),
        IdevidProofs.claims(requestId, deviceId, Fingerprints.sha256(ldevid.certificate()), Instant.now()));
  }

  private Future<io.vertx.core.eventbus.Message<JsonObject>> send(JsonObject body) {
    return vertx.eventBus().request(Addresses.PROVISIONING_REQUEST, body);
  }

  private void enroll(Enrollment enrollment) {
    Await.result(enrollments.create(enrollment));
  }

  private TrustAnchor anchor(String name, TrustAnchor.Purpose purpose, X509Certificate ca) {
    return Await.result(new TrustAnchorRepository(db).create(TrustAnchor.create(name, purpose, Pem.encode(ca),
        Fingerprints.sha256(ca), ca.getSubjectX500Principal().getName(), ca.getNotAfter().toInstant())));
  }
}
