package io.zto.shared.store;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.Tuple;
import io.zto.shared.store.impl.PgDatabase;
import io.zto.shared.store.impl.SqliteDatabase;
import java.util.List;
import java.util.function.Function;

/**
 * The platform's database: PostgreSQL through vertx-pg-client or embedded SQLite through
 * vertx-jdbc-client. Repositories write their SQL once, in PostgreSQL's placeholder style
 * ({@code $1, $2}); the embedded back end rewrites it. Every call runs off the event loop (network I/O
 * for PostgreSQL, a worker thread for JDBC) and completes on the caller's context.
 *
 * <p>Failures are {@link StoreException}s; a unique-key violation is a {@link DuplicateKeyException}
 * on both back ends.
 */
public interface Database {

  /**
   * Opens the database the options name and brings its schema up to date. Safe to call from several
   * nodes at once: migrations run under a lock (a PostgreSQL advisory lock, an exclusive file lock for
   * the embedded file, which also keeps a second process off the same data dir).
   */
  static Future<Database> open(Vertx vertx, DatabaseOptions options) {
    Future<? extends Database> opened = options.isPostgres()
        ? PgDatabase.open(vertx, options)
        : SqliteDatabase.open(vertx, options);
    return opened.map(db -> (Database) db);
  }

  /** {@code "postgresql"} or {@code "sqlite"}. */
  String kind();

  /** A read outside a transaction. */
  Future<RowSet<Row>> query(String sql, Tuple args);

  /** A single write in its own transaction. */
  Future<RowSet<Row>> update(String sql, Tuple args);

  /**
   * Runs one statement once per argument tuple, all in one transaction of its own (see
   * {@link Transaction#batch}); an empty list does nothing.
   */
  Future<Void> batch(String sql, List<Tuple> args);

  /**
   * Runs {@code work} in one transaction: committed if its future succeeds, rolled back if it fails,
   * so a failed step leaves no half-written rows.
   */
  <T> Future<T> transaction(Function<Transaction, Future<T>> work);

  /**
   * Runs {@code work} in one transaction with this database as seen from inside it: repositories made on
   * the {@code Database} it is given read and write through the transaction, and their own transactions
   * join it. For one onboarding step whose rows are written by several repositories: all or nothing, one
   * commit. Inside, use only that view for writes: the embedded database has one writer connection, which
   * the transaction holds.
   */
  default <T> Future<T> atomically(Function<Database, Future<T>> work) {
    return transaction(tx -> work.apply(new JoinedTransaction(kind(), tx)));
  }

  /** Succeeds if the database answers a trivial query. */
  Future<Void> ping();

  Future<Void> close();

  /** Statements inside one transaction. */
  interface Transaction {
    Future<RowSet<Row>> execute(String sql, Tuple args);

    /**
     * Runs one statement once per argument tuple in a single round of the driver's batch API (PostgreSQL
     * pipelines them; JDBC uses {@code addBatch}/{@code executeBatch}). For bulk writes (thousands of
     * rows) where a statement per row would be too slow; no rows are returned. An empty list does nothing.
     */
    Future<Void> batch(String sql, List<Tuple> args);
  }
}
