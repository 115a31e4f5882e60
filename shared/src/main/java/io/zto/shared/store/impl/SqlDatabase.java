package io.zto.shared.store.impl;

import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import io.zto.shared.store.Database;
import io.zto.shared.store.StoreException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/** What both back ends share: statements through the dialect, transactions, migrations. */
abstract class SqlDatabase implements Database {

  private final Dialect dialect;
  private final Pool readPool;
  private final Pool writePool;

  SqlDatabase(Dialect dialect, Pool readPool, Pool writePool) {
    this.dialect = dialect;
    this.readPool = readPool;
    this.writePool = writePool;
  }

  /**
   * Runs {@code work} on {@code conn} inside one transaction: commit on success, rollback on failure.
   */
  abstract <T> Future<T> inTransaction(SqlConnection conn, Function<SqlConnection, Future<T>> work);

  /** Maps a driver failure to a {@link StoreException}, a unique-key violation to its subclass. */
  abstract RuntimeException translate(Throwable failure, String sql);

  @Override
  public Future<RowSet<Row>> query(String sql, Tuple args) {
    return run(readPool, sql, args);
  }

  @Override
  public Future<RowSet<Row>> update(String sql, Tuple args) {
    return run(writePool, sql, args);
  }

  @Override
  public Future<Void> batch(String sql, List<Tuple> args) {
    if (args.isEmpty()) {
      return Future.succeededFuture();
    }
    return transaction(tx -> tx.batch(sql, args));
  }

  @Override
  public <T> Future<T> transaction(Function<Transaction, Future<T>> work) {
    return writePool.getConnection().compose(conn ->
        inTransaction(conn, c -> work.apply(new ConnectionTransaction(c))).eventually(conn::close));
  }

  /** The statements of one transaction, all on its connection. */
  private final class ConnectionTransaction implements Transaction {
    private final SqlConnection conn;

    ConnectionTransaction(SqlConnection conn) {
      this.conn = conn;
    }

    @Override
    public Future<RowSet<Row>> execute(String sql, Tuple args) {
      return run(conn, sql, args);
    }

    @Override
    public Future<Void> batch(String sql, List<Tuple> args) {
      return runBatch(conn, sql, args);
    }
  }

  @Override
  public Future<Void> ping() {
    return query("SELECT 1", Tuple.tuple()).mapEmpty();
  }

  @Override
  public Future<Void> close() {
    if (readPool == writePool) {
      return writePool.close();
    }
    return Future.join(readPool.close(), writePool.close()).mapEmpty();
  }

  Future<RowSet<Row>> run(SqlClient client, String sql, Tuple args) {
    Dialect.Statement statement;
    try {
      statement = dialect.statement(sql, args);
    } catch (RuntimeException e) {
      return Future.failedFuture(e);
    }
    return client.preparedQuery(statement.sql()).execute(statement.args())
        .recover(failure -> Future.failedFuture(translate(failure, sql)));
  }

  Future<Void> runBatch(SqlClient client, String sql, List<Tuple> batch) {
    if (batch.isEmpty()) {
      return Future.succeededFuture();
    }
    Dialect.Batch statement;
    try {
      statement = dialect.batch(sql, batch);
    } catch (RuntimeException e) {
      return Future.failedFuture(e);
    }
    return client.preparedQuery(statement.sql()).executeBatch(statement.args())
        .recover(failure -> Future.failedFuture(translate(failure, sql)))
        .mapEmpty();
  }

  /** Applies pending migrations on a connection that already holds the migration lock. */
  Future<Void> migrate(SqlConnection conn) {
    return conn.query(Migrations.TABLE_DDL).execute()
        .compose(ignored -> conn.query("SELECT version, name, checksum FROM schema_version").execute())
        .compose(rows -> applyPending(conn, applied(rows)));
  }

  private static Map<Integer, Row> applied(RowSet<Row> rows) {
    Map<Integer, Row> applied = new HashMap<>();
    rows.forEach(row -> applied.put(row.getInteger("version"), row));
    return applied;
  }

  private Future<Void> applyPending(SqlConnection conn, Map<Integer, Row> applied) {
    Future<Void> chain = Future.succeededFuture();
    for (Migrations.Migration migration : Migrations.load(dialect)) {
      Row done = applied.get(migration.version());
      if (done != null) {
        if (!done.getString("checksum").equals(migration.checksum())) {
          return Future.failedFuture(new StoreException("schema migration " + migration.name()
              + " was changed after it was applied to this database; restore it and add a new migration"));
        }
        continue;
      }
      chain = chain.compose(ignored -> apply(conn, migration));
    }
    return chain;
  }

  private Future<Void> apply(SqlConnection conn, Migrations.Migration migration) {
    return inTransaction(conn, c -> {
      Future<?> steps = Future.succeededFuture();
      for (String statement : migration.statements()) {
        steps = steps.compose(ignored -> c.query(statement).execute());
      }
      return steps.compose(ignored -> run(c,
          "INSERT INTO schema_version (version, name, checksum, applied_at) VALUES ($1, $2, $3, $4)",
          Tuple.of(migration.version(), migration.name(), migration.checksum(), System.currentTimeMillis())));
    }).recover(failure -> Future.failedFuture(
        new StoreException("schema migration " + migration.name() + " failed: " + failure.getMessage(), failure)))
        .mapEmpty();
  }
}
