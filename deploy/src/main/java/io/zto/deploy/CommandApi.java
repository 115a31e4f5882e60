package io.zto.deploy;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.zto.shared.bus.Addresses;
import io.zto.shared.domain.Command;
import io.zto.shared.store.CommandRepository;

/** {@code /api/v1/devices/{id}/commands} and {@code /api/v1/commands/{id}}: signed remote-management commands. */
final class CommandApi {

  private final Vertx vertx;
  private final CommandRepository commands;

  CommandApi(Vertx vertx, CommandRepository commands) {
    this.vertx = vertx;
    this.commands = commands;
  }

  void send(RoutingContext ctx) {
    JsonObject request = ApiRequests.body(ctx).copy().put("deviceId", ApiRequests.id(ctx))
        .put("actor", ApiRequests.actor(ctx));
    ApiResponses.reply(ctx, 201, vertx.eventBus().<JsonObject>request(Addresses.COMMAND_CREATE, request)
        .map(reply -> reply.body()));
  }

  void listOfDevice(RoutingContext ctx) {
    commands.listByDevice(ApiRequests.id(ctx), ApiRequests.cursor(ctx), ApiRequests.limit(ctx))
        .onSuccess(page -> ApiResponses.page(ctx, page, Command::toJson))
        .onFailure(failure -> ApiResponses.fail(ctx, failure));
  }

  void get(RoutingContext ctx) {
    String id = ApiRequests.id(ctx);
    ApiResponses.reply(ctx, 200, commands.get(id).map(found -> found
        .orElseThrow(() -> ApiResponses.notFound("no command with id '" + id + "'")).toJson()));
  }
}
