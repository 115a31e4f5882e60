package io.zto.deploy;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.zto.shared.bus.RevocationRequest;
import io.zto.shared.domain.Device;
import io.zto.shared.domain.Page;
import io.zto.shared.domain.ProvisioningRequest;
import io.zto.shared.domain.Renewal;
import io.zto.shared.store.CertificateRepository;
import io.zto.shared.store.DeviceRepository;
import io.zto.shared.store.ProvisioningRequestRepository;
import java.time.Instant;
import java.util.Optional;

/**
 * {@code /api/v1/devices}: the fleet. Disabling drops the device's sessions and refuses it everywhere
 * (provisioning, EST, both MQTT listeners) while leaving its certificates valid for enable; retiring also
 * revokes its certificates (cessationOfOperation), deletes its credentials and closes its individual
 * enrollment (docs/lifecycle.md). Disable, enable and retire are done by the revocation service
 * ({@link Revocations}), which stores, announces and audits them.
 */
final class DeviceApi {

  private final DeviceRepository devices;
  private final CertificateRepository certificates;
  private final ProvisioningRequestRepository requests;
  private final Revocations revocations;
  private final int renewalWarningPercent;

  DeviceApi(DeviceRepository devices, CertificateRepository certificates, ProvisioningRequestRepository requests,
            Revocations revocations, int renewalWarningPercent) {
    this.devices = devices;
    this.certificates = certificates;
    this.requests = requests;
    this.revocations = revocations;
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

  /** Through the revocation service: state disabled, one {@code DEVICE BLOCKED} event drops every session. */
  void disable(RoutingContext ctx) {
    ApiResponses.reply(ctx, 200, revocations.ask(RevocationRequest.device(RevocationRequest.Action.DISABLE_DEVICE,
        ApiRequests.id(ctx), ApiRequests.actor(ctx))));
  }

  void enable(RoutingContext ctx) {
    ApiResponses.reply(ctx, 200, revocations.ask(RevocationRequest.device(RevocationRequest.Action.ENABLE_DEVICE,
        ApiRequests.id(ctx), ApiRequests.actor(ctx))));
  }

  /**
   * Retires through the revocation service: in one transaction ({@code DeviceRepository.retire}), then
   * announced (sessions dropped on every node, one revocation event per certificate), the CRL reissued,
   * audited. If the node dies after the commit, the device is refused everywhere already (its state and
   * revoked certificates are checked at every connect and enrollment) and a repeated DELETE announces
   * again and reissues the CRL.
   */
  void retire(RoutingContext ctx) {
    revocations.ask(RevocationRequest.device(RevocationRequest.Action.RETIRE_DEVICE, ApiRequests.id(ctx),
            ApiRequests.actor(ctx)))
        .onSuccess(ignored -> ctx.response().setStatusCode(204).end())
        .onFailure(failure -> ApiResponses.fail(ctx, failure));
  }

  private Future<Device> existing(String id) {
    return devices.get(id).map(found -> found.orElseThrow(() -> ApiResponses.notFound("no device with id '" + id + "'")));
  }
}
