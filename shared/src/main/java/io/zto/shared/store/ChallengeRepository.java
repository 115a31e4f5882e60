package io.zto.shared.store;

import io.vertx.core.Future;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import io.zto.shared.domain.EstChallenge;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * One-time EST challenges. Their hashes are salted, so a presented challenge is found by listing the
 * device's live ones and comparing; using one is an atomic conditional update.
 */
public final class ChallengeRepository {

  private static final String COLUMNS = "id, device_id, challenge_hash, request_id, created_at, expires_at, used_at,"
      + " public_key_hash, issued_serial";
  private static final String INSERT = "INSERT INTO est_challenges (" + COLUMNS + ") VALUES"
      + " ($1, $2, $3, $4, $5, $6, $7, $8, $9)";
  /** Used challenges stay: they answer retries after a lost response. */
  /** Inside {@link DeviceRepository#retire}: the unused challenges of device $1 go. */
  static final String DELETE_UNUSED_OF = "DELETE FROM est_challenges WHERE device_id = $1 AND used_at IS NULL";
  private static final String DROP_UNUSED = "DELETE FROM est_challenges WHERE device_id = $1 AND used_at IS NULL"
      + " AND id <> $2";
  private static final String LIVE = "SELECT " + COLUMNS + " FROM est_challenges WHERE device_id = $1"
      + " AND used_at IS NULL AND expires_at > $2 ORDER BY created_at DESC, id";
  private static final String GET = "SELECT " + COLUMNS + " FROM est_challenges WHERE id = $1";
  private static final String CONSUME = "UPDATE est_challenges SET used_at = $3, public_key_hash = $2"
      + " WHERE id = $1 AND used_at IS NULL AND expires_at > $3";
  private static final String RECORD_ISSUED = "UPDATE est_challenges SET issued_serial = $2"
      + " WHERE id = $1 AND used_at IS NOT NULL AND issued_serial IS NULL";
  private static final String USED_WITH_KEY = "SELECT " + COLUMNS + " FROM est_challenges WHERE device_id = $1"
      + " AND public_key_hash = $2 AND used_at IS NOT NULL AND expires_at > $3 ORDER BY used_at DESC, id LIMIT 1";
  private static final String PURGE = "DELETE FROM est_challenges WHERE expires_at <= $1";

  private final Database db;

  public ChallengeRepository(Database db) {
    this.db = db;
  }

  /**
   * Stores a new challenge and, in the same transaction, deletes the device's earlier unused ones: from
   * its commit on only the new one can be used.
   */
  public Future<EstChallenge> issue(EstChallenge c) {
    Tuple args = Tuple.of(c.id(), c.deviceId(), c.challengeHash(), c.requestId(), Rows.millis(c.createdAt()),
        Rows.millis(c.expiresAt()), Rows.millis(c.usedAt()), c.publicKeyHash(), c.issuedSerial());
    return db.transaction(tx -> tx.execute(INSERT, args)
        .compose(inserted -> tx.execute(DROP_UNUSED, Tuple.of(c.deviceId(), c.id())))
        .map(c));
  }

  /** The device's unused challenges not expired at {@code now}, newest first. */
  public Future<List<EstChallenge>> live(String deviceId, Instant now) {
    return db.query(LIVE, Tuple.of(deviceId, Rows.millis(now))).map(rows -> Results.list(rows, ChallengeRepository::map));
  }

  public Future<Optional<EstChallenge>> get(String id) {
    return db.query(GET, Tuple.of(id)).map(rows -> Results.first(rows, ChallengeRepository::map));
  }

  /**
   * Uses the challenge for the public key, atomically: true only for the one call that found it unused
   * and unexpired at {@code now}; every other (concurrent or later) call gets false.
   */
  public Future<Boolean> consume(String challengeId, String publicKeyHash, Instant now) {
    return db.update(CONSUME, Tuple.of(challengeId, publicKeyHash, Rows.millis(now)))
        .map(rows -> rows.rowCount() > 0);
  }

  /** Records the serial issued for a used challenge, once; false if unused, unknown or already recorded. */
  public Future<Boolean> recordIssued(String challengeId, String serial) {
    return db.update(RECORD_ISSUED, Tuple.of(challengeId, serial)).map(rows -> rows.rowCount() > 0);
  }

  /**
   * The device's challenge last used with this public key and not expired at {@code now}: a retry after
   * a lost response (same key, same challenge) gets its {@code issuedSerial}'s certificate again.
   */
  public Future<Optional<EstChallenge>> findUsed(String deviceId, String publicKeyHash, Instant now) {
    return db.query(USED_WITH_KEY, Tuple.of(deviceId, publicKeyHash, Rows.millis(now)))
        .map(rows -> Results.first(rows, ChallengeRepository::map));
  }

  /** Deletes challenges expired at {@code now}, used or not; returns how many. */
  public Future<Integer> purgeExpired(Instant now) {
    return db.update(PURGE, Tuple.of(Rows.millis(now))).map(rows -> rows.rowCount());
  }

  private static EstChallenge map(Row row) {
    return new EstChallenge(row.getString("id"), row.getString("device_id"), row.getString("challenge_hash"),
        row.getString("request_id"), Rows.instant(row, "created_at"), Rows.instant(row, "expires_at"),
        Rows.instant(row, "used_at"), row.getString("public_key_hash"), row.getString("issued_serial"));
  }
}
