package io.zto.shared.domain;

import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.Objects;

/**
 * One entry of the audit log: who ({@code actor}: an operator token, a device id, a node) did what
 * ({@code action}, e.g. {@code est.enroll}) to which {@code subject}, with which {@code outcome} and why.
 *
 * @param id assigned by the store; 0 before it is appended
 */
public record AuditEvent(long id, Instant at, String actor, String action, String subject, Outcome outcome,
                         String reason, JsonObject details, String node) {

  public enum Outcome { SUCCEEDED, REFUSED, FAILED }

  public AuditEvent {
    Objects.requireNonNull(at, "at");
    Objects.requireNonNull(actor, "actor");
    Objects.requireNonNull(action, "action");
    Objects.requireNonNull(outcome, "outcome");
  }

  /** A refusal, the kind of event every listener must record. */
  public static AuditEvent refused(String actor, String action, String subject, String reason) {
    return new AuditEvent(0, Instant.now(), actor, action, subject, Outcome.REFUSED, reason, null, null);
  }

  public static AuditEvent succeeded(String actor, String action, String subject) {
    return new AuditEvent(0, Instant.now(), actor, action, subject, Outcome.SUCCEEDED, null, null, null);
  }

  public AuditEvent withDetails(JsonObject details) {
    return new AuditEvent(id, at, actor, action, subject, outcome, reason, details, node);
  }

  public AuditEvent withNode(String node) {
    return new AuditEvent(id, at, actor, action, subject, outcome, reason, details, node);
  }

  public JsonObject toJson() {
    return new JsonObject()
        .put("id", id)
        .put("at", at.toString())
        .put("actor", actor)
        .put("action", action)
        .put("subject", subject)
        .put("outcome", outcome.name().toLowerCase())
        .put("reason", reason)
        .put("details", details)
        .put("node", node);
  }
}
