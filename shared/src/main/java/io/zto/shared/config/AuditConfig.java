package io.zto.shared.config;

import java.time.Duration;

/**
 * Settings of the audit log.
 *
 * @param retention age from which audit rows are deleted ({@code audit.retention})
 * @param refusalWindow repeated refusals of one source, action and reason within this window are one row
 *                      with a count ({@code audit.refusalWindow})
 */
public record AuditConfig(Duration retention, Duration refusalWindow) {

  /**
   * @param config the validated configuration
   * @return the audit settings
   */
  public static AuditConfig from(LoadedConfig config) {
    return new AuditConfig(config.duration(ConfigKeys.AUDIT_RETENTION), config.duration(ConfigKeys.AUDIT_REFUSAL_WINDOW));
  }

  void writeTo(ConfigJson out) {
    out.put(ConfigKeys.AUDIT_RETENTION, retention)
      .put(ConfigKeys.AUDIT_REFUSAL_WINDOW, refusalWindow);
  }
}
