package io.zto.shared.store;

import io.vertx.core.Future;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import io.zto.shared.domain.Page;
import io.zto.shared.domain.ProvisioningRequest;
import java.time.Instant;
import java.util.Optional;

/**
 * Provisioning requests, the approval queue, and the sealed answers replayed to repeated requests.
 */
public final class ProvisioningRequestRepository {

  private static final String COLUMNS = "id, device_id, request_id, status, reason, ldevid_fingerprint,"
      + " idevid_serial, hwmodule_serial, enrollment_id, group_id, info, answer_expires_at, created_at,"
      + " decided_at, decided_by, anchor_id, anchor_fingerprint, ldevid_serial, ldevid_issuer";
  private static final String INSERT = "INSERT INTO provisioning_requests (" + COLUMNS + ") VALUES"
      + " ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19)"
      + " ON CONFLICT (device_id, request_id) DO NOTHING RETURNING " + COLUMNS;
  private static final String FIND = "SELECT " + COLUMNS + " FROM provisioning_requests"
      + " WHERE device_id = $1 AND request_id = $2";
  private static final String GET = "SELECT " + COLUMNS + " FROM provisioning_requests WHERE id = $1";
  private static final String LATEST = "SELECT " + COLUMNS + " FROM provisioning_requests WHERE device_id = $1"
      + " ORDER BY created_at DESC, id DESC LIMIT 1";
  private static final String LIST = "SELECT " + COLUMNS + " FROM provisioning_requests"
      + " WHERE (created_at > $1 OR (created_at = $1 AND id > $2)) AND (CAST($3 AS TEXT) IS NULL OR status = $3)"
      + " ORDER BY created_at, id LIMIT $4";
  /** Inside {@link DeviceRepository#retire}: rejects the pending requests of device $1 at $2 for reason $3. */
  static final String REJECT_PENDING_OF = "UPDATE provisioning_requests SET status = 'REJECTED', reason = $3,"
      + " decided_by = 'system', decided_at = $2 WHERE device_id = $1 AND status = 'PENDING'";
  private static final String DECIDE = "UPDATE provisioning_requests SET status = $2, reason = $3, decided_by = $4,"
      + " decided_at = $5 WHERE id = $1 AND status = 'PENDING'";
  private static final String STORE_ANSWER = "UPDATE provisioning_requests SET answer_sealed = $2,"
      + " answer_expires_at = $3 WHERE id = $1";
  private static final String READ_ANSWER = "SELECT answer_sealed, answer_expires_at FROM provisioning_requests"
      + " WHERE id = $1 AND answer_sealed IS NOT NULL AND answer_expires_at > $2";
  private static final String PURGE = "UPDATE provisioning_requests SET answer_sealed = NULL"
      + " WHERE answer_sealed IS NOT NULL AND answer_expires_at <= $1";

  // only refusals: a device retired and seen again is unknown too, and keeps the history of its provisioning
  private static final String PURGE_UNKNOWN = "DELETE FROM provisioning_requests WHERE created_at < $1"
      + " AND status = 'REJECTED' AND device_id IN (SELECT id FROM devices WHERE state = 'UNKNOWN')";

  /** A sealed answer (AES-GCM, opaque here) and until when it may be replayed. */
  public record SealedAnswer(byte[] sealed, Instant expiresAt) {}

  /**
   * The outcome of {@link #record}.
   *
   * @param created false if the (deviceId, requestId) was known: {@code request} is then the first row
   */
  public record Recorded(ProvisioningRequest request, boolean created) {}

  private final Database db;

  public ProvisioningRequestRepository(Database db) {
    this.db = db;
  }

  /**
   * Records a request. A repeated (deviceId, requestId), also one racing on another node, does not fail:
   * the row stored first is returned with {@code created = false}.
   */
  public Future<Recorded> record(ProvisioningRequest r) {
    Tuple args = Tuple.of(r.id(), r.deviceId(), r.requestId(), r.status().name(), r.reason(),
        r.ldevidFingerprint(), r.idevidSerial(), r.hwmoduleSerial(), r.enrollmentId(), r.groupId(),
        Rows.text(r.info()), Rows.millis(r.answerExpiresAt()), Rows.millis(r.createdAt()),
        Rows.millis(r.decidedAt()), r.decidedBy());
    ProvisioningRequest.Presented p = r.presented();
    args.addString(p == null ? null : p.anchorId()).addString(p == null ? null : p.anchorFingerprint())
        .addString(p == null ? null : p.ldevidSerial()).addString(p == null ? null : p.ldevidIssuer());
    return db.update(INSERT, args).compose(rows -> rows.size() > 0
        ? Future.succeededFuture(new Recorded(map(rows.iterator().next()), true))
        : find(r.deviceId(), r.requestId()).map(first -> new Recorded(first.orElseThrow(), false)));
  }

  public Future<Optional<ProvisioningRequest>> find(String deviceId, String requestId) {
    return db.query(FIND, Tuple.of(deviceId, requestId)).map(rows -> Results.first(rows, this::map));
  }

  public Future<Optional<ProvisioningRequest>> get(String id) {
    return db.query(GET, Tuple.of(id)).map(rows -> Results.first(rows, this::map));
  }

  /** The device's most recent request, for a device that comes back asking after a decision. */
  public Future<Optional<ProvisioningRequest>> latestOf(String deviceId) {
    return db.query(LATEST, Tuple.of(deviceId)).map(rows -> Results.first(rows, this::map));
  }

  /** Requests oldest first (the approval queue's order), of one status (all if null). */
  public Future<Page<ProvisioningRequest>> list(ProvisioningRequest.Status status, String cursor, int limit) {
    int size = Paging.limit(limit);
    long after = cursor == null ? Long.MIN_VALUE : Paging.millisOf(cursor);
    Tuple args = Tuple.of(after, cursor == null ? "" : Paging.keyOf(cursor), Rows.name(status), size + 1);
    return db.query(LIST, args).map(rows -> Paging.page(Results.list(rows, this::map), size,
        r -> Paging.cursor(r.createdAt().toEpochMilli(), r.id())));
  }

  /**
   * Decides a pending request, atomically: true if this call decided it, false if it was not pending
   * (already decided, by another operator or node) or does not exist.
   */
  public Future<Boolean> decide(String id, ProvisioningRequest.Status decision, String reason, String decidedBy,
                                Instant now) {
    if (decision == ProvisioningRequest.Status.PENDING) {
      return Future.failedFuture(new IllegalArgumentException("a decision is provisioned or rejected"));
    }
    return db.update(DECIDE, Tuple.of(id, decision.name(), reason, decidedBy, Rows.millis(now)))
        .map(rows -> rows.rowCount() > 0);
  }

  /** Keeps the sealed answer of a request until {@code expiresAt}; false if no such request. */
  public Future<Boolean> storeAnswer(String id, byte[] sealed, Instant expiresAt) {
    return db.update(STORE_ANSWER, Tuple.of(id, Rows.binary(sealed), Rows.millis(expiresAt)))
        .map(rows -> rows.rowCount() > 0);
  }

  /** The sealed answer if it is still there and not expired at {@code now}. */
  public Future<Optional<SealedAnswer>> readAnswer(String id, Instant now) {
    return db.query(READ_ANSWER, Tuple.of(id, Rows.millis(now))).map(rows -> Results.first(rows,
        row -> new SealedAnswer(Rows.bytes(row, "answer_sealed"), Rows.instant(row, "answer_expires_at"))));
  }

  /** Forgets every sealed answer expired at {@code now} (they hold secrets); returns how many. */
  public Future<Integer> purgeExpiredAnswers(Instant now) {
    return db.update(PURGE, Tuple.of(Rows.millis(now))).map(rows -> rows.rowCount());
  }

  /**
   * Deletes the refused requests, made before {@code cutoff}, of devices nobody registered (state unknown): a
   * device that keeps asking would otherwise grow the table without end. The device row stays, so the
   * operator still sees it asked ({@code provisioning.unknownRequestRetention}); returns how many.
   */
  public Future<Integer> purgeUnknownOlderThan(Instant cutoff) {
    return db.update(PURGE_UNKNOWN, Tuple.of(Rows.millis(cutoff))).map(rows -> rows.rowCount());
  }

  private ProvisioningRequest map(Row row) {
    return new ProvisioningRequest(row.getString("id"), row.getString("device_id"), row.getString("request_id"),
        Rows.enumValue(row, "status", ProvisioningRequest.Status.class), row.getString("reason"),
        row.getString("ldevid_fingerprint"), row.getString("idevid_serial"), row.getString("hwmodule_serial"),
        row.getString("enrollment_id"), row.getString("group_id"), Rows.json(row, "info"),
        Rows.instant(row, "answer_expires_at"), Rows.instant(row, "created_at"), Rows.instant(row, "decided_at"),
        row.getString("decided_by"), presented(row));
  }

  private static ProvisioningRequest.Presented presented(Row row) {
    String anchorId = row.getString("anchor_id");
    String serial = row.getString("ldevid_serial");
    return anchorId == null && serial == null ? null : new ProvisioningRequest.Presented(anchorId,
        row.getString("anchor_fingerprint"), serial, row.getString("ldevid_issuer"));
  }
}
