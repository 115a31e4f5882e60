package io.zto.deploy;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.zto.shared.bus.Addresses;
import io.zto.shared.domain.ProvisioningRequest;
import io.zto.shared.store.ProvisioningRequestRepository;

/**
 * {@code /api/v1/provisioning-requests}: the approval queue. Decisions go to the provisioning service
 * over the bus, which provisions the device and pushes the answer to it.
 */
final class ProvisioningRequestApi {

  private final Vertx vertx;
  private final ProvisioningRequestRepository requests;

  ProvisioningRequestApi(Vertx vertx, ProvisioningRequestRepository requests) {
    this.vertx = vertx;
    this.requests = requests;
  }

  void list(RoutingContext ctx) {
    requests.list(ApiRequests.enumQuery(ctx, "status", ProvisioningRequest.Status.class), ApiRequests.cursor(ctx),
            ApiRequests.limit(ctx))
        .onSuccess(page -> ApiResponses.page(ctx, page, ProvisioningRequest::toJson))
        .onFailure(failure -> ApiResponses.fail(ctx, failure));
  }

  void approve(RoutingContext ctx) {
    decide(ctx, "approve", null);
  }

  void reject(RoutingContext ctx) {
    decide(ctx, "reject", ApiRequests.body(ctx).getString("reason"));
  }

  private void decide(RoutingContext ctx, String decision, String reason) {
    JsonObject message = new JsonObject().put("id", ApiRequests.id(ctx)).put("decision", decision)
        .put("reason", reason).put("actor", ApiRequests.actor(ctx));
    ApiResponses.reply(ctx, 200, vertx.eventBus().<JsonObject>request(Addresses.PROVISIONING_DECIDE, message)
        .map(reply -> reply.body()));
  }
}
