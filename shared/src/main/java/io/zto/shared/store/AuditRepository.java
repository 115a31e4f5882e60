package io.zto.shared.store;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import io.zto.shared.domain.AuditEvent;
import io.zto.shared.domain.Page;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The audit log, listed newest first. Rows are appended; the only changes are the count of a row that
 * stands for repeated refusals ({@link #updateDetails}, see {@link RefusalAggregator}) and the deletion
 * of rows past their retention ({@link #purgeOlderThan}).
 */
public final class AuditRepository {

  /** Largest page a caller may ask for. */
  public static final int MAX_PAGE_SIZE = 500;

  private static final String INSERT = "INSERT INTO audit_log (at, actor, action, subject, outcome, reason, details, node)"
      + " VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id";
  private static final String LIST = "SELECT id, at, actor, action, subject, outcome, reason, details, node"
      + " FROM audit_log WHERE id < $1"
      + " AND (CAST($2 AS TEXT) IS NULL OR subject = $2) AND (CAST($3 AS TEXT) IS NULL OR action = $3)"
      + " AND (CAST($4 AS TEXT) IS NULL OR outcome = $4) AND at >= $5"
      + " ORDER BY id DESC LIMIT $6";
  private static final String UPDATE_DETAILS = "UPDATE audit_log SET details = $2 WHERE id = $1";
  private static final String PURGE = "DELETE FROM audit_log WHERE at < $1";

  private final Database db;

  public AuditRepository(Database db) {
    this.db = db;
  }

  /** Filters of {@link #list}; null means any. */
  public record Query(String subject, String action, AuditEvent.Outcome outcome, Instant since, String cursor, int limit) {
    public static Query all(int limit) {
      return new Query(null, null, null, null, null, limit);
    }
  }

  /** Appends an event and returns its id. */
  public Future<Long> append(AuditEvent event) {
    return db.update(INSERT, Tuple.of(
            Rows.millis(event.at()), event.actor(), event.action(), event.subject(),
            event.outcome().name(), event.reason(), Rows.text(event.details()), event.node()))
        .map(rows -> rows.iterator().next().getLong("id"));
  }

  /** Replaces the details of row {@code id}: the count and last time of the refusals it stands for. */
  public Future<Void> updateDetails(long id, JsonObject details) {
    return db.update(UPDATE_DETAILS, Tuple.of(id, Rows.text(details))).mapEmpty();
  }

  /** Deletes every row older than {@code cutoff} (the retention, {@code audit.retention}); returns how many. */
  public Future<Integer> purgeOlderThan(Instant cutoff) {
    return db.update(PURGE, Tuple.of(Rows.millis(cutoff))).map(rows -> rows.rowCount());
  }

  public Future<Page<AuditEvent>> list(Query query) {
    int limit = Math.max(1, Math.min(query.limit(), MAX_PAGE_SIZE));
    long before = query.cursor() == null ? Long.MAX_VALUE : Long.parseLong(query.cursor());
    Tuple args = Tuple.tuple().addLong(before).addString(query.subject()).addString(query.action())
        .addString(query.outcome() == null ? null : query.outcome().name())
        .addLong(query.since() == null ? 0L : query.since().toEpochMilli()).addInteger(limit + 1);
    return db.query(LIST, args).map(rows -> {
      List<AuditEvent> events = new ArrayList<>();
      rows.forEach(row -> events.add(map(row)));
      if (events.size() <= limit) {
        return new Page<>(events, null);
      }
      List<AuditEvent> page = events.subList(0, limit);
      return new Page<>(page, Long.toString(page.get(limit - 1).id()));
    });
  }

  private static AuditEvent map(Row row) {
    return new AuditEvent(row.getLong("id"), Rows.instant(row, "at"), row.getString("actor"), row.getString("action"),
        row.getString("subject"), AuditEvent.Outcome.valueOf(row.getString("outcome")), row.getString("reason"),
        Rows.json(row, "details"), row.getString("node"));
  }
}
