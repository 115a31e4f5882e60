package io.zto.deploy;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import io.zto.shared.bus.Addresses;
import io.zto.shared.store.Database;
import io.zto.shared.store.Rows;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tails the audit log while at least one operator watches the event stream, and publishes each new entry
 * on the node-local {@link Addresses#OPERATOR_EVENTS}. The audit log is where every node records every
 * decision and refusal (provisioning requests, EST enrollments, refused connects, operator actions), so
 * tailing the shared database shows the whole cluster's activity on every node. Entries are hints for
 * the console to read the API again; the API stays the truth (a PostgreSQL row committed late with a
 * smaller id than one already seen is not re-sent).
 */
final class AuditFeed {

  private static final Logger LOG = LoggerFactory.getLogger(AuditFeed.class);
  private static final long POLL_MS = 1_000;
  private static final int BATCH = 500;
  private static final String NEWEST = "SELECT MAX(id) AS id FROM audit_log";
  private static final String AFTER = "SELECT id, at, actor, action, subject, outcome, reason, details, node"
      + " FROM audit_log WHERE id > $1 ORDER BY id LIMIT $2";

  private final Vertx vertx;
  private final Database db;
  private final DeliveryOptions localOnly = new DeliveryOptions().setLocalOnly(true);
  private int watchers;
  private boolean polling;
  private long lastId = -1;

  AuditFeed(Vertx vertx, Database db) {
    this.vertx = vertx;
    this.db = db;
  }

  /** One more stream watches; the first one starts the tail at the newest entry. */
  void watch() {
    watchers++;
    if (!polling) {
      polling = true;
      Future<Void> start = lastId >= 0 ? Future.succeededFuture()
          : db.query(NEWEST, Tuple.tuple()).map(rows -> {
            Long newest = rows.iterator().next().getLong("id");
            lastId = newest == null ? 0 : newest;
            return null;
          });
      start.onSuccess(ignored -> schedule()).onFailure(failure -> {
        // without a starting point the tail would replay old entries; the next stream tries again
        polling = false;
        LOG.warn("audit tail for the operator event stream cannot start: {}", failure.getMessage());
      });
    }
  }

  /** One stream fewer; the tail stops after the last one (and resumes where it was for the next). */
  void unwatch() {
    watchers = Math.max(0, watchers - 1);
  }

  int watchers() {
    return watchers;
  }

  private void schedule() {
    if (watchers == 0) {
      polling = false;
      return;
    }
    vertx.setTimer(POLL_MS, id -> poll().onComplete(ignored -> schedule()));
  }

  private Future<Void> poll() {
    return db.query(AFTER, Tuple.of(lastId, BATCH)).<Void>map(rows -> {
      for (Row row : rows) {
        lastId = Math.max(lastId, row.getLong("id"));
        vertx.eventBus().publish(Addresses.OPERATOR_EVENTS, toJson(row), localOnly);
      }
      return null;
    }).onFailure(failure -> LOG.warn("audit tail for the operator event stream failed: {}", failure.getMessage()));
  }

  /** The entry as {@code GET /api/v1/audit} shows it. */
  private static JsonObject toJson(Row row) {
    return new JsonObject().put("id", row.getLong("id")).put("at", Rows.instant(row, "at").toString())
        .put("actor", row.getString("actor")).put("action", row.getString("action"))
        .put("subject", row.getString("subject"))
        .put("outcome", row.getString("outcome").toLowerCase(Locale.ROOT)).put("reason", row.getString("reason"))
        .put("details", Rows.json(row, "details")).put("node", row.getString("node"));
  }
}
