package io.zto.shared.store;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import io.zto.shared.domain.Command;
import io.zto.shared.domain.Page;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** Signed remote-management commands and their outcome. */
public final class CommandRepository {

  private static final String COLUMNS = "id, device_id, name, args, jws, status, result, created_by, created_at,"
      + " expires_at, sent_at, completed_at";
  private static final String INSERT = "INSERT INTO commands (" + COLUMNS + ") VALUES"
      + " ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)";
  private static final String GET = "SELECT " + COLUMNS + " FROM commands WHERE id = $1";
  private static final String LIST = "SELECT " + COLUMNS + " FROM commands WHERE device_id = $1"
      + " AND (created_at < $2 OR (created_at = $2 AND id < $3)) ORDER BY created_at DESC, id DESC LIMIT $4";
  private static final String OPEN = "SELECT " + COLUMNS + " FROM commands WHERE device_id = $1"
      + " AND status IN ('PENDING', 'SENT') AND expires_at > $2 ORDER BY created_at, id";
  private static final String SENT = "UPDATE commands SET status = 'SENT', sent_at = $2"
      + " WHERE id = $1 AND status = 'PENDING'";
  private static final String COMPLETE = "UPDATE commands SET status = $2, result = $3, completed_at = $4"
      + " WHERE id = $1 AND status IN ('PENDING', 'SENT')";
  private static final String EXPIRE = "UPDATE commands SET status = 'EXPIRED', completed_at = $1"
      + " WHERE status IN ('PENDING', 'SENT') AND expires_at <= $1 RETURNING id";

  private final Database db;

  public CommandRepository(Database db) {
    this.db = db;
  }

  /** Stores a new command; a {@link DuplicateKeyException} if the id is taken. */
  public Future<Command> create(Command c) {
    Tuple args = Tuple.of(c.id(), c.deviceId(), c.name(), Rows.text(c.args()), c.jws(), c.status().name(),
        Rows.text(c.result()), c.createdBy(), Rows.millis(c.createdAt()), Rows.millis(c.expiresAt()),
        Rows.millis(c.sentAt()), Rows.millis(c.completedAt()));
    return db.update(INSERT, args).map(c)
        .recover(failure -> Future.failedFuture(failure instanceof DuplicateKeyException duplicate
            ? new DuplicateKeyException("a command with id " + c.id() + " exists already", duplicate) : failure));
  }

  public Future<Optional<Command>> get(String id) {
    return db.query(GET, Tuple.of(id)).map(rows -> Results.first(rows, CommandRepository::map));
  }

  /** The device's commands, newest first. */
  public Future<Page<Command>> listByDevice(String deviceId, String cursor, int limit) {
    int size = Paging.limit(limit);
    long before = cursor == null ? Long.MAX_VALUE : Paging.millisOf(cursor);
    Tuple args = Tuple.of(deviceId, before, cursor == null ? "" : Paging.keyOf(cursor), size + 1);
    return db.query(LIST, args).map(rows -> Paging.page(Results.list(rows, CommandRepository::map), size,
        c -> Paging.cursor(c.createdAt().toEpochMilli(), c.id())));
  }

  /** The device's pending and sent commands not expired at {@code now}, oldest first: to (re)deliver. */
  public Future<List<Command>> openFor(String deviceId, Instant now) {
    return db.query(OPEN, Tuple.of(deviceId, Rows.millis(now))).map(rows -> Results.list(rows, CommandRepository::map));
  }

  /** Marks a pending command sent; false if it was not pending. */
  public Future<Boolean> markSent(String id, Instant now) {
    return db.update(SENT, Tuple.of(id, Rows.millis(now))).map(rows -> rows.rowCount() > 0);
  }

  /**
   * Records the device's reply, atomically: true only for the call that moved the command from
   * pending or sent to {@code COMPLETED} or {@code FAILED}; a second reply (or one after expiry) gets false.
   */
  public Future<Boolean> complete(String id, Command.Status outcome, JsonObject reply, Instant now) {
    if (outcome != Command.Status.COMPLETED && outcome != Command.Status.FAILED) {
      return Future.failedFuture(new IllegalArgumentException("a command completes as completed or failed"));
    }
    return db.update(COMPLETE, Tuple.of(id, outcome.name(), Rows.text(reply), Rows.millis(now)))
        .map(rows -> rows.rowCount() > 0);
  }

  /** Expires every open command whose expiry has passed at {@code now}; returns their ids. */
  public Future<List<String>> expireDue(Instant now) {
    return db.update(EXPIRE, Tuple.of(Rows.millis(now))).map(rows -> Results.list(rows, row -> row.getString("id")));
  }

  private static Command map(Row row) {
    return new Command(row.getString("id"), row.getString("device_id"), row.getString("name"), Rows.json(row, "args"),
        row.getString("jws"), Rows.enumValue(row, "status", Command.Status.class), Rows.json(row, "result"),
        row.getString("created_by"), Rows.instant(row, "created_at"), Rows.instant(row, "expires_at"),
        Rows.instant(row, "sent_at"), Rows.instant(row, "completed_at"));
  }
}
