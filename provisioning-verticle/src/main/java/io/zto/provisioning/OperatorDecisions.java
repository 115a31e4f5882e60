package io.zto.provisioning;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.zto.shared.Platform;
import io.zto.shared.bus.Addresses;
import io.zto.shared.bus.BusFailure;
import io.zto.shared.bus.DeliverMessage;
import io.zto.shared.bus.Topics;
import io.zto.shared.domain.Activation;
import io.zto.shared.domain.AuditEvent;
import io.zto.shared.domain.Device;
import io.zto.shared.domain.Enrollment;
import io.zto.shared.domain.ProvisioningRequest;
import io.zto.shared.store.AuditRepository;
import io.zto.shared.store.DeviceRepository;
import io.zto.shared.store.EnrollmentRepository;
import io.zto.shared.store.ProvisioningRequestRepository;
import java.time.Clock;
import java.time.Instant;

/**
 * An operator's decision on a pending provisioning request. Approving provisions the device as an
 * automatic match would, binds it to the trust anchor and LDevID the request presented (for a request
 * held because they differ from the device's binding, this is the operator moving the device: see
 * {@link IdentityBinding}), and publishes the answer to its response topic, so a device still subscribed
 * gets its config at once; one that comes back later with the same requestId gets it from the sealed
 * answer. Only one decision wins: deciding is atomic on the request row.
 */
final class OperatorDecisions {

  private final Vertx vertx;
  private final Platform platform;
  private final Clock clock;
  private final SecretIssuer secrets;
  private final AnswerSeal seal;
  private final ProvisioningRequestRepository requests;
  private final EnrollmentRepository enrollments;
  private final DeviceRepository devices;
  private final AuditRepository audit;

  OperatorDecisions(Vertx vertx, Platform platform, Clock clock, SecretIssuer secrets, AnswerSeal seal) {
    this.vertx = vertx;
    this.platform = platform;
    this.clock = clock;
    this.secrets = secrets;
    this.seal = seal;
    this.requests = new ProvisioningRequestRepository(platform.db());
    this.enrollments = new EnrollmentRepository(platform.db());
    this.devices = new DeviceRepository(platform.db());
    this.audit = new AuditRepository(platform.db());
  }

  /** The decided request as JSON (never the device's secrets). */
  Future<JsonObject> decide(String id, boolean approve, String reason, String actor) {
    return requests.get(id).compose(found -> {
      ProvisioningRequest row = found.orElseThrow(() ->
          new ProvisioningException(BusFailure.NOT_FOUND, "no provisioning request with id '" + id + "'"));
      if (row.status() != ProvisioningRequest.Status.PENDING) {
        throw new ProvisioningException(BusFailure.CONFLICT, "provisioning request " + id + " was already decided: "
            + row.status().name().toLowerCase());
      }
      return approve ? blocked(row).compose(why -> why == null ? approve(row, actor) : refuse(row, actor, why))
          : reject(row, reason == null ? "rejected by an operator" : reason, actor);
    });
  }

  /** Why a device disabled or retired since it asked may not be approved; null if it may. */
  private Future<String> blocked(ProvisioningRequest row) {
    return devices.get(row.deviceId()).map(device -> device
        .filter(d -> d.state() == Device.State.DISABLED || d.state() == Device.State.RETIRED)
        .map(d -> "device " + d.id() + " is " + d.state().name().toLowerCase() + "; enable or register it first")
        .orElse(null));
  }

  private Future<JsonObject> refuse(ProvisioningRequest row, String actor, String reason) {
    return audit.append(AuditEvent.refused(actor, "provisioning.approve", row.deviceId(), reason)
            .withDetails(new JsonObject().put("requestId", row.requestId()).put("id", row.id()))
            .withNode(platform.nodeId()))
        .compose(ignored -> Future.failedFuture(new ProvisioningException(BusFailure.CONFLICT, reason)));
  }

  private Future<JsonObject> approve(ProvisioningRequest row, String actor) {
    return registration(row).compose(registration -> budget(row)
        .compose(counted -> {
          if (!counted) {
            throw new ProvisioningException(BusFailure.CONFLICT,
                "the maximum number of provisionings of this registration is reached");
          }
          return decided(row, ProvisioningRequest.Status.PROVISIONED, null, actor);
        })
        .compose(ignored -> secrets.issue(row.deviceId(), registration.tenant(), row.requestId(),
            registration.activation().application()))
        .map(config -> answer(row, ProvisioningService.PROVISIONED, null).put("config", config))
        .compose(answer -> devices.setState(row.deviceId(), Device.State.PROVISIONED, clock.instant())
            .compose(ignored -> bind(row))
            .compose(ignored -> requests.storeAnswer(row.id(), seal.seal(row.id(), answer),
                clock.instant().plus(platform.config().provisioning().requestIdWindow())))
            .map(ignored -> deliver(row, answer)))
        .compose(ignored -> audited(row, actor, "provisioning.approve", null))
        .compose(ignored -> requests.get(row.id()))
        .map(updated -> updated.orElseThrow().toJson()));
  }

  /** Binds the device to what the approved request presented (a request recorded before that: its LDevID only). */
  private Future<Void> bind(ProvisioningRequest row) {
    if (row.ldevidFingerprint() == null) {
      return Future.succeededFuture();
    }
    ProvisioningRequest.Presented presented = row.presented();
    Device.Binding binding = new Device.Binding(presented == null ? null : presented.anchorId(),
        presented == null ? null : presented.anchorFingerprint(), row.ldevidFingerprint(), clock.instant());
    return devices.bind(row.deviceId(), binding, presented == null ? null : presented.ldevidSerial(),
        presented == null ? null : presented.ldevidIssuer()).mapEmpty();
  }

  private Future<JsonObject> reject(ProvisioningRequest row, String reason, String actor) {
    return decided(row, ProvisioningRequest.Status.REJECTED, reason, actor)
        .map(ignored -> deliver(row, answer(row, ProvisioningService.REJECTED, reason)))
        .compose(ignored -> audited(row, actor, "provisioning.reject", reason))
        .compose(ignored -> requests.get(row.id()))
        .map(updated -> updated.orElseThrow().toJson());
  }

  private Future<Void> decided(ProvisioningRequest row, ProvisioningRequest.Status status, String reason, String actor) {
    return requests.decide(row.id(), status, reason, actor, clock.instant()).map(won -> {
      if (!won) {
        throw new ProvisioningException(BusFailure.CONFLICT, "provisioning request " + row.id()
            + " was decided meanwhile");
      }
      return null;
    });
  }

  /** The enrollment or group the request matched, which gives tenant and application config. */
  private Future<Registration> registration(ProvisioningRequest row) {
    if (row.enrollmentId() != null) {
      return enrollments.get(row.enrollmentId()).map(e -> e.map(x -> new Registration(x.tenant(), x.activation()))
          .orElseThrow(() -> gone(row)));
    }
    if (row.groupId() != null) {
      return enrollments.getGroup(row.groupId()).map(g -> g.map(x -> new Registration(x.tenant(), x.activation()))
          .orElseThrow(() -> gone(row)));
    }
    return Future.succeededFuture(new Registration(Enrollment.DEFAULT_TENANT, null));
  }

  private Future<Boolean> budget(ProvisioningRequest row) {
    Instant now = clock.instant();
    if (row.enrollmentId() != null) {
      return enrollments.countProvisioning(row.enrollmentId(), now);
    }
    return row.groupId() != null ? enrollments.countGroupProvisioning(row.groupId(), now) : Future.succeededFuture(true);
  }

  private static ProvisioningException gone(ProvisioningRequest row) {
    return new ProvisioningException(BusFailure.CONFLICT, "the registration that request " + row.id()
        + " matched was deleted; register the device again");
  }

  private record Registration(String tenant, Activation activation) {
    @Override
    public Activation activation() {
      return activation == null ? Activation.auto() : activation;
    }
  }

  /** To the waiting device: only to the session of the LDevID that asked (the answer may carry secrets). */
  private Void deliver(ProvisioningRequest row, JsonObject answer) {
    vertx.eventBus().publish(Addresses.BROKER_DELIVER, new DeliverMessage(Topics.provisionResponse(row.deviceId()),
        answer.toBuffer(), 1, false, new JsonObject().put("contentType", "application/json")
            .put("audience", row.ldevidFingerprint())).toJson());
    return null;
  }

  /** The decision audited; an approval also names what the device is now bound to. */
  private Future<Void> audited(ProvisioningRequest row, String actor, String action, String reason) {
    JsonObject details = new JsonObject().put("requestId", row.requestId()).put("id", row.id());
    if (action.endsWith(".approve")) {
      details.put("ldevidFingerprint", row.ldevidFingerprint())
          .put("trustAnchor", row.presented() == null ? null : row.presented().anchorId());
    }
    return audit.append(new AuditEvent(0, clock.instant(), actor, action, row.deviceId(), AuditEvent.Outcome.SUCCEEDED,
        reason, details, platform.nodeId())).mapEmpty();
  }

  private static JsonObject answer(ProvisioningRequest row, String status, String reason) {
    JsonObject answer = new JsonObject().put("requestId", row.requestId()).put("status", status);
    return reason == null ? answer : answer.put("reason", reason);
  }
}
