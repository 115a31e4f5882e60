package io.zto.shared.store;

import io.vertx.core.Future;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import io.zto.shared.domain.TrustAnchor;
import java.util.List;
import java.util.Optional;

/** The device CAs operators trust. Names are unique, and a CA is trusted at most once per purpose. */
public final class TrustAnchorRepository {

  /** Most anchors {@link #list} returns; a deployment trusts a handful. */
  public static final int MAX_ANCHORS = 1000;

  private static final String COLUMNS = "id, name, purpose, pem, fingerprint, subject, not_after, created_at, tenant";
  private static final String INSERT = "INSERT INTO trust_anchors (" + COLUMNS + ")"
      + " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)";
  private static final String GET = "SELECT " + COLUMNS + " FROM trust_anchors WHERE id = $1";
  private static final String LIST = "SELECT " + COLUMNS + " FROM trust_anchors"
      + " WHERE CAST($1 AS TEXT) IS NULL OR purpose = $1 ORDER BY name LIMIT $2";
  private static final String CONFLICTING = "SELECT name, purpose FROM trust_anchors"
      + " WHERE name = $1 OR (purpose = $2 AND fingerprint = $3)";
  private static final String DELETE_UNUSED = "DELETE FROM trust_anchors WHERE id = $1"
      + " AND NOT EXISTS (SELECT 1 FROM enrollment_groups WHERE trust_anchor_id = $1)"
      + " AND NOT EXISTS (SELECT 1 FROM enrollments WHERE trust_anchor_id = $1)";
  private static final String EXISTS = "SELECT 1 FROM trust_anchors WHERE id = $1";

  /** What {@link #delete} did. */
  public enum Deletion { DELETED, NOT_FOUND, IN_USE }

  private final Database db;

  public TrustAnchorRepository(Database db) {
    this.db = db;
  }

  /**
   * Stores a new anchor. Fails with a {@link DuplicateKeyException} whose message names the existing
   * anchor if the name is taken or the same CA is already trusted for the purpose.
   */
  public Future<TrustAnchor> create(TrustAnchor anchor) {
    return db.update(INSERT, Tuple.of(anchor.id(), anchor.name(), anchor.purpose().name(), anchor.pem(),
            anchor.fingerprint(), anchor.subject(), Rows.millis(anchor.notAfter()), Rows.millis(anchor.createdAt()),
            anchor.tenant()))
        .map(anchor)
        .recover(failure -> failure instanceof DuplicateKeyException duplicate
            ? explainConflict(anchor, duplicate) : Future.failedFuture(failure));
  }

  public Future<Optional<TrustAnchor>> get(String id) {
    return db.query(GET, Tuple.of(id)).map(rows -> Results.first(rows, TrustAnchorRepository::map));
  }

  /** Anchors of one purpose (all if null), by name. */
  public Future<List<TrustAnchor>> list(TrustAnchor.Purpose purpose) {
    return db.query(LIST, Tuple.of(Rows.name(purpose), MAX_ANCHORS)).map(rows -> Results.list(rows, TrustAnchorRepository::map));
  }

  /** Deletes an anchor unless an enrollment group or an enrollment still refers to it. */
  public Future<Deletion> delete(String id) {
    return db.transaction(tx -> tx.execute(DELETE_UNUSED, Tuple.of(id)).compose(deleted -> deleted.rowCount() > 0
        ? Future.succeededFuture(Deletion.DELETED)
        : tx.execute(EXISTS, Tuple.of(id)).map(rows -> rows.size() > 0 ? Deletion.IN_USE : Deletion.NOT_FOUND)));
  }

  private <T> Future<T> explainConflict(TrustAnchor anchor, DuplicateKeyException duplicate) {
    return db.query(CONFLICTING, Tuple.of(anchor.name(), anchor.purpose().name(), anchor.fingerprint()))
        .transform(probe -> {
          String message = "trust anchor exists already";
          if (probe.succeeded()) {
            for (Row row : probe.result()) {
              message = anchor.name().equals(row.getString("name"))
                  ? "a trust anchor named '" + anchor.name() + "' exists already"
                  : "this CA is already trusted for " + anchor.purpose().name().toLowerCase(java.util.Locale.ROOT)
                      + " as '" + row.getString("name") + "'";
            }
          }
          return Future.failedFuture(new DuplicateKeyException(message, duplicate));
        });
  }

  private static TrustAnchor map(Row row) {
    return new TrustAnchor(row.getString("id"), row.getString("name"),
        Rows.enumValue(row, "purpose", TrustAnchor.Purpose.class), row.getString("pem"), row.getString("fingerprint"),
        row.getString("subject"), Rows.instant(row, "not_after"), Rows.instant(row, "created_at"),
        row.getString("tenant"));
  }
}
