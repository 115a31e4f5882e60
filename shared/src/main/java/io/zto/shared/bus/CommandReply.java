package io.zto.shared.bus;

import io.vertx.core.json.JsonObject;
import java.util.Objects;

/**
 * Body of {@link Addresses#COMMAND_REPLY}: what a device published on
 * {@code devices/{deviceId}/commands/{commandId}/reply}.
 *
 * @param payload the reply as the device sent it (UTF-8 text, normally {@code {"status", "result"}})
 */
public record CommandReply(String deviceId, String commandId, String payload) {

  public CommandReply {
    Objects.requireNonNull(deviceId, "deviceId");
    Objects.requireNonNull(commandId, "commandId");
    Objects.requireNonNull(payload, "payload");
  }

  public JsonObject toJson() {
    return new JsonObject().put("deviceId", deviceId).put("commandId", commandId).put("payload", payload);
  }

  public static CommandReply fromJson(JsonObject json) {
    return new CommandReply(json.getString("deviceId"), json.getString("commandId"), json.getString("payload"));
  }
}
