package io.zto.shared.store;

import io.vertx.core.Future;
import io.vertx.sqlclient.Tuple;
import java.time.Instant;
import java.util.Optional;

/**
 * Sealed material the nodes of a cluster share (table {@code cluster_material}). Written once, by whichever
 * node gets there first; never updated, so every node ends with the same.
 */
public final class ClusterMaterialRepository {

  private static final String INSERT = "INSERT INTO cluster_material (name, sealed, created_at) VALUES ($1, $2, $3)"
      + " ON CONFLICT (name) DO NOTHING";
  private static final String READ = "SELECT sealed FROM cluster_material WHERE name = $1";

  private final Database db;

  public ClusterMaterialRepository(Database db) {
    this.db = db;
  }

  /** The sealed material stored under {@code name}, if any. */
  public Future<Optional<byte[]>> find(String name) {
    return db.query(READ, Tuple.of(name)).map(rows -> Results.first(rows, row -> Rows.bytes(row, "sealed")));
  }

  /** Stores the material unless some is already stored under {@code name}; true if this call stored it. */
  public Future<Boolean> insertIfAbsent(String name, byte[] sealed, Instant now) {
    return db.update(INSERT, Tuple.of(name, Rows.binary(sealed), Rows.millis(now))).map(rows -> rows.rowCount() > 0);
  }
}
