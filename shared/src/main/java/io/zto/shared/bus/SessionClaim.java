package io.zto.shared.bus;

import io.vertx.core.json.JsonObject;
import java.util.Objects;

/**
 * Body of {@link Addresses#BROKER_SESSION_TAKEN} and of requests to {@link Addresses#brokerNode}: a client
 * connects to {@code node} and takes its MQTT session there.
 *
 * @param clientId the MQTT client id; empty in a liveness probe
 * @param node the broker node the client connects to
 * @param cleanStart whether the client starts clean: the old session is discarded, not handed over
 */
public record SessionClaim(String clientId, String node, boolean cleanStart) {

  public SessionClaim {
    Objects.requireNonNull(clientId, "clientId");
    Objects.requireNonNull(node, "node");
  }

  /** A liveness probe: asks a node to answer, hands nothing over. */
  public static SessionClaim probe(String node) {
    return new SessionClaim("", node, false);
  }

  public boolean isProbe() {
    return clientId.isEmpty();
  }

  public JsonObject toJson() {
    return new JsonObject().put("clientId", clientId).put("node", node).put("cleanStart", cleanStart);
  }

  public static SessionClaim fromJson(JsonObject json) {
    return new SessionClaim(json.getString("clientId", ""), json.getString("node"),
        json.getBoolean("cleanStart", false));
  }

  /**
   * The answer of the node that held the session: its id and whether it had the session, stored now.
   */
  public static JsonObject reply(String node, boolean held) {
    return new JsonObject().put("node", node).put("held", held);
  }
}
