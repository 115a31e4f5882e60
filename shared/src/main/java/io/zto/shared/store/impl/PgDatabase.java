package io.zto.shared.store.impl;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.pgclient.PgException;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import io.vertx.sqlclient.SqlConnection;
import io.zto.shared.store.DatabaseOptions;
import io.zto.shared.store.DuplicateKeyException;
import io.zto.shared.store.StoreException;
import java.util.function.Function;

/** PostgreSQL through vertx-pg-client: non-blocking, one pool shared by every verticle of a node. */
public final class PgDatabase extends SqlDatabase {

  /** Any constant works; every node must use the same one so that only one migrates at a time. */
  private static final long MIGRATION_LOCK = 0x7a746f5f6d6967L;
  private static final String UNIQUE_VIOLATION = "23505";

  private PgDatabase(Pool pool) {
    super(Dialect.POSTGRESQL, pool, pool);
  }

  public static Future<PgDatabase> open(Vertx vertx, DatabaseOptions options) {
    PgConnectOptions connect;
    try {
      connect = PgConnectOptions.fromUri(options.getUrl().replaceFirst("^postgres://", "postgresql://"));
    } catch (RuntimeException e) {
      return Future.failedFuture(new StoreException("db.url is not a valid PostgreSQL URL: " + e.getMessage(), e));
    }
    connect.setCachePreparedStatements(true);
    Pool pool = PgBuilder.pool()
        .with(new PoolOptions().setMaxSize(options.getPoolSize()).setName("zto-pg"))
        .connectingTo(connect)
        .using(vertx)
        .build();
    PgDatabase db = new PgDatabase(pool);
    return pool.getConnection()
        .recover(failure -> Future.failedFuture(new StoreException("cannot connect to PostgreSQL at "
            + connect.getHost() + ":" + connect.getPort() + "/" + connect.getDatabase() + ": " + failure.getMessage(), failure)))
        .compose(conn -> db.migrateLocked(conn).eventually(conn::close))
        .map(db)
        .onFailure(ignored -> pool.close());
  }

  /** The advisory lock is held by the session, so lock, migrate and unlock on one connection. */
  private Future<Void> migrateLocked(SqlConnection conn) {
    return conn.query("SELECT pg_advisory_lock(" + MIGRATION_LOCK + ")").execute()
        .compose(locked -> migrate(conn)
            .eventually(() -> conn.query("SELECT pg_advisory_unlock(" + MIGRATION_LOCK + ")").execute()));
  }

  @Override
  <T> Future<T> inTransaction(SqlConnection conn, Function<SqlConnection, Future<T>> work) {
    return conn.begin().compose(tx -> work.apply(conn)
        .compose(result -> tx.commit().map(result),
            failure -> tx.rollback().transform(ignored -> Future.failedFuture(failure))));
  }

  @Override
  public String kind() {
    return "postgresql";
  }

  @Override
  RuntimeException translate(Throwable failure, String sql) {
    if (failure instanceof PgException pg && UNIQUE_VIOLATION.equals(pg.getSqlState())) {
      return new DuplicateKeyException(pg.getErrorMessage() + (pg.getDetail() == null ? "" : ": " + pg.getDetail()), pg);
    }
    if (failure instanceof StoreException store) {
      return store;
    }
    return new StoreException("database statement failed: " + failure.getMessage(), failure);
  }
}
