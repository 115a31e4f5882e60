package io.zto.shared.store;

import io.vertx.core.Future;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import io.zto.shared.domain.EstRequest;
import io.zto.shared.domain.Page;
import java.time.Instant;
import java.util.Optional;

/** EST enrollments awaiting or given an operator's decision (manual-approval profiles). */
public final class EstRequestRepository {

  private static final String COLUMNS = "id, device_id, profile, operation, public_key_hash, subject, status, reason,"
      + " decided_by, decided_at, issued_serial, created_at";
  /** Idempotent: a retry of the same CSR finds the first row. */
  private static final String INSERT = "INSERT INTO est_requests (" + COLUMNS + ") VALUES"
      + " ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)"
      + " ON CONFLICT (device_id, profile, public_key_hash) DO NOTHING";
  private static final String FIND = "SELECT " + COLUMNS + " FROM est_requests"
      + " WHERE device_id = $1 AND profile = $2 AND public_key_hash = $3";
  private static final String GET = "SELECT " + COLUMNS + " FROM est_requests WHERE id = $1";
  private static final String LIST = "SELECT " + COLUMNS + " FROM est_requests WHERE id > $1"
      + " AND (CAST($2 AS TEXT) IS NULL OR status = $2) ORDER BY id LIMIT $3";
  private static final String DECIDE = "UPDATE est_requests SET status = $2, reason = $3, decided_by = $4,"
      + " decided_at = $5 WHERE id = $1 AND status = 'PENDING'";
  private static final String RECORD_ISSUED = "UPDATE est_requests SET issued_serial = $2 WHERE id = $1";

  private final Database db;

  public EstRequestRepository(Database db) {
    this.db = db;
  }

  /** Records the request unless the same device, profile and key has one already; returns the stored row. */
  public Future<EstRequest> recordPending(EstRequest r) {
    Tuple args = Tuple.of(r.id(), r.deviceId(), r.profile(), r.operation(), r.publicKeyHash(), r.subject(),
        r.status().name(), r.reason(), r.decidedBy(), Rows.millis(r.decidedAt()), r.issuedSerial(),
        Rows.millis(r.createdAt()));
    return db.update(INSERT, args).compose(ignored -> find(r.deviceId(), r.profile(), r.publicKeyHash()))
        .map(Optional::orElseThrow);
  }

  public Future<Optional<EstRequest>> find(String deviceId, String profile, String publicKeyHash) {
    return db.query(FIND, Tuple.of(deviceId, profile, publicKeyHash)).map(rows -> Results.first(rows, EstRequestRepository::map));
  }

  public Future<Optional<EstRequest>> get(String id) {
    return db.query(GET, Tuple.of(id)).map(rows -> Results.first(rows, EstRequestRepository::map));
  }

  /** Requests of one status (any if null), by id. */
  public Future<Page<EstRequest>> list(EstRequest.Status status, String cursor, int limit) {
    int size = Paging.limit(limit);
    return db.query(LIST, Tuple.of(cursor == null ? "" : cursor, Rows.name(status), size + 1))
        .map(rows -> Paging.page(Results.list(rows, EstRequestRepository::map), size, EstRequest::id));
  }

  /** Approves or rejects a pending request; false if unknown or decided already. */
  public Future<Boolean> decide(String id, EstRequest.Status status, String reason, String actor, Instant now) {
    return db.update(DECIDE, Tuple.of(id, status.name(), reason, actor, Rows.millis(now)))
        .map(rows -> rows.rowCount() > 0);
  }

  /** Records the serial issued after approval. */
  public Future<Boolean> recordIssued(String id, String serial) {
    return db.update(RECORD_ISSUED, Tuple.of(id, serial)).map(rows -> rows.rowCount() > 0);
  }

  private static EstRequest map(Row row) {
    return new EstRequest(row.getString("id"), row.getString("device_id"), row.getString("profile"),
        row.getString("operation"), row.getString("public_key_hash"), row.getString("subject"),
        Rows.enumValue(row, "status", EstRequest.Status.class), row.getString("reason"),
        row.getString("decided_by"), Rows.instant(row, "decided_at"), row.getString("issued_serial"),
        Rows.instant(row, "created_at"));
  }
}
