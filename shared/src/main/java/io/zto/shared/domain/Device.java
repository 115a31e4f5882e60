package io.zto.shared.domain;

import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.Objects;

/**
 * A device as the platform knows it, also an unknown one that asked to be provisioned.
 *
 * @param ldevidFingerprint lowercase hex SHA-256 of the LDevID's DER
 * @param lastRequestId     the requestId of its latest provisioning request
 * @param info              the free-form {@code info} of its latest request
 * @param binding           what it is bound to since its first successful provisioning; null before
 */
public record Device(String id, String tenant, State state, String enrollmentId, String groupId,
                     String ldevidFingerprint, String ldevidSerial, String ldevidIssuer, String idevidSerial,
                     String hwmoduleSerial, String lastRequestId, JsonObject info, Instant createdAt,
                     Instant updatedAt, Instant provisionedAt, Instant lastSeenAt, Binding binding) {

  /** Lifecycle of a device. */
  public enum State { UNKNOWN, PENDING, PROVISIONED, DISABLED, RETIRED }

  /**
   * The trust anchor and LDevID a device is bound to (contract v2, "device identity is bound"): a
   * request for its id with another anchor or LDevID waits for an operator.
   *
   * @param anchorId id of the {@code ldevid} trust anchor; null for a device bound before anchors were
   *     recorded (bound to its LDevID only until its next provisioning)
   * @param anchorFingerprint SHA-256 of the anchor certificate, what is compared; null as {@code anchorId}
   * @param ldevidFingerprint SHA-256 of the LDevID's DER
   * @param boundAt when it was bound
   */
  public record Binding(String anchorId, String anchorFingerprint, String ldevidFingerprint, Instant boundAt) {

    public Binding {
      Objects.requireNonNull(ldevidFingerprint, "ldevidFingerprint");
    }

    public JsonObject toJson() {
      return new JsonObject().put("trustAnchor", anchorId).put("anchorFingerprint", anchorFingerprint)
          .put("ldevidFingerprint", ldevidFingerprint).put("boundAt", Json.instant(boundAt));
    }
  }

  /** A device not bound yet. */
  public Device(String id, String tenant, State state, String enrollmentId, String groupId,
                String ldevidFingerprint, String ldevidSerial, String ldevidIssuer, String idevidSerial,
                String hwmoduleSerial, String lastRequestId, JsonObject info, Instant createdAt,
                Instant updatedAt, Instant provisionedAt, Instant lastSeenAt) {
    this(id, tenant, state, enrollmentId, groupId, ldevidFingerprint, ldevidSerial, ldevidIssuer, idevidSerial,
        hwmoduleSerial, lastRequestId, info, createdAt, updatedAt, provisionedAt, lastSeenAt, null);
  }

  public Device {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(tenant, "tenant");
    Objects.requireNonNull(state, "state");
    Objects.requireNonNull(createdAt, "createdAt");
    Objects.requireNonNull(updatedAt, "updatedAt");
  }

  /** A device seen for the first time now, in {@code state}, with nothing else known yet. */
  public static Device seen(String id, String tenant, State state) {
    Instant now = Json.now();
    return new Device(id, tenant, state, null, null, null, null, null, null, null, null, null, now, now,
        state == State.PROVISIONED ? now : null, null);
  }

  public Device withEnrollment(String enrollment, String group) {
    return new Device(id, tenant, state, enrollment, group, ldevidFingerprint, ldevidSerial, ldevidIssuer,
        idevidSerial, hwmoduleSerial, lastRequestId, info, createdAt, updatedAt, provisionedAt, lastSeenAt, binding);
  }

  public Device withLdevid(String fingerprint, String serial, String issuer) {
    return new Device(id, tenant, state, enrollmentId, groupId, fingerprint, serial, issuer, idevidSerial,
        hwmoduleSerial, lastRequestId, info, createdAt, updatedAt, provisionedAt, lastSeenAt, binding);
  }

  public Device withIdevid(String serial, String hwmodule) {
    return new Device(id, tenant, state, enrollmentId, groupId, ldevidFingerprint, ldevidSerial, ldevidIssuer,
        serial, hwmodule, lastRequestId, info, createdAt, updatedAt, provisionedAt, lastSeenAt, binding);
  }

  public Device withRequest(String requestId, JsonObject requestInfo) {
    return new Device(id, tenant, state, enrollmentId, groupId, ldevidFingerprint, ldevidSerial, ldevidIssuer,
        idevidSerial, hwmoduleSerial, requestId, requestInfo, createdAt, updatedAt, provisionedAt, lastSeenAt, binding);
  }

  /** This device bound to {@code newBinding} (a stored binding is kept when writing a device whose binding is null). */
  public Device withBinding(Binding newBinding) {
    return new Device(id, tenant, state, enrollmentId, groupId, ldevidFingerprint, ldevidSerial, ldevidIssuer,
        idevidSerial, hwmoduleSerial, lastRequestId, info, createdAt, updatedAt, provisionedAt, lastSeenAt, newBinding);
  }

  public JsonObject toJson() {
    return new JsonObject().put("id", id).put("tenant", tenant).put("state", Json.enumValue(state))
        .put("enrollmentId", enrollmentId).put("groupId", groupId).put("ldevidFingerprint", ldevidFingerprint)
        .put("ldevidSerial", ldevidSerial).put("ldevidIssuer", ldevidIssuer).put("idevidSerial", idevidSerial)
        .put("hwmoduleSerial", hwmoduleSerial).put("lastRequestId", lastRequestId).put("info", info)
        .put("createdAt", Json.instant(createdAt)).put("updatedAt", Json.instant(updatedAt))
        .put("provisionedAt", Json.instant(provisionedAt)).put("lastSeenAt", Json.instant(lastSeenAt))
        .put("binding", binding == null ? null : binding.toJson());
  }
}
