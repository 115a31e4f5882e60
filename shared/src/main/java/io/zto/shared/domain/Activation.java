package io.zto.shared.domain;

import io.vertx.core.json.JsonObject;
import java.time.Instant;

/**
 * What enrollments and enrollment groups share: approval, status, application config, activation
 * window, provisioning budget.
 *
 * @param notBefore        no match before this instant; null for no lower bound
 * @param notAfter         no match from this instant on; null for no upper bound
 * @param maxProvisionings how many provisionings the enrollment allows; null for unlimited
 */
public record Activation(Approval approval, EnrollmentStatus status, JsonObject application, Instant notBefore,
                         Instant notAfter, Integer maxProvisionings, ReprovisionPolicy reprovisionPolicy) {

  public Activation {
    if (approval == null || status == null || reprovisionPolicy == null) {
      throw new IllegalArgumentException("approval, status and reprovisionPolicy are required");
    }
    if (notBefore != null && notAfter != null && !notBefore.isBefore(notAfter)) {
      throw new IllegalArgumentException("notBefore must be before notAfter");
    }
    if (maxProvisionings != null && maxProvisionings < 0) {
      throw new IllegalArgumentException("maxProvisionings must not be negative");
    }
  }

  /** Auto-approved, enabled, no window, no limit. */
  public static Activation auto() {
    return new Activation(Approval.AUTO, EnrollmentStatus.ENABLED, null, null, null, null, ReprovisionPolicy.ALLOW);
  }

  public Activation withApproval(Approval value) {
    return new Activation(value, status, application, notBefore, notAfter, maxProvisionings, reprovisionPolicy);
  }

  public Activation withApplication(JsonObject value) {
    return new Activation(approval, status, value, notBefore, notAfter, maxProvisionings, reprovisionPolicy);
  }

  public Activation withWindow(Instant from, Instant until) {
    return new Activation(approval, status, application, from, until, maxProvisionings, reprovisionPolicy);
  }

  public Activation withMaxProvisionings(Integer value) {
    return new Activation(approval, status, application, notBefore, notAfter, value, reprovisionPolicy);
  }

  public Activation withStatus(EnrollmentStatus value) {
    return new Activation(approval, value, application, notBefore, notAfter, maxProvisionings, reprovisionPolicy);
  }

  public Activation withReprovisionPolicy(ReprovisionPolicy value) {
    return new Activation(approval, status, application, notBefore, notAfter, maxProvisionings, value);
  }

  /** Whether the window is open at {@code now} and the status enabled. */
  public boolean isActiveAt(Instant now) {
    return status == EnrollmentStatus.ENABLED
        && (notBefore == null || !now.isBefore(notBefore))
        && (notAfter == null || now.isBefore(notAfter));
  }

  /** Reads the API fields; approval is required, the rest default. */
  public static Activation fromJson(JsonObject json) {
    Integer max = json.getInteger("maxProvisionings");
    return new Activation(Json.enumValue(json, "approval", Approval.class, null),
        Json.enumValue(json, "status", EnrollmentStatus.class, EnrollmentStatus.ENABLED),
        json.getJsonObject("application"), Json.instant(json, "notBefore"), Json.instant(json, "notAfter"), max,
        Json.enumValue(json, "reprovisionPolicy", ReprovisionPolicy.class, ReprovisionPolicy.ALLOW));
  }

  /** Adds the fields to {@code json}. */
  JsonObject writeTo(JsonObject json) {
    return json.put("approval", Json.enumValue(approval)).put("status", Json.enumValue(status))
        .put("application", application).put("notBefore", Json.instant(notBefore))
        .put("notAfter", Json.instant(notAfter)).put("maxProvisionings", maxProvisionings)
        .put("reprovisionPolicy", Json.enumValue(reprovisionPolicy));
  }
}
