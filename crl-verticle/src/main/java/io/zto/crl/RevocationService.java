package io.zto.crl;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.zto.shared.bus.Addresses;
import io.zto.shared.bus.BusFailure;
import io.zto.shared.bus.CrlSourceEvents;
import io.zto.shared.bus.RevocationEvent;
import io.zto.shared.bus.RevocationRequest;
import io.zto.shared.domain.AuditEvent;
import io.zto.shared.domain.CrlSource;
import io.zto.shared.domain.Device;
import io.zto.shared.domain.IssuedCertificate;
import io.zto.shared.domain.RevocationReason;
import io.zto.shared.store.AuditRepository;
import io.zto.shared.store.CertificateRepository;
import io.zto.shared.store.CrlSourceRepository;
import io.zto.shared.store.DeviceRepository;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one owner of revocation: every certificate revoked and every device blocked goes through here, in
 * the same order: stored (one transaction) → announced on {@link Addresses#REVOCATION_EVENTS} (every broker
 * node drops the sessions the change concerns, by serial and verified issuer or by device) → the
 * platform CRL reissued when a certificate of it changed → audited.
 *
 * <p>Operators (the API) and EST ask over {@link Addresses#REVOCATION_REQUEST} ({@link RevocationRequest});
 * the CRL sync of this verticle calls it directly. Every crl node consumes the address and keeps nothing
 * in memory (the state is the database's), so a clustered request is answered once, by whichever node
 * gets it. Refusals are answered with their HTTP status ({@link BusFailure}).
 *
 * <p>A node that dies after the commit leaves the change in force (listeners check certificate status and
 * device state at every connect and enrollment); repeating the request announces again and reissues the
 * CRL, and without a repeat the CRL lists it at its next scheduled reissue.
 */
final class RevocationService {

  private static final Logger LOG = LoggerFactory.getLogger(RevocationService.class);

  private final Vertx vertx;
  private final CertificateRepository certificates;
  private final DeviceRepository devices;
  private final CrlSourceRepository sources;
  private final AuditRepository audit;
  private final CoalescedReissue crl;
  private final String issuingCaFingerprint;
  private final String nodeId;
  private final Clock clock;

  RevocationService(Vertx vertx, CertificateRepository certificates, DeviceRepository devices,
                    CrlSourceRepository sources, AuditRepository audit, OwnCrlIssuer crl, String issuingCaFingerprint,
                    String nodeId, Clock clock) {
    this.vertx = vertx;
    this.certificates = certificates;
    this.devices = devices;
    this.sources = sources;
    this.audit = audit;
    this.crl = new CoalescedReissue(crl);
    this.issuingCaFingerprint = issuingCaFingerprint;
    this.nodeId = nodeId;
    this.clock = clock;
  }

  /** Answers {@link Addresses#REVOCATION_REQUEST}; completes once the consumer is registered. */
  Future<Void> start() {
    return vertx.eventBus().<JsonObject>consumer(Addresses.REVOCATION_REQUEST, this::answer).completion();
  }

  private void answer(Message<JsonObject> message) {
    RevocationRequest request;
    try {
      request = RevocationRequest.fromJson(message.body());
    } catch (IllegalArgumentException e) {
      message.fail(BusFailure.BAD_REQUEST, e.getMessage());
      return;
    }
    Future<JsonObject> done;
    try {
      done = handle(request);
    } catch (RuntimeException e) {
      done = Future.failedFuture(e);
    }
    done.onSuccess(message::reply).onFailure(failure -> {
      if (failure instanceof Refusal refusal) {
        message.fail(refusal.status(), refusal.getMessage());
      } else {
        LOG.error("revocation request {} {} failed", request.action(), request.subject(), failure);
        message.fail(BusFailure.INTERNAL, "the revocation could not be completed: " + failure.getMessage());
      }
    });
  }

  /** Does what the request asks; fails with a {@link Refusal} (its status and reason) when it may not. */
  Future<JsonObject> handle(RevocationRequest request) {
    String actor = request.actor() == null ? "unknown" : request.actor();
    return switch (request.action()) {
      case REVOKE_CERTIFICATE -> revokeCertificate(request.subject(), request.reason(), actor);
      case ANNOUNCE_REVOKED -> announceRevoked(request.serials(), actor);
      case DISABLE_DEVICE -> disable(request.subject(), actor);
      case ENABLE_DEVICE -> enable(request.subject(), actor);
      case RETIRE_DEVICE -> retire(request.subject(), actor);
      case DELETE_SOURCE -> deleteSource(request.subject(), actor);
    };
  }

  /**
   * Revokes a platform certificate. {@code keyCompromise} revokes every valid certificate of its device
   * (contract section 9: a device's siblings were issued on the strength of a key now in other hands) and
   * raises the reason of the named one if it was revoked already for another reason. The reply is the
   * certificate as stored, with {@code alsoRevoked} (the siblings' serials) and {@code crlReissued}.
   */
  private Future<JsonObject> revokeCertificate(String serial, String reasonName, String actor) {
    RevocationReason reason;
    try {
      reason = reasonName == null ? RevocationReason.UNSPECIFIED : RevocationReason.parse(reasonName);
    } catch (IllegalArgumentException e) {
      return refused(actor, "certificate.revoke", serial, new Refusal(BusFailure.BAD_REQUEST, e.getMessage()));
    }
    boolean allOfDevice = reason == RevocationReason.KEY_COMPROMISE;
    Instant now = clock.instant();
    return certificates.revoke(serial, reason, allOfDevice, now).compose(done -> {
      if (done.isEmpty()) {
        return refused(actor, "certificate.revoke", serial,
            new Refusal(BusFailure.NOT_FOUND, "no certificate with serial " + serial));
      }
      CertificateRepository.Revoked revoked = done.get();
      if (revoked.changed().isEmpty()) {
        return refused(actor, "certificate.revoke", serial, new Refusal(BusFailure.CONFLICT, "certificate " + serial
            + " is revoked already (" + revoked.certificate().revocationReason().rfcName() + ")"));
      }
      List<String> siblings = revoked.changed().stream().map(IssuedCertificate::serial)
          .filter(s -> !s.equals(serial)).toList();
      return announceCertificates(revoked.changed(), now).compose(reissued -> audited(new AuditEvent(0, now, actor,
              "certificate.revoke", serial, AuditEvent.Outcome.SUCCEEDED, reason.rfcName(), new JsonObject()
              .put("deviceId", revoked.certificate().deviceId()).put("alsoRevoked", new JsonArray(siblings)), nodeId))
          .map(ignored -> revoked.certificate().toJson().put("alsoRevoked", new JsonArray(siblings))
              .put("crlReissued", reissued)));
    });
  }

  /**
   * Announces certificates another component revoked in its own transaction (EST's {@code simplereenroll}
   * revokes the presented certificate as superseded together with storing the new one), and reissues the
   * CRL. Serials that are unknown or not revoked are skipped: only what the database says is announced.
   */
  private Future<JsonObject> announceRevoked(List<String> serials, String actor) {
    List<Future<Optional<IssuedCertificate>>> reads = serials.stream().map(certificates::get).toList();
    return Future.all(reads).compose(all -> {
      List<IssuedCertificate> revoked = reads.stream().map(Future::result).flatMap(Optional::stream)
          .filter(c -> c.status() == IssuedCertificate.Status.REVOKED).toList();
      if (revoked.isEmpty()) {
        return Future.failedFuture(new Refusal(BusFailure.NOT_FOUND,
            "none of " + serials + " is a revoked certificate"));
      }
      Instant now = clock.instant();
      return announceCertificates(revoked, now)
          .compose(reissued -> Future.all(revoked.stream().map(c -> audited(new AuditEvent(0, now, actor,
                  "certificate.revoke", c.serial(), AuditEvent.Outcome.SUCCEEDED, c.revocationReason().rfcName(),
                  new JsonObject().put("deviceId", c.deviceId()), nodeId))).toList())
              .map(ignored -> new JsonObject().put("announced", new JsonArray(revoked.stream()
                  .map(IssuedCertificate::serial).toList())).put("crlReissued", reissued)));
    });
  }

  /**
   * Disables a device: refused everywhere, its sessions on every listener dropped by the one
   * {@code DEVICE BLOCKED} event; its certificates and credentials stay, so enabling restores it.
   */
  private Future<JsonObject> disable(String id, String actor) {
    Instant now = clock.instant();
    return existing(id).compose(device -> {
      if (device.state() == Device.State.RETIRED) {
        return refused(actor, "device.disable", id, new Refusal(BusFailure.CONFLICT, "device " + id + " is retired"));
      }
      return devices.setState(id, Device.State.DISABLED, now)
          .map(ignored -> publish(new RevocationEvent(RevocationEvent.Kind.DEVICE, RevocationEvent.Action.BLOCKED,
              null, null, id, "disabled by an operator", now)))
          .compose(ignored -> audited(AuditEvent.succeeded(actor, "device.disable", id)))
          .compose(ignored -> existing(id)).map(Device::toJson);
    });
  }

  private Future<JsonObject> enable(String id, String actor) {
    Instant now = clock.instant();
    return existing(id).compose(device -> {
      if (device.state() != Device.State.DISABLED) {
        return refused(actor, "device.enable", id, new Refusal(BusFailure.CONFLICT, "device " + id + " is "
            + device.state().name().toLowerCase(Locale.ROOT) + ", not disabled"));
      }
      Device.State back = device.provisionedAt() != null ? Device.State.PROVISIONED : Device.State.UNKNOWN;
      return devices.setState(id, back, now)
          .map(ignored -> publish(new RevocationEvent(RevocationEvent.Kind.DEVICE, RevocationEvent.Action.UNBLOCKED,
              null, null, id, "enabled by an operator", now)))
          .compose(ignored -> audited(AuditEvent.succeeded(actor, "device.enable", id)))
          .compose(ignored -> existing(id)).map(Device::toJson);
    });
  }

  /**
   * Retires in one transaction ({@link DeviceRepository#retire}), then announces each certificate it
   * revoked and the device, reissues the CRL and audits. Safe to repeat: nothing more is revoked, the
   * device is announced again and the CRL reissued.
   */
  private Future<JsonObject> retire(String id, String actor) {
    Instant now = clock.instant();
    return devices.retire(id, RevocationReason.CESSATION_OF_OPERATION, now).compose(done -> {
      if (done.isEmpty()) {
        return Future.failedFuture(new Refusal(BusFailure.NOT_FOUND, "no device with id '" + id + "'"));
      }
      DeviceRepository.Retirement retirement = done.get();
      publish(new RevocationEvent(RevocationEvent.Kind.DEVICE, RevocationEvent.Action.BLOCKED, null, null, id,
          "retired by an operator", now));
      List<String> serials = retirement.revoked().stream().map(IssuedCertificate::serial).toList();
      JsonObject details = new JsonObject().put("revoked", new JsonArray(serials))
          .put("enrollmentClosed", retirement.device().enrollmentId());
      return announceCertificates(retirement.revoked(), now).compose(reissued -> audited(new AuditEvent(0, now, actor,
              "device.retire", id, AuditEvent.Outcome.SUCCEEDED, "retired by an operator", details, nodeId))
          .map(ignored -> new JsonObject().put("deviceId", id).put("revoked", new JsonArray(serials))
              .put("crlReissued", reissued)));
    });
  }

  /** Deletes an external CRL source; each of its entries is announced unblocked. */
  private Future<JsonObject> deleteSource(String id, String actor) {
    if (CrlSource.PLATFORM_ID.equals(id)) {
      return Future.failedFuture(new Refusal(BusFailure.CONFLICT, "'" + id + "' is the platform's own issuing CA,"
          + " a built-in CRL source that cannot be deleted; revoke its certificates with"
          + " POST /api/v1/certificates/{serial}/revoke"));
    }
    return sources.get(id).compose(found -> {
      if (found.isEmpty()) {
        return Future.failedFuture(new Refusal(BusFailure.NOT_FOUND, "no CRL source with id '" + id + "'"));
      }
      CrlSource source = found.get();
      Instant now = clock.instant();
      return sources.delete(id).compose(serials -> {
        List<RevocationEvent> events = serials.orElse(List.of()).stream().map(serial -> new RevocationEvent(
            RevocationEvent.Kind.CERTIFICATE, RevocationEvent.Action.UNBLOCKED, serial, source.issuerFingerprint(),
            null, "CRL source deleted", now)).toList();
        return CrlSourceEvents.publish(vertx, events).map(events.size());
      }).compose(unblocked -> audited(AuditEvent.succeeded(actor, "crl-source.delete", id)
              .withDetails(new JsonObject().put("url", source.url()).put("unblocked", unblocked)))
          .map(ignored -> new JsonObject().put("id", id).put("unblocked", unblocked)));
    });
  }

  /**
   * Announces what an accepted CRL of an external source changed: one event per serial listed or
   * released, published in slices ({@link CrlSourceEvents}). Building 100,000 events runs on a worker.
   *
   * @param entries the CRL's entries, for the reason of each newly listed serial (unspecified when absent)
   * @param released the reason given for serials no longer listed
   */
  Future<Void> sourceChanged(CrlSource source, CrlSource.Diff diff, List<CrlSource.Entry> entries, String released,
                             Instant at) {
    return vertx.executeBlocking(() -> {
      Map<String, RevocationReason> reasons = new HashMap<>();
      entries.forEach(entry -> reasons.put(entry.serial(), entry.reason()));
      List<RevocationEvent> events = new ArrayList<>(diff.added().size() + diff.removed().size());
      for (String serial : diff.added()) {
        RevocationReason reason = reasons.get(serial);
        events.add(new RevocationEvent(RevocationEvent.Kind.CERTIFICATE, RevocationEvent.Action.BLOCKED, serial,
            source.issuerFingerprint(), null, (reason == null ? RevocationReason.UNSPECIFIED : reason).rfcName(), at));
      }
      for (String serial : diff.removed()) {
        events.add(new RevocationEvent(RevocationEvent.Kind.CERTIFICATE, RevocationEvent.Action.UNBLOCKED, serial,
            source.issuerFingerprint(), null, released, at));
      }
      return events;
    }, false).compose(events -> CrlSourceEvents.publish(vertx, events));
  }

  /** A refuse-all source turned stale: every session under its issuer is dropped. */
  void issuerStale(CrlSource source, Instant at) {
    publish(new RevocationEvent(RevocationEvent.Kind.ISSUER, RevocationEvent.Action.BLOCKED, null,
        source.issuerFingerprint(), null, "issuer's CRL is stale", at));
  }

  /**
   * One {@code CERTIFICATE BLOCKED} event per certificate, each with the issuing CA's fingerprint (the
   * issuer that verifies the platform's certificates) and its device, then one CRL reissue (shared with
   * the revocations that arrive meanwhile, {@link CoalescedReissue}). True if the CRL was reissued; a
   * failed reissue is logged, not fatal: the revocation is stored, and the CRL verticle reissues before
   * nextUpdate anyway.
   */
  private Future<Boolean> announceCertificates(List<IssuedCertificate> revoked, Instant now) {
    for (IssuedCertificate certificate : revoked) {
      publish(new RevocationEvent(RevocationEvent.Kind.CERTIFICATE, RevocationEvent.Action.BLOCKED,
          certificate.serial(), issuingCaFingerprint, certificate.deviceId(), certificate.revocationReason().rfcName(),
          now));
    }
    if (revoked.isEmpty()) {
      return Future.succeededFuture(false);
    }
    return crl.request().map(true).otherwise(failure -> {
      LOG.warn("CRL reissue after revoking {} failed: {}", revoked.stream().map(IssuedCertificate::serial).toList(),
          failure.getMessage());
      return false;
    });
  }

  private Void publish(RevocationEvent event) {
    vertx.eventBus().publish(Addresses.REVOCATION_EVENTS, event.toJson());
    return null;
  }

  private Future<Device> existing(String id) {
    return devices.get(id).compose(found -> found.map(Future::succeededFuture).orElseGet(() ->
        Future.failedFuture(new Refusal(BusFailure.NOT_FOUND, "no device with id '" + id + "'"))));
  }

  /** Audits a refusal, then fails with it. */
  private <T> Future<T> refused(String actor, String action, String subject, Refusal refusal) {
    return audited(AuditEvent.refused(actor, action, subject, refusal.getMessage()))
        .transform(ignored -> Future.failedFuture(refusal));
  }

  /** Appends to the audit log; a failure to do so is logged, never passed on (the change is made). */
  private Future<Void> audited(AuditEvent event) {
    return audit.append(event.withNode(nodeId)).<Void>mapEmpty().otherwise(failure -> {
      LOG.warn("cannot write the audit event {} {}: {}", event.action(), event.subject(), failure.getMessage());
      return null;
    });
  }

  /** A request the service turns down: its HTTP status and a reason for a person. */
  static final class Refusal extends RuntimeException {
    private final int status;

    Refusal(int status, String message) {
      super(message, null, false, false);
      this.status = status;
    }

    int status() {
      return status;
    }
  }
}
