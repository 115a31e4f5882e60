package io.zto.provisioning;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.zto.shared.Platform;
import io.zto.shared.bus.BusFailure;
import io.zto.shared.bus.ProvisioningRequestMessage;
import io.zto.shared.domain.AuditEvent;
import io.zto.shared.domain.Device;
import io.zto.shared.domain.Enrollment;
import io.zto.shared.domain.EnrollmentGroup;
import io.zto.shared.domain.ProvisioningRequest;
import io.zto.shared.pki.Fingerprints;
import io.zto.shared.pki.Pem;
import io.zto.shared.store.AuditRepository;
import io.zto.shared.store.CertificateRepository;
import io.zto.shared.store.Database;
import io.zto.shared.store.DeviceRepository;
import io.zto.shared.store.EnrollmentRepository;
import io.zto.shared.store.ProvisioningRequestRepository;
import io.zto.shared.trust.TrustKernel;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * Answers provisioning requests (contract section 4): a repeated requestId within the window gets the
 * same answer (kept sealed, see {@link AnswerSeal}); a new one is checked (certificates through the trust
 * kernel, registration, the device's {@link IdentityBinding}, approval) and, when admitted, gets fresh
 * secrets from the {@link SecretIssuer} and binds the device to the anchor and LDevID it used.
 */
final class ProvisioningService {

  static final String PROVISIONED = "provisioned";
  static final String PENDING = "pending";
  static final String REJECTED = "rejected";

  private final Vertx vertx;
  private final Platform platform;
  private final Clock clock;
  private final EvidenceChecker evidence;
  private final EnrollmentRepository enrollments;
  private final ProvisioningRequestRepository requests;
  private final DeviceRepository devices;
  private final CertificateRepository certificates;
  private final AuditRepository audit;
  private final SecretIssuer secrets;
  private final AnswerSeal seal;

  ProvisioningService(Vertx vertx, Platform platform, Clock clock, TrustKernel kernel, SecretIssuer secrets,
                      AnswerSeal seal) {
    this.vertx = vertx;
    this.platform = platform;
    this.clock = clock;
    this.evidence = new EvidenceChecker(vertx, kernel, new IdevidProofChecker(vertx, kernel, clock));
    this.enrollments = new EnrollmentRepository(platform.db());
    this.requests = new ProvisioningRequestRepository(platform.db());
    this.devices = new DeviceRepository(platform.db());
    this.certificates = new CertificateRepository(platform.db());
    this.audit = new AuditRepository(platform.db());
    this.secrets = secrets;
    this.seal = seal;
  }

  /** The answer JSON; fails with a {@link ProvisioningException} (400) for a malformed request. */
  Future<JsonObject> handle(ProvisioningRequestMessage request) {
    String problem = RequestChecks.problem(request);
    if (problem != null) {
      return refuse(request, problem).compose(ignored -> Future.failedFuture(
          new ProvisioningException(BusFailure.BAD_REQUEST, problem)));
    }
    String oversized = RequestChecks.oversized(request);
    if (oversized != null) {
      return refuse(request, oversized).map(answer(request, REJECTED, oversized));
    }
    return requests.find(request.deviceId(), request.requestId())
        .compose(existing -> existing.isPresent() ? replayTo(request, existing.get()) : decide(request));
  }

  /**
   * The earlier answer to this requestId, only for the LDevID it was made for: the requestId is no secret,
   * and a certificate of another CA (or another LDevID) with the same device id repeating it must not get
   * the bound device's sealed secrets. Refused and audited otherwise; the device may ask with a new requestId.
   */
  private Future<JsonObject> replayTo(ProvisioningRequestMessage request, ProvisioningRequest earlier) {
    if (earlier.ldevidFingerprint() == null && earlier.status() == ProvisioningRequest.Status.REJECTED) {
      // refused before its LDevID was known: the same refusal, whoever repeats it
      return replay(request, earlier);
    }
    return vertx.executeBlocking(() -> leafFingerprint(request.ldevidPem()), false).compose(presented -> {
      if (earlier.ldevidFingerprint() != null && earlier.ldevidFingerprint().equals(presented)) {
        return replay(request, earlier);
      }
      String reason = "requestId '" + request.requestId() + "' of device " + request.deviceId()
          + " was sent with another LDevID; its answer goes only to that one: send a new requestId";
      return refuse(request, reason).map(answer(request, REJECTED, reason));
    });
  }

  /** SHA-256 of the presented chain's leaf; null if there is none to read. */
  private static String leafFingerprint(String chainPem) {
    try {
      List<java.security.cert.X509Certificate> chain = Pem.readCertificates(chainPem);
      return chain.isEmpty() ? null : Fingerprints.sha256(chain.get(0));
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  private Future<JsonObject> replay(ProvisioningRequestMessage request, ProvisioningRequest earlier) {
    Instant now = clock.instant();
    if (earlier.createdAt().plus(window()).isBefore(now)) {
      String reason = "requestId '" + request.requestId() + "' was used at " + earlier.createdAt()
          + "; send a new requestId to provision again";
      return refuse(request, reason).map(answer(request, REJECTED, reason));
    }
    return switch (earlier.status()) {
      case PENDING -> Future.succeededFuture(answer(request, PENDING, "waiting for an operator to approve"));
      case REJECTED -> Future.succeededFuture(answer(request, REJECTED, earlier.reason()));
      case PROVISIONED -> requests.readAnswer(earlier.id(), now).compose(sealed -> sealed
          .map(s -> Future.succeededFuture(seal.open(earlier.id(), s.sealed())))
          .orElseGet(() -> Future.failedFuture(new ProvisioningException(BusFailure.UNAVAILABLE,
              "the answer to requestId '" + request.requestId() + "' is still being prepared; ask again"))));
    };
  }

  private Future<JsonObject> decide(ProvisioningRequestMessage request) {
    return evidence.check(request)
        .compose(device -> devices.get(device.deviceId()).compose(stored -> {
          Device existing = stored.orElse(null);
          if (existing != null && existing.state() == Device.State.DISABLED) {
            return reject(request, device, "device " + existing.id() + " is disabled by an operator;"
                + " it may provision again once enabled");
          }
          return match(request, device, existing);
        }))
        .recover(failure -> failure instanceof RefusedException
            ? reject(request, null, failure.getMessage())
            : Future.failedFuture(failure));
  }

  private Future<JsonObject> match(ProvisioningRequestMessage request, DeviceEvidence device, Device existing) {
    Future<List<Enrollment>> candidates = enrollments.findCandidates(device.deviceId(),
        device.ldevidFingerprint(), device.idevidSerial(), device.hwmoduleSerial());
    Future<List<EnrollmentGroup>> groups =
        enrollments.groupsOfTrustAnchors(device.ldevidAnchorIds());
    return Future.all(candidates, groups).compose(both -> {
      EnrollmentMatcher.Decision decision = EnrollmentMatcher.decide(device, candidates.result(), groups.result(),
          clock.instant());
      if (!decision.matched()) {
        return rememberUnknown(device).compose(ignored -> unmatched(device))
            .compose(note -> reject(request, device, decision.refusal() + note));
      }
      if (existing != null && existing.state() == Device.State.RETIRED) {
        return reregistered(request, device, decision, existing);
      }
      if (decision.refusal() != null) {
        return reject(request, device, decision.refusal());
      }
      return certificates.lastRevokedOf(device.deviceId()).compose(lastRevoked -> {
        var rule = ReprovisioningRule.apply(decision.activation(), registration(decision), existing,
            lastRevoked.orElse(null));
        if (rule.isPresent() && rule.get().refused()) {
          return reject(request, device, rule.get().reason());
        }
        String held = IdentityBinding.hold(existing, device, decision.enrollment());
        if (held != null) {
          return hold(request, device, decision, held);
        }
        return rule.isPresent() ? park(request, device, decision, rule.get().reason())
            : byApproval(request, device, decision, boundBefore(existing));
      });
    });
  }

  /**
   * For an unknown device that sent its IDevID as bare PEM: whether that IDevID is enrolled, so that the
   * refusal says why it did not count (a copied certificate proves nothing; the device must sign an
   * idevidProof). Empty when there is nothing to add.
   */
  private Future<String> unmatched(DeviceEvidence device) {
    DeviceEvidence.BareIdevid bare = device.bareIdevid();
    if (bare == null || (bare.serial() == null && bare.hwmoduleSerial() == null)) {
      return Future.succeededFuture("");
    }
    return enrollments.findCandidates(null, null, bare.serial(), bare.hwmoduleSerial())
        .map(found -> found.isEmpty() ? "" : "; the request's 'idevid' (a bare IDevID certificate) is not"
            + " evidence, since anyone can copy a certificate: prove the IDevID with an 'idevidProof' signed with"
            + " its private key");
  }

  /** The LDevID fingerprint the device is bound to ("" if none): a provisioning changes only that row. */
  private static String boundBefore(Device existing) {
    return existing == null || existing.binding() == null ? "" : existing.binding().ldevidFingerprint();
  }

  /**
   * A retired device provisions again only under a registration made for it after it was retired: an
   * individual enrollment created or re-enabled since. It then starts over as a new device.
   */
  private Future<JsonObject> reregistered(ProvisioningRequestMessage request, DeviceEvidence device,
                                          EnrollmentMatcher.Decision decision, Device retired) {
    Enrollment enrollment = decision.enrollment();
    if (decision.refusal() != null || enrollment == null || !enrollment.updatedAt().isAfter(retired.updatedAt())) {
      return reject(request, device, "device " + retired.id() + " was retired at " + retired.updatedAt()
          + "; it provisions again only once registered anew (an individual enrollment created or re-enabled since)");
    }
    // registered anew, it starts over unbound
    return devices.reregister(retired.id(), retired.updatedAt(), clock.instant())
        .compose(ignored -> byApproval(request, device, decision, ""));
  }

  private Future<JsonObject> byApproval(ProvisioningRequestMessage request, DeviceEvidence device,
                                        EnrollmentMatcher.Decision decision, String boundBefore) {
    return switch (decision.activation().approval()) {
      case MANUAL -> park(request, device, decision, "waiting for an operator to approve");
      case AUTO -> provision(request, device, decision, boundBefore);
    };
  }

  /**
   * Admits the device in one transaction: the request recorded, the registration's budget counted, the
   * hashes of the new secrets, the device row (bound to this anchor and LDevID), the sealed answer and the
   * audit entry, all committed together or not at all. A copy of the request handled at the same moment
   * finds the row and replays it without counting; a spent budget rolls the step back and refuses; a
   * device whose binding (or block) changed since it was looked at rolls it back too, and the device is
   * told to ask again, when the change is seen.
   */
  private Future<JsonObject> provision(ProvisioningRequestMessage request, DeviceEvidence device,
                                       EnrollmentMatcher.Decision decision, String boundBefore) {
    return secrets.draw(device.deviceId())
        .compose(drawn -> platform.db().atomically(db -> admit(db, request, device, decision, drawn, boundBefore)))
        .compose(step -> step.answer() != null ? Future.succeededFuture(step.answer())
            : replayTo(request, step.earlier()))
        .recover(failure -> {
          if (failure instanceof BudgetSpent) {
            return reject(request, device, "the maximum number of provisionings of this registration is reached");
          }
          if (failure instanceof DeviceChanged) {
            return Future.failedFuture(new ProvisioningException(BusFailure.UNAVAILABLE, "device " + device.deviceId()
                + " changed while this request was decided; ask again"));
          }
          return Future.failedFuture(failure);
        });
  }

  /** What the admitting transaction came to: the answer, or the earlier request of the same id to replay. */
  private record Admitted(JsonObject answer, ProvisioningRequest earlier) {}

  /** Rolls the admitting transaction back: the device row was bound, disabled or retired meanwhile. */
  private static final class DeviceChanged extends RuntimeException {
    DeviceChanged() {
      super("device changed meanwhile", null, false, false);
    }
  }

  /** Rolls the admitting transaction back: the registration may not provision once more. */
  private static final class BudgetSpent extends RuntimeException {
    BudgetSpent() {
      super("provisioning budget spent", null, false, false);
    }
  }

  private Future<Admitted> admit(Database db, ProvisioningRequestMessage request, DeviceEvidence device,
                                 EnrollmentMatcher.Decision decision, SecretIssuer.Drawn drawn, String boundBefore) {
    Instant now = clock.instant();
    ProvisioningRequestRepository inTx = new ProvisioningRequestRepository(db);
    EnrollmentRepository budgets = new EnrollmentRepository(db);
    return inTx.record(received(request, device, ProvisioningRequest.Status.PROVISIONED, null)
            .withMatch(enrollmentId(decision), groupId(decision)))
        .compose(recorded -> {
          if (!recorded.created()) {
            return Future.succeededFuture(new Admitted(null, recorded.request()));
          }
          Future<Boolean> budget = decision.enrollment() != null
              ? budgets.countProvisioning(decision.enrollment().id(), now)
              : budgets.countGroupProvisioning(decision.group().id(), now);
          return budget.compose(counted -> counted
              ? issueSecrets(db, request, device, decision, recorded.request(), drawn, boundBefore)
                  .map(a -> new Admitted(a, null))
              : Future.failedFuture(new BudgetSpent()));
        });
  }

  private Future<JsonObject> issueSecrets(Database db, ProvisioningRequestMessage request, DeviceEvidence device,
                                          EnrollmentMatcher.Decision decision, ProvisioningRequest row,
                                          SecretIssuer.Drawn drawn, String boundBefore) {
    Device.Binding binding = IdentityBinding.of(device, clock.instant());
    return secrets.store(db, drawn, decision.tenant(), request.requestId(), decision.activation().application())
        .map(config -> answer(request, PROVISIONED, null).put("config", config))
        .compose(answer -> new DeviceRepository(db).upsertIfBoundTo(deviceRow(request, device, decision,
                Device.State.PROVISIONED).withBinding(binding), boundBefore)
            .compose(stored -> stored.state() == Device.State.PROVISIONED && stored.binding() != null
                && stored.binding().ldevidFingerprint().equals(binding.ldevidFingerprint())
                ? Future.succeededFuture() : Future.<Void>failedFuture(new DeviceChanged()))
            .compose(ignored -> new ProvisioningRequestRepository(db).storeAnswer(row.id(), seal.seal(row.id(), answer),
                clock.instant().plus(window())))
            .compose(ignored -> record(new AuditRepository(db), AuditEvent.succeeded(device.deviceId(),
                "provisioning.provision", device.deviceId()), request, decision))
            .map(answer));
  }

  /**
   * Holds a request that disagrees with the device's binding for an operator: recorded as pending with the
   * reason, audited, and nothing else changed: the device row, its credentials and its challenge stay as
   * they are, so the bound device keeps working while someone decides.
   */
  private Future<JsonObject> hold(ProvisioningRequestMessage request, DeviceEvidence device,
                                  EnrollmentMatcher.Decision decision, String reason) {
    return requests.record(received(request, device, ProvisioningRequest.Status.PENDING, reason)
            .withMatch(enrollmentId(decision), groupId(decision)))
        .compose(recorded -> recorded.created()
            ? record(new AuditEvent(0, clock.instant(), device.deviceId(), "provisioning.request", device.deviceId(),
                AuditEvent.Outcome.SUCCEEDED, "pending approval: " + reason, null, null), request, decision)
                .map(answer(request, PENDING, reason))
            : replayTo(request, recorded.request()));
  }

  private Future<JsonObject> park(ProvisioningRequestMessage request, DeviceEvidence device,
                                  EnrollmentMatcher.Decision decision, String reason) {
    return requests.record(received(request, device, ProvisioningRequest.Status.PENDING, reason)
            .withMatch(enrollmentId(decision), groupId(decision)))
        .compose(recorded -> recorded.created()
            ? devices.upsert(deviceRow(request, device, decision, Device.State.PENDING))
                .compose(ignored -> record(new AuditEvent(0, clock.instant(), device.deviceId(), "provisioning.request",
                    device.deviceId(), AuditEvent.Outcome.SUCCEEDED, "pending approval: " + reason, null, null), request,
                    decision))
                .map(answer(request, PENDING, reason))
            : replayTo(request, recorded.request()));
  }

  private Future<JsonObject> reject(ProvisioningRequestMessage request, DeviceEvidence device, String reason) {
    return requests.record(received(request, device, ProvisioningRequest.Status.REJECTED, reason))
        .compose(recorded -> refuse(request, reason))
        .map(answer(request, REJECTED, reason));
  }

  /** An unknown device is recorded so that an operator sees it asked; a known one keeps its state. */
  private Future<Void> rememberUnknown(DeviceEvidence device) {
    return devices.get(device.deviceId()).compose(existing -> existing.isPresent()
        ? Future.succeededFuture()
        : devices.upsert(Device.seen(device.deviceId(), Enrollment.DEFAULT_TENANT,
                Device.State.UNKNOWN)
            .withLdevid(device.ldevidFingerprint(), device.ldevid().getSerialNumber().toString(16),
                device.ldevid().getIssuerX500Principal().getName())
            .withIdevid(device.idevidSerial(), device.hwmoduleSerial())).mapEmpty());
  }

  private Future<Void> refuse(ProvisioningRequestMessage request, String reason) {
    return record(AuditEvent.refused(request.deviceId(), "provisioning.request", request.deviceId(), reason),
        request, null);
  }

  private Future<Void> record(AuditEvent event, ProvisioningRequestMessage request, EnrollmentMatcher.Decision decision) {
    return record(audit, event, request, decision);
  }

  private Future<Void> record(AuditRepository audit, AuditEvent event, ProvisioningRequestMessage request,
                              EnrollmentMatcher.Decision decision) {
    JsonObject details = new JsonObject().put("requestId", request.requestId());
    if (decision != null) {
      details.put("enrollmentId", enrollmentId(decision)).put("groupId", groupId(decision));
    }
    return audit.append(event.withDetails(details).withNode(platform.nodeId())).mapEmpty();
  }

  private static Device deviceRow(ProvisioningRequestMessage request, DeviceEvidence device,
                                  EnrollmentMatcher.Decision decision, Device.State state) {
    return Device.seen(device.deviceId(), decision.tenant(), state)
        .withEnrollment(enrollmentId(decision), groupId(decision))
        .withLdevid(device.ldevidFingerprint(), device.ldevid().getSerialNumber().toString(16),
            device.ldevid().getIssuerX500Principal().getName())
        .withIdevid(device.idevidSerial(), device.hwmoduleSerial())
        .withRequest(request.requestId(), request.info());
  }

  private static ProvisioningRequest received(ProvisioningRequestMessage request, DeviceEvidence device,
                                              ProvisioningRequest.Status status, String reason) {
    ProvisioningRequest row = ProvisioningRequest.received(request.deviceId(), request.requestId(), status, reason,
        device == null ? null : device.ldevidFingerprint(), device == null ? null : device.idevidSerial(),
        device == null ? null : device.hwmoduleSerial(), request.info());
    return device == null ? row : row.withPresented(new ProvisioningRequest.Presented(device.anchor().id(),
        device.anchor().fingerprint(), device.ldevidSerial(), device.ldevidIssuer()));
  }

  static JsonObject answer(ProvisioningRequestMessage request, String status, String reason) {
    JsonObject answer = new JsonObject().put("requestId", request.requestId()).put("status", status);
    return reason == null ? answer : answer.put("reason", reason);
  }

  private static String registration(EnrollmentMatcher.Decision decision) {
    return decision.enrollment() != null ? "enrollment " + decision.enrollment().id()
        : "enrollment group " + decision.group().name();
  }

  private static String enrollmentId(EnrollmentMatcher.Decision decision) {
    return decision.enrollment() == null ? null : decision.enrollment().id();
  }

  private static String groupId(EnrollmentMatcher.Decision decision) {
    return decision.group() == null ? null : decision.group().id();
  }

  private Duration window() {
    return platform.config().provisioning().requestIdWindow();
  }
}
