package io.zto.shared.domain;

import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * Where a certificate stands on renewal: it is {@code due} once it is valid, unexpired, inside the last
 * {@code percentLeft} percent of its lifetime (counted from issuance, since notBefore is backdated) and
 * its device holds no valid certificate that expires later (it did not renew).
 *
 * @param dueAt    when the warning part of its lifetime begins
 * @param warnedAt when the platform warned (audit {@code certificate.renewal-due}), or null
 */
public record Renewal(boolean due, Instant dueAt, Instant notAfter, Instant warnedAt) {

  public Renewal {
    Objects.requireNonNull(dueAt, "dueAt");
    Objects.requireNonNull(notAfter, "notAfter");
  }

  /** When a certificate issued at {@code issuedAt} and expiring at {@code notAfter} becomes due. */
  public static Instant dueAt(Instant issuedAt, Instant notAfter, int percentLeft) {
    long lifetime = Math.max(0, Duration.between(issuedAt, notAfter).toMillis());
    return notAfter.minusMillis(lifetime * percentLeft / 100);
  }

  public JsonObject toJson() {
    return new JsonObject().put("due", due).put("dueAt", Json.instant(dueAt)).put("notAfter", Json.instant(notAfter))
        .put("warnedAt", Json.instant(warnedAt));
  }
}
