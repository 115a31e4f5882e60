package io.zto.shared.store;

import io.vertx.core.Future;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import io.zto.shared.domain.Device;
import io.zto.shared.domain.IssuedCertificate;
import io.zto.shared.domain.Page;
import io.zto.shared.domain.RevocationReason;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** Devices as the platform knows them. */
public final class DeviceRepository {

  private static final String COLUMNS = "id, tenant, state, enrollment_id, group_id, ldevid_fingerprint,"
      + " ldevid_serial, ldevid_issuer, idevid_serial, hwmodule_serial, last_request_id, info, created_at,"
      + " updated_at, provisioned_at, last_seen_at, bound_anchor_id, bound_anchor_fingerprint, bound_ldevid_fingerprint,"
      + " bound_at";
  /**
   * A disabled or retired device keeps its row untouched: an operator's block wins over a racing
   * provisioning ({@link #reregister} is the one way back from retired). A row written without a
   * binding keeps the stored one. With $21 set, the row is changed only while its stored binding is the
   * LDevID fingerprint $21 ('' for none): a binding that changed since the caller looked is not overwritten.
   */
  private static final String UPSERT = "INSERT INTO devices (" + COLUMNS + ") VALUES"
      + " ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20)"
      + " ON CONFLICT (id) DO UPDATE SET tenant = excluded.tenant, state = excluded.state,"
      + " enrollment_id = excluded.enrollment_id, group_id = excluded.group_id,"
      + " ldevid_fingerprint = excluded.ldevid_fingerprint, ldevid_serial = excluded.ldevid_serial,"
      + " ldevid_issuer = excluded.ldevid_issuer, idevid_serial = excluded.idevid_serial,"
      + " hwmodule_serial = excluded.hwmodule_serial, last_request_id = excluded.last_request_id,"
      + " info = excluded.info, updated_at = excluded.updated_at,"
      + " provisioned_at = COALESCE(excluded.provisioned_at, devices.provisioned_at),"
      + " bound_anchor_id = CASE WHEN excluded.bound_ldevid_fingerprint IS NULL THEN devices.bound_anchor_id"
      + " ELSE excluded.bound_anchor_id END,"
      + " bound_anchor_fingerprint = CASE WHEN excluded.bound_ldevid_fingerprint IS NULL"
      + " THEN devices.bound_anchor_fingerprint ELSE excluded.bound_anchor_fingerprint END,"
      + " bound_at = CASE WHEN excluded.bound_ldevid_fingerprint IS NULL THEN devices.bound_at"
      + " ELSE excluded.bound_at END,"
      + " bound_ldevid_fingerprint = COALESCE(excluded.bound_ldevid_fingerprint, devices.bound_ldevid_fingerprint)"
      + " WHERE devices.state NOT IN ('DISABLED', 'RETIRED')"
      + " AND (CAST($21 AS TEXT) IS NULL OR COALESCE(devices.bound_ldevid_fingerprint, '') = $21)"
      + " RETURNING " + COLUMNS;
  /** Binds device $1 (an operator approved a request that showed this anchor and LDevID). */
  private static final String BIND = "UPDATE devices SET bound_anchor_id = $2, bound_anchor_fingerprint = $3,"
      + " bound_ldevid_fingerprint = $4, bound_at = $5, ldevid_fingerprint = $4,"
      + " ldevid_serial = COALESCE($6, ldevid_serial), ldevid_issuer = COALESCE($7, ldevid_issuer), updated_at = $5"
      + " WHERE id = $1 AND state NOT IN ('DISABLED', 'RETIRED')";
  private static final String GET = "SELECT " + COLUMNS + " FROM devices WHERE id = $1";
  private static final String LIST = "SELECT " + COLUMNS + " FROM devices WHERE id > $1"
      + " AND (CAST($2 AS TEXT) IS NULL OR state = $2) AND (CAST($3 AS TEXT) IS NULL OR tenant = $3)"
      + " ORDER BY id LIMIT $4";
  private static final String SET_STATE = "UPDATE devices SET state = $2, updated_at = $3,"
      + " provisioned_at = CASE WHEN $2 = 'PROVISIONED' THEN $3 ELSE provisioned_at END WHERE id = $1";
  private static final String TOUCH = "UPDATE devices SET last_seen_at = $2 WHERE id = $1"
      + " AND (last_seen_at IS NULL OR last_seen_at < $2)";
  private static final String DELETE = "DELETE FROM devices WHERE id = $1";
  /** updated_at is the retirement time: a retry keeps it. */
  private static final String RETIRE = "UPDATE devices SET state = 'RETIRED',"
      + " updated_at = CASE WHEN state = 'RETIRED' THEN updated_at ELSE $2 END WHERE id = $1 RETURNING " + COLUMNS;
  /** A device registered anew starts over: it is bound again by its next provisioning. */
  private static final String REREGISTER = "UPDATE devices SET state = 'UNKNOWN', updated_at = $3,"
      + " bound_anchor_id = NULL, bound_anchor_fingerprint = NULL, bound_ldevid_fingerprint = NULL, bound_at = NULL"
      + " WHERE id = $1 AND state = 'RETIRED' AND updated_at = $2";

  private final Database db;

  public DeviceRepository(Database db) {
    this.db = db;
  }

  /**
   * Creates the device or updates what a provisioning request learnt of it (its created_at and, unless
   * given anew, provisioned_at and last_seen_at are kept). A {@code DISABLED} device is not changed:
   * the stored row is returned, so the caller sees the block even if it raced an operator.
   */
  public Future<Device> upsert(Device d) {
    return upsert(d, null);
  }

  /**
   * As {@link #upsert(Device)}, changing a stored row only while it is still bound to the LDevID
   * fingerprint {@code boundBefore} ("" for not bound): otherwise the stored row is returned unchanged, so
   * the caller sees that its binding decision is out of date (two requests for one device id racing).
   */
  public Future<Device> upsertIfBoundTo(Device d, String boundBefore) {
    return upsert(d, boundBefore == null ? "" : boundBefore);
  }

  /**
   * Binds the device to the anchor and LDevID of a request an operator approved, and records that LDevID
   * as its current one; false if there is no such device or it is disabled or retired.
   */
  public Future<Boolean> bind(String id, Device.Binding binding, String ldevidSerial, String ldevidIssuer) {
    return db.update(BIND, Tuple.of(id, binding.anchorId(), binding.anchorFingerprint(), binding.ldevidFingerprint(),
            Rows.millis(binding.boundAt()), ldevidSerial, ldevidIssuer))
        .map(rows -> rows.rowCount() > 0);
  }

  private Future<Device> upsert(Device d, String guard) {
    Device.Binding b = d.binding();
    Tuple args = Tuple.of(d.id(), d.tenant(), d.state().name(), d.enrollmentId(), d.groupId(),
        d.ldevidFingerprint(), d.ldevidSerial(), d.ldevidIssuer(), d.idevidSerial(), d.hwmoduleSerial(),
        d.lastRequestId(), Rows.text(d.info()), Rows.millis(d.createdAt()), Rows.millis(d.updatedAt()),
        Rows.millis(d.provisionedAt()), Rows.millis(d.lastSeenAt()))
        .addString(b == null ? null : b.anchorId()).addString(b == null ? null : b.anchorFingerprint())
        .addString(b == null ? null : b.ldevidFingerprint()).addLong(b == null ? null : Rows.millis(b.boundAt()))
        .addString(guard);
    return db.transaction(tx -> tx.execute(UPSERT, args).compose(rows -> rows.size() > 0
        ? Future.succeededFuture(map(rows.iterator().next()))
        : tx.execute(GET, Tuple.of(d.id())).map(stored -> map(stored.iterator().next()))));
  }

  public Future<Optional<Device>> get(String id) {
    return db.query(GET, Tuple.of(id)).map(rows -> Results.first(rows, DeviceRepository::map));
  }

  /** Devices by id, of one state and one tenant (any if null). */
  public Future<Page<Device>> list(Device.State state, String tenant, String cursor, int limit) {
    int size = Paging.limit(limit);
    Tuple args = Tuple.of(cursor == null ? "" : cursor, Rows.name(state), tenant, size + 1);
    return db.query(LIST, args)
        .map(rows -> Paging.page(Results.list(rows, DeviceRepository::map), size, Device::id));
  }

  /** Sets the state (and provisioned_at when it becomes {@code PROVISIONED}); false if no such device. */
  public Future<Boolean> setState(String id, Device.State state, Instant now) {
    return db.update(SET_STATE, Tuple.of(id, state.name(), Rows.millis(now))).map(rows -> rows.rowCount() > 0);
  }

  /** Records that the device was seen at {@code at}; an older instant never overwrites a newer one. */
  public Future<Boolean> touch(String id, Instant at) {
    return db.update(TOUCH, Tuple.of(id, Rows.millis(at))).map(rows -> rows.rowCount() > 0);
  }

  /** What {@link #retire} did: the retired device and the certificates this call revoked. */
  public record Retirement(Device device, List<IssuedCertificate> revoked) {}

  /**
   * Retires a device in one transaction, so a crash leaves all of it or none: state {@code RETIRED}, its
   * valid certificates revoked ({@code reason}), its MQTT credentials and unused EST challenges deleted,
   * its individual enrollment closed (disabled), its pending provisioning requests rejected. Safe to
   * repeat: a second call changes nothing and revokes nothing more. Empty if there is no such device.
   */
  public Future<Optional<Retirement>> retire(String id, RevocationReason reason, Instant now) {
    Long at = Rows.millis(now);
    return db.transaction(tx -> tx.execute(RETIRE, Tuple.of(id, at)).compose(rows -> {
      if (rows.size() == 0) {
        return Future.succeededFuture(Optional.<Retirement>empty());
      }
      Device device = map(rows.iterator().next());
      Future<?> enrollment = device.enrollmentId() == null ? Future.succeededFuture()
          : tx.execute(EnrollmentRepository.E_CLOSE, Tuple.of(device.enrollmentId(), at));
      return enrollment
          .compose(ignored -> tx.execute(CredentialRepository.DELETE, Tuple.of(id)))
          .compose(ignored -> tx.execute(ChallengeRepository.DELETE_UNUSED_OF, Tuple.of(id)))
          .compose(ignored -> tx.execute(ProvisioningRequestRepository.REJECT_PENDING_OF,
              Tuple.of(id, at, "device " + id + " was retired")))
          .compose(ignored -> tx.execute(CertificateRepository.REVOKE_ALL_OF, Tuple.of(id, at, reason.rfcName())))
          .map(revoked -> Optional.of(new Retirement(device, Results.list(revoked, CertificateRepository::map))));
    }));
  }

  /**
   * Brings a retired device back for a new registration (state {@code UNKNOWN}), only if it is still
   * the retirement {@code retiredAt} names: false if another node did it first or it changed meanwhile.
   */
  public Future<Boolean> reregister(String id, Instant retiredAt, Instant now) {
    return db.update(REREGISTER, Tuple.of(id, Rows.millis(retiredAt), Rows.millis(now))).map(rows -> rows.rowCount() > 0);
  }

  public Future<Boolean> delete(String id) {
    return db.update(DELETE, Tuple.of(id)).map(rows -> rows.rowCount() > 0);
  }

  private static Device map(Row row) {
    return new Device(row.getString("id"), row.getString("tenant"), Rows.enumValue(row, "state", Device.State.class),
        row.getString("enrollment_id"), row.getString("group_id"), row.getString("ldevid_fingerprint"),
        row.getString("ldevid_serial"), row.getString("ldevid_issuer"), row.getString("idevid_serial"),
        row.getString("hwmodule_serial"), row.getString("last_request_id"), Rows.json(row, "info"),
        Rows.instant(row, "created_at"), Rows.instant(row, "updated_at"), Rows.instant(row, "provisioned_at"),
        Rows.instant(row, "last_seen_at"), binding(row));
  }

  private static Device.Binding binding(Row row) {
    String ldevid = row.getString("bound_ldevid_fingerprint");
    return ldevid == null ? null : new Device.Binding(row.getString("bound_anchor_id"),
        row.getString("bound_anchor_fingerprint"), ldevid, Rows.instant(row, "bound_at"));
  }
}
