package io.zto.shared.bus;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * Body of {@link Addresses#REVOCATION_REQUEST}: what the revocation service is asked to do.
 *
 * @param action what to do
 * @param subject the certificate serial ({@link Action#REVOKE_CERTIFICATE}), the device id (the device
 *     actions) or the CRL source id ({@link Action#DELETE_SOURCE}); null for {@link Action#ANNOUNCE_REVOKED}
 * @param serials the certificates revoked already, for {@link Action#ANNOUNCE_REVOKED}; else empty
 * @param reason the RFC 5280 reason name, for {@link Action#REVOKE_CERTIFICATE} (null: unspecified)
 * @param actor who asks, for the audit log (an operator, or the device that re-enrolled)
 */
public record RevocationRequest(Action action, String subject, List<String> serials, String reason, String actor) {

  /** What the revocation service does. */
  public enum Action {
    /** Revoke one platform certificate; {@code keyCompromise} revokes every valid one of its device. */
    REVOKE_CERTIFICATE,
    /** Announce and list on the CRL certificates revoked in the database already (EST's supersede). */
    ANNOUNCE_REVOKED,
    /** Block a device: state disabled, sessions dropped, refused everywhere; certificates stay valid. */
    DISABLE_DEVICE,
    /** Lift an operator's block. */
    ENABLE_DEVICE,
    /** Retire a device: its certificates revoked (cessationOfOperation), credentials gone, dropped. */
    RETIRE_DEVICE,
    /** Delete an external CRL source: its entries unblock. */
    DELETE_SOURCE;

    String label() {
      return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    static Action parse(String label) {
      for (Action action : values()) {
        if (action.label().equals(label)) {
          return action;
        }
      }
      throw new IllegalArgumentException("unknown revocation action '" + label + "'");
    }
  }

  public RevocationRequest {
    Objects.requireNonNull(action, "action");
    serials = serials == null ? List.of() : List.copyOf(serials);
    if (action == Action.ANNOUNCE_REVOKED ? serials.isEmpty() : subject == null || subject.isEmpty()) {
      throw new IllegalArgumentException(action == Action.ANNOUNCE_REVOKED
          ? "announce-revoked needs the serials" : action.label() + " needs a subject");
    }
  }

  public static RevocationRequest revokeCertificate(String serial, String reason, String actor) {
    return new RevocationRequest(Action.REVOKE_CERTIFICATE, serial, List.of(), reason, actor);
  }

  public static RevocationRequest announceRevoked(List<String> serials, String actor) {
    return new RevocationRequest(Action.ANNOUNCE_REVOKED, null, serials, null, actor);
  }

  public static RevocationRequest device(Action action, String deviceId, String actor) {
    return new RevocationRequest(action, deviceId, List.of(), null, actor);
  }

  public static RevocationRequest deleteSource(String sourceId, String actor) {
    return new RevocationRequest(Action.DELETE_SOURCE, sourceId, List.of(), null, actor);
  }

  public JsonObject toJson() {
    return new JsonObject().put("action", action.label()).put("subject", subject).put("serials", new JsonArray(serials))
        .put("reason", reason).put("actor", actor);
  }

  /** The request of a message body; an {@link IllegalArgumentException} says what is wrong with it. */
  public static RevocationRequest fromJson(JsonObject json) {
    if (json == null) {
      throw new IllegalArgumentException("a revocation request needs a JSON body");
    }
    try {
      JsonArray serials = json.getJsonArray("serials");
      return new RevocationRequest(Action.parse(json.getString("action")), json.getString("subject"),
          serials == null ? List.of() : serials.stream().map(String.class::cast).toList(), json.getString("reason"),
          json.getString("actor"));
    } catch (ClassCastException e) {
      throw new IllegalArgumentException("malformed revocation request: " + e.getMessage());
    }
  }
}
