package io.zto.shared.bus;

import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.Objects;

/**
 * Body of {@link Addresses#REVOCATION_EVENTS}: one change of the list of blocked certificates and devices.
 *
 * @param serial hex serial of the certificate, for {@link Kind#CERTIFICATE}
 * @param issuerFingerprint SHA-256 of the issuing CA certificate, for {@link Kind#CERTIFICATE} and {@link Kind#ISSUER}
 * @param deviceId the device, for {@link Kind#DEVICE} (and when known for a certificate)
 * @param reason RFC 5280 reason name or the operator's reason
 */
public record RevocationEvent(Kind kind, Action action, String serial, String issuerFingerprint, String deviceId,
                              String reason, Instant at) {

  /**
   * What is blocked: one certificate (serial + issuer), one device, or every certificate of an issuer
   * (its CRL source is stale under the refuse-all policy; the serial is null).
   */
  public enum Kind { CERTIFICATE, DEVICE, ISSUER }

  public enum Action { BLOCKED, UNBLOCKED }

  public RevocationEvent {
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(action, "action");
    Objects.requireNonNull(at, "at");
    if (kind == Kind.CERTIFICATE && serial == null) {
      throw new IllegalArgumentException("a certificate event needs a serial");
    }
    if (kind == Kind.ISSUER && issuerFingerprint == null) {
      throw new IllegalArgumentException("an issuer event needs an issuerFingerprint");
    }
    if (kind == Kind.DEVICE && deviceId == null) {
      throw new IllegalArgumentException("a device event needs a deviceId");
    }
  }

  public JsonObject toJson() {
    return new JsonObject().put("kind", kind.name()).put("action", action.name()).put("serial", serial)
        .put("issuerFingerprint", issuerFingerprint).put("deviceId", deviceId).put("reason", reason)
        .put("at", at.toString());
  }

  public static RevocationEvent fromJson(JsonObject json) {
    return new RevocationEvent(Kind.valueOf(json.getString("kind")), Action.valueOf(json.getString("action")),
        json.getString("serial"), json.getString("issuerFingerprint"), json.getString("deviceId"),
        json.getString("reason"), Instant.parse(json.getString("at")));
  }
}
