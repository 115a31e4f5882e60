package io.zto.broker;

import io.vertx.core.json.JsonObject;
import io.zto.shared.domain.AuditEvent;
import io.zto.shared.store.AuditRepository;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Audits publishes and subscriptions the ACL refuses, like every other refusal, without letting a
 * misbehaving client flood the audit log: at most {@link #PER_MINUTE} entries per client and minute,
 * then one entry saying that further denials in that minute are only counted (the metric counts all).
 */
final class DenialAudit {

  static final int PER_MINUTE = 10;
  private static final int TRACKED_CLIENTS = 10_000;
  private static final Logger LOG = LoggerFactory.getLogger(DenialAudit.class);

  private final AuditRepository audit;
  private final String nodeId;
  private final Clock clock;
  private final Map<String, long[]> windows = new LinkedHashMap<>(64, 0.75f, true) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<String, long[]> eldest) {
      return size() > TRACKED_CLIENTS;
    }
  };

  DenialAudit(AuditRepository audit, String nodeId, Clock clock) {
    this.audit = audit;
    this.nodeId = nodeId;
    this.clock = clock;
  }

  /** Records that {@code actor} (a device id or client id) was refused {@code operation} on {@code topic}. */
  synchronized void denied(String actor, String listener, String operation, String topic) {
    long minute = clock.millis() / 60_000;
    long[] window = windows.computeIfAbsent(actor, a -> new long[] {minute, 0});
    if (window[0] != minute) {
      window[0] = minute;
      window[1] = 0;
    }
    window[1]++;
    if (window[1] > PER_MINUTE + 1) {
      return;
    }
    String reason = window[1] <= PER_MINUTE ? "not authorized to " + operation + " " + topic
        : "more than " + PER_MINUTE + " denials this minute; further ones are only counted";
    audit.append(AuditEvent.refused(actor, "mqtt." + operation, topic, reason)
            .withDetails(new JsonObject().put("listener", listener)).withNode(nodeId))
        .onFailure(e -> LOG.warn("could not audit an ACL denial of {}: {}", actor, e.getMessage()));
  }
}
