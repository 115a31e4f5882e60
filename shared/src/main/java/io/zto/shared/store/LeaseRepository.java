package io.zto.shared.store;

import io.vertx.core.Future;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.time.Duration;
import java.util.Optional;

/**
 * Leases of duties that must have one owner at a time in a cluster (table {@code leader_leases}). Expiry is
 * computed on the database's clock, never a node's, so nodes with skewed clocks still agree on who holds a
 * lease. Every operation is one statement, atomic on both back ends.
 */
public final class LeaseRepository {

  /** Epoch millis now, on the server (clock_timestamp: the time of the statement, not of its transaction). */
  private static final String PG_NOW = "(EXTRACT(EPOCH FROM clock_timestamp()) * 1000)::BIGINT";
  private static final String SQLITE_NOW = "CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER)";

  private static final String ACQUIRE = "INSERT INTO leader_leases (name, holder, expires_at, acquired_at)"
      + " VALUES ($1, $2, NOW + $3, NOW) ON CONFLICT (name) DO UPDATE SET holder = excluded.holder,"
      + " expires_at = excluded.expires_at, acquired_at = CASE WHEN leader_leases.holder = excluded.holder"
      + " THEN leader_leases.acquired_at ELSE excluded.acquired_at END"
      + " WHERE leader_leases.holder = excluded.holder OR leader_leases.expires_at <= NOW"
      + " RETURNING holder";
  private static final String READ = "SELECT holder, expires_at - NOW AS remaining FROM leader_leases"
      + " WHERE name = $1 AND expires_at > NOW";
  private static final String RELEASE = "DELETE FROM leader_leases WHERE name = $1 AND holder = $2";

  private final Database db;
  private final String acquire;
  private final String read;

  public LeaseRepository(Database db) {
    this.db = db;
    String now = "postgresql".equals(db.kind()) ? PG_NOW : SQLITE_NOW;
    this.acquire = ACQUIRE.replace("NOW", now);
    this.read = READ.replace("NOW", now);
  }

  /**
   * A current holder of a lease.
   *
   * @param holder the holder's id
   * @param remaining how long the lease still runs, on the database's clock
   */
  public record Holder(String holder, Duration remaining) {}

  /**
   * Takes the lease if it is free or expired, or renews it if {@code holder} holds it, for {@code ttl} from
   * now on the database's clock.
   *
   * @return true if {@code holder} holds the lease now; false if another holder's lease is still running
   */
  public Future<Boolean> acquire(String name, String holder, Duration ttl) {
    return db.update(acquire, Tuple.of(name, holder, ttl.toMillis())).map(rows -> rows.iterator().hasNext());
  }

  /** The holder of a lease that has not expired; empty when it is free. */
  public Future<Optional<Holder>> holder(String name) {
    return db.query(read, Tuple.of(name)).map(rows -> Results.first(rows, LeaseRepository::map));
  }

  /** Gives the lease up if {@code holder} holds it, so another node may take it at once. */
  public Future<Boolean> release(String name, String holder) {
    return db.update(RELEASE, Tuple.of(name, holder)).map(rows -> rows.rowCount() > 0);
  }

  private static Holder map(Row row) {
    return new Holder(row.getString("holder"), Duration.ofMillis(Math.max(0, row.getLong("remaining"))));
  }
}
