package io.zto.simulator;

import java.time.Instant;

/** Something that happened to a device agent, for logs, tests and the fleet simulator's figures. */
public record AgentEvent(Kind kind, String deviceId, String detail, Instant at) {

  public enum Kind {
    PROVISIONING, PROVISIONED, REJECTED, ENROLLED, CONNECTED, DISCONNECTED, RENEWED, REPROVISIONING, COMMAND,
    COMMAND_REJECTED, FAILED, TELEMETRY
  }

  static AgentEvent of(Kind kind, String deviceId, String detail) {
    return new AgentEvent(kind, deviceId, detail, Instant.now());
  }
}
