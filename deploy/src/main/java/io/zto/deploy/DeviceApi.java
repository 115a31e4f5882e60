package io.zto.deploy;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.zto.shared.bus.Addresses;
import io.zto.shared.bus.DropSessions;
import io.zto.shared.bus.RevocationEvent;
import io.zto.shared.domain.AuditEvent;
import io.zto.shared.domain.Device;
import io.zto.shared.domain.IssuedCertificate;
import io.zto.shared.domain.Page;
import io.zto.shared.domain.ProvisioningRequest;
import io.zto.shared.domain.Renewal;
import io.zto.shared.domain.RevocationReason;
import io.zto.shared.pki.PlatformPki;
import io.zto.shared.store.AuditRepository;
import io.zto.shared.store.CertificateRepository;
import io.zto.shared.store.DeviceRepository;
import io.zto.shared.store.ProvisioningRequestRepository;
import java.time.Instant;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;


/**
 * {@code /api/v1/devices}: the fleet. Disabling drops the device's sessions and refuses it everywhere
 * (provisioning, EST, both MQTT listeners) while leaving its certificates valid for enable; retiring also
 * revokes its certificates (cessationOfOperation), deletes its credentials and closes its individual
 * enrollment (docs/lifecycle.md).
 */
final class DeviceApi {

  private static final Logger LOG = LoggerFactory.getLogger(DeviceApi.class);

  private final Vertx vertx;
  private final DeviceRepository devices;
  private final CertificateRepository certificates;
  private final ProvisioningRequestRepository requests;
  private final AuditRepository audit;
  private final int renewalWarningPercent;

  DeviceApi(Vertx vertx, DeviceRepository devices, CertificateRepository certificates,
            ProvisioningRequestRepository requests, AuditRepository audit, int renewalWarningPercent) {
    this.vertx = vertx;
    this.devices = devices;
    this.certificates = certificates;
    this.requests = requests;
    this.audit = audit;
    this.renewalWarningPercent = renewalWarningPercent;
  }

  void list(RoutingContext ctx) {
    devices.list(ApiRequests.enumQuery(ctx, "state", Device.State.class), ApiRequests.query(ctx, "tenant"),
            ApiRequests.cursor(ctx), ApiRequests.limit(ctx))
        .onSuccess(page -> ApiResponses.page(ctx, page, Device::toJson))
        .onFailure(failure -> ApiResponses.fail(ctx, failure));
  }

  /**
   * The device with, when it waits in the approval queue, {@code pending} (which request and why) and,
   * once it holds a certificate, {@code renewal} of its latest one ({@link Renewal}).
   */
  void get(RoutingContext ctx) {
    String id = ApiRequests.id(ctx);
    ApiResponses.reply(ctx, 200, existing(id).compose(device -> {
      Future<Optional<ProvisioningRequest>> latest = requests.latestOf(id);
      Future<Page<CertificateRepository.Renewing>> newest = certificates.list(id, false, Instant.now(),
          renewalWarningPercent, null, 1);
      return Future.all(latest, newest).map(both -> {
        JsonObject json = device.toJson();
        latest.result().filter(r -> r.status() == ProvisioningRequest.Status.PENDING).ifPresent(r -> json.put("pending",
            new JsonObject().put("id", r.id()).put("requestId", r.requestId()).put("reason", r.reason())
                .put("since", r.createdAt().toString())));
        newest.result().items().stream().findFirst().ifPresent(c -> json.put("renewal",
            c.renewal().toJson().put("serial", c.certificate().serial())));
        return json;
      });
    }));
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

  /**
   * Retires in one transaction ({@link DeviceRepository#retire}), then announces it: sessions dropped on
   * every node, one revocation event per certificate, the CRL reissued, audited. If the node dies after
   * the commit, the device is refused everywhere already (its state and revoked certificates are
   * checked at every connect and enrollment) and a repeated DELETE announces again and reissues the CRL.
   */
  void retire(RoutingContext ctx) {
    String id = ApiRequests.id(ctx);
    Instant now = Instant.now();
    devices.retire(id, RevocationReason.CESSATION_OF_OPERATION, now)
        .map(done -> done.orElseThrow(() -> ApiResponses.notFound("no device with id '" + id + "'")))
        .compose(retirement -> {
          block(id, "retired by an operator");
          retirement.revoked().forEach(cert -> publish(new RevocationEvent(RevocationEvent.Kind.CERTIFICATE,
              RevocationEvent.Action.BLOCKED, cert.serial(), null, id,
              RevocationReason.CESSATION_OF_OPERATION.rfcName(), now)));
          return reissueCrl().compose(ignored -> audit.append(new AuditEvent(0, now, ApiRequests.actor(ctx),
              "device.retire", id, AuditEvent.Outcome.SUCCEEDED, "retired by an operator", new JsonObject()
                  .put("revoked", new JsonArray(retirement.revoked().stream().map(IssuedCertificate::serial).toList()))
                  .put("enrollmentClosed", retirement.device().enrollmentId()), null)));
        })
        .onSuccess(ignored -> ctx.response().setStatusCode(204).end())
        .onFailure(failure -> ApiResponses.fail(ctx, failure));
  }

  /** The CRL verticle renews before nextUpdate anyway, so a failed reissue is logged, not fatal. */
  private Future<Void> reissueCrl() {
    return vertx.eventBus().request(Addresses.CRL_REISSUE, new JsonObject().put("ca", PlatformPki.ISSUING_CA))
        .<Void>mapEmpty()
        .otherwise(failure -> {
          LOG.warn("CRL reissue after a retirement failed: {}", failure.getMessage());
          return null;
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
