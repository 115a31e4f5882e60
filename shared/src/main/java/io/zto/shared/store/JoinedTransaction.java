package io.zto.shared.store;

import io.vertx.core.Future;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.Tuple;
import java.util.List;
import java.util.function.Function;

/** A {@link Database} that runs everything on one open transaction ({@link Database#atomically}). */
final class JoinedTransaction implements Database {

  private final String kind;
  private final Transaction tx;

  JoinedTransaction(String kind, Transaction tx) {
    this.kind = kind;
    this.tx = tx;
  }

  @Override
  public String kind() {
    return kind;
  }

  @Override
  public Future<RowSet<Row>> query(String sql, Tuple args) {
    return tx.execute(sql, args);
  }

  @Override
  public Future<RowSet<Row>> update(String sql, Tuple args) {
    return tx.execute(sql, args);
  }

  @Override
  public Future<Void> batch(String sql, List<Tuple> args) {
    return tx.batch(sql, args);
  }

  /** Joins the open transaction: its work commits or rolls back with the whole. */
  @Override
  public <T> Future<T> transaction(Function<Transaction, Future<T>> work) {
    return work.apply(tx);
  }

  @Override
  public Future<Void> ping() {
    return tx.execute("SELECT 1", Tuple.tuple()).mapEmpty();
  }

  @Override
  public Future<Void> close() {
    return Future.failedFuture(new IllegalStateException("a transaction's view of the database is not closed by itself"));
  }
}
