package io.zto.deploy;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.zto.shared.bus.Addresses;
import io.zto.shared.bus.DropSessions;
import io.zto.shared.bus.RevocationEvent;
import io.zto.shared.domain.AuditEvent;
import io.zto.shared.domain.Device;
import io.zto.shared.domain.EnrollmentStatus;
import io.zto.shared.domain.IssuedCertificate;
import io.zto.shared.domain.RevocationReason;
import io.zto.shared.pki.PlatformPki;
import io.zto.shared.store.AuditRepository;
import io.zto.shared.store.CertificateRepository;
import io.zto.shared.store.CredentialRepository;
import io.zto.shared.store.DeviceRepository;
import io.zto.shared.store.EnrollmentRepository;
import java.time.Instant;


/**
 * {@code /api/v1/devices}: the fleet. Disabling drops the device's sessions and refuses it everywhere
 * while leaving its certificates valid for enable; retiring also revokes its certificates
 * (cessationOfOperation), deletes its credentials and closes its individual enrollment.
 */
final class DeviceApi {

  private final Vertx vertx;
  private final DeviceRepository devices;
  private final CredentialRepository credentials;
  private final CertificateRepository certificates;
  private final EnrollmentRepository enrollments;
  private final AuditRepository audit;

  DeviceApi(Vertx vertx, DeviceRepository devices, CredentialRepository credentials, CertificateRepository certificates,
            EnrollmentRepository enrollments, AuditRepository audit) {
    this.vertx = vertx;
    this.devices = devices;
    this.credentials = credentials;
    this.certificates = certificates;
    this.enrollments = enrollments;
    this.audit = audit;
  }

  void list(RoutingContext ctx) {
    devices.list(ApiRequests.enumQuery(ctx, "state", Device.State.class), ApiRequests.query(ctx, "tenant"),
            ApiRequests.cursor(ctx), ApiRequests.limit(ctx))
        .onSuccess(page -> ApiResponses.page(ctx, page, Device::toJson))
        .onFailure(failure -> ApiResponses.fail(ctx, failure));
  }

  void get(RoutingContext ctx) {
    ApiResponses.reply(ctx, 200, existing(ApiRequests.id(ctx)).map(Device::toJson));
  }

  void disable(RoutingContext ctx) {
    String id = ApiRequests.id(ctx);
    ApiResponses.reply(ctx, 200, existing(id).compose(device -> {
      if (device.state() == Device.State.RETIRED) {
        return Future.failedFuture(ApiResponses.conflict("device " + id + " is retired"));
      }
      return devices.setState(id, Device.State.DISABLED, Instant.now())
          .map(ignored -> block(id, "disabled by an operator"))
          .compose(ignored -> audited(ctx, "device.disable", id))
          .compose(ignored -> existing(id)).map(Device::toJson);
    }));
  }

  void enable(RoutingContext ctx) {
    String id = ApiRequests.id(ctx);
    ApiResponses.reply(ctx, 200, existing(id).compose(device -> {
      if (device.state() != Device.State.DISABLED) {
        return Future.failedFuture(ApiResponses.conflict("device " + id + " is " + state(device) + ", not disabled"));
      }
      Device.State back = device.provisionedAt() != null ? Device.State.PROVISIONED : Device.State.UNKNOWN;
      return devices.setState(id, back, Instant.now())
          .map(ignored -> publish(new RevocationEvent(RevocationEvent.Kind.DEVICE, RevocationEvent.Action.UNBLOCKED,
              null, null, id, "enabled by an operator", Instant.now())))
          .compose(ignored -> audited(ctx, "device.enable", id))
          .compose(ignored -> existing(id)).map(Device::toJson);
    }));
  }

  void retire(RoutingContext ctx) {
    String id = ApiRequests.id(ctx);
    existing(id).compose(device -> devices.setState(id, Device.State.RETIRED, Instant.now())
            .map(ignored -> block(id, "retired by an operator"))
            .compose(ignored -> credentials.delete(id))
            .compose(ignored -> closeEnrollment(device))
            .compose(ignored -> revokeCertificates(id))
            .compose(ignored -> audited(ctx, "device.retire", id)))
        .onSuccess(ignored -> ctx.response().setStatusCode(204).end())
        .onFailure(failure -> ApiResponses.fail(ctx, failure));
  }

  private Future<Void> closeEnrollment(Device device) {
    return device.enrollmentId() == null ? Future.succeededFuture()
        : enrollments.setStatus(device.enrollmentId(), EnrollmentStatus.DISABLED, Instant.now()).mapEmpty();
  }

  /** Revokes the device's valid certificates and has the CRL reissued at once. */
  private Future<Void> revokeCertificates(String id) {
    Instant now = Instant.now();
    return certificates.currentOf(id, now).compose(current -> {
      Future<?> chain = Future.succeededFuture();
      for (IssuedCertificate cert : current) {
        chain = chain.compose(ignored -> certificates.revoke(cert.serial(), RevocationReason.CESSATION_OF_OPERATION, now))
            .map(revoked -> publish(new RevocationEvent(RevocationEvent.Kind.CERTIFICATE, RevocationEvent.Action.BLOCKED,
                cert.serial(), null, id, RevocationReason.CESSATION_OF_OPERATION.rfcName(), now)));
      }
      return chain.compose(ignored -> current.isEmpty() ? Future.succeededFuture()
          : vertx.eventBus().request(Addresses.CRL_REISSUE, new JsonObject().put("ca", PlatformPki.ISSUING_CA))
              .otherwiseEmpty().mapEmpty());
    });
  }

  private Void block(String id, String reason) {
    vertx.eventBus().publish(Addresses.BROKER_DROP_SESSIONS, new DropSessions(id, null, reason).toJson());
    return publish(new RevocationEvent(RevocationEvent.Kind.DEVICE, RevocationEvent.Action.BLOCKED, null, null, id,
        reason, Instant.now()));
  }

  private Void publish(RevocationEvent event) {
    vertx.eventBus().publish(Addresses.REVOCATION_EVENTS, event.toJson());
    return null;
  }

  private Future<Device> existing(String id) {
    return devices.get(id).map(found -> found.orElseThrow(() -> ApiResponses.notFound("no device with id '" + id + "'")));
  }

  private Future<Void> audited(RoutingContext ctx, String action, String subject) {
    return audit.append(AuditEvent.succeeded(ApiRequests.actor(ctx), action, subject)).mapEmpty();
  }

  private static String state(Device device) {
    return device.state().name().toLowerCase();
  }

}
