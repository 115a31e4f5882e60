package io.zto.shared.store;

import io.vertx.core.Future;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import io.zto.shared.domain.Activation;
import io.zto.shared.domain.Approval;
import io.zto.shared.domain.Enrollment;
import io.zto.shared.domain.EnrollmentGroup;
import io.zto.shared.domain.EnrollmentStatus;
import io.zto.shared.domain.Page;
import io.zto.shared.domain.ReprovisionPolicy;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Optional;

/**
 * Enrollments (one expected device) and enrollment groups (every device of a trust anchor), and their
 * provisioning budgets.
 */
public final class EnrollmentRepository {

  private static final String ACTIVATION = "approval, status, application, not_before, not_after,"
      + " max_provisionings, reprovision_policy, provision_count, created_at, updated_at";
  private static final String E_COLUMNS = "id, tenant, device_id, ldevid_fingerprint, idevid_serial, hwmodule_serial, "
      + ACTIVATION + ", trust_anchor_id";
  private static final String G_COLUMNS = "id, tenant, name, trust_anchor_id, " + ACTIVATION;
  private static final String E_INSERT = "INSERT INTO enrollments (" + E_COLUMNS + ") VALUES"
      + " ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)";
  private static final String E_GET = "SELECT " + E_COLUMNS + " FROM enrollments WHERE id = $1";
  private static final String E_LIST = "SELECT " + E_COLUMNS + " FROM enrollments"
      + " WHERE (created_at > $1 OR (created_at = $1 AND id > $2)) AND (CAST($3 AS TEXT) IS NULL OR status = $3)"
      + " ORDER BY created_at, id LIMIT $4";
  private static final String E_CANDIDATES = "SELECT " + E_COLUMNS + " FROM enrollments"
      + " WHERE device_id = $1 OR ldevid_fingerprint = $2 OR idevid_serial = $3 OR hwmodule_serial = $4"
      + " ORDER BY created_at, id";
  private static final String E_STATUS = "UPDATE enrollments SET status = $2, updated_at = $3 WHERE id = $1";
  /** Inside {@link DeviceRepository#retire}: closes enrollment $1 at $2 unless closed already. */
  static final String E_CLOSE = "UPDATE enrollments SET status = 'DISABLED', updated_at = $2 WHERE id = $1"
      + " AND status <> 'DISABLED'";
  private static final String E_DELETE = "DELETE FROM enrollments WHERE id = $1";
  private static final String E_COUNT = "UPDATE enrollments SET provision_count = provision_count + 1, updated_at = $2"
      + " WHERE id = $1 AND (max_provisionings IS NULL OR provision_count < max_provisionings)";
  private static final String G_INSERT = "INSERT INTO enrollment_groups (" + G_COLUMNS + ") VALUES"
      + " ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)";
  private static final String E_LDEVID_ANCHOR = "SELECT 1 FROM trust_anchors WHERE id = $1 AND purpose = 'LDEVID'";
  private static final String G_ANCHOR_EXISTS = "SELECT 1 FROM trust_anchors WHERE id = $1";
  private static final String G_GET = "SELECT " + G_COLUMNS + " FROM enrollment_groups WHERE id = $1";
  private static final String G_LIST = "SELECT " + G_COLUMNS + " FROM enrollment_groups"
      + " WHERE (created_at > $1 OR (created_at = $1 AND id > $2)) AND (CAST($3 AS TEXT) IS NULL OR status = $3)"
      + " ORDER BY created_at, id LIMIT $4";
  private static final String G_BY_ANCHORS = "SELECT " + G_COLUMNS + " FROM enrollment_groups"
      + " WHERE trust_anchor_id IN (%s) ORDER BY created_at, id";
  private static final String G_STATUS = "UPDATE enrollment_groups SET status = $2, updated_at = $3 WHERE id = $1";
  private static final String G_DELETE = "DELETE FROM enrollment_groups WHERE id = $1";
  private static final String G_COUNT = "UPDATE enrollment_groups SET provision_count = provision_count + 1,"
      + " updated_at = $2 WHERE id = $1 AND (max_provisionings IS NULL OR provision_count < max_provisionings)";

  /** Most trust anchor ids {@link #groupsOfTrustAnchors} takes at once. */
  public static final int MAX_ANCHOR_IDS = 500;

  private final Database db;

  public EnrollmentRepository(Database db) {
    this.db = db;
  }

  /**
   * Stores a new enrollment. Fails with a {@link DuplicateKeyException} naming the device id and LDevID
   * fingerprint if another enrollment has either, with an {@link IllegalArgumentException} if it names a trust anchor
   * that is not an {@code ldevid} one.
   */
  public Future<Enrollment> create(Enrollment e) {
    Tuple args = Tuple.of(e.id(), e.tenant(), e.deviceId(), e.ldevidFingerprint(), e.idevidSerial(),
        e.hwmoduleSerial());
    Tuple all = activation(args, e.activation(), e.provisionCount(), e.createdAt(), e.updatedAt())
        .addString(e.trustAnchorId());
    Future<Void> anchor = e.trustAnchorId() == null ? Future.succeededFuture()
        : db.query(E_LDEVID_ANCHOR, Tuple.of(e.trustAnchorId())).compose(rows -> rows.size() > 0
            ? Future.succeededFuture()
            : Future.failedFuture(new IllegalArgumentException("trustAnchor must be the id of a trust anchor of purpose ldevid;"
                + " there is none with id '" + e.trustAnchorId() + "'")));
    return anchor.compose(ignored -> db.update(E_INSERT, all))
        .map(e)
        .recover(failure -> Future.failedFuture(failure instanceof DuplicateKeyException duplicate
            ? new DuplicateKeyException("an enrollment for device id '" + e.deviceId() + "' or LDevID fingerprint '"
                + e.ldevidFingerprint() + "' exists already", duplicate)
            : failure));
  }

  public Future<Optional<Enrollment>> get(String id) {
    return db.query(E_GET, Tuple.of(id)).map(rows -> Results.first(rows, EnrollmentRepository::enrollment));
  }

  /** Enrollments oldest first, of one status (all if null). */
  public Future<Page<Enrollment>> list(EnrollmentStatus status, String cursor, int limit) {
    int size = Paging.limit(limit);
    return db.query(E_LIST, listArgs(status, cursor, size))
        .map(rows -> Paging.page(Results.list(rows, EnrollmentRepository::enrollment), size,
            e -> Paging.cursor(e.createdAt().toEpochMilli(), e.id())));
  }

  /**
   * Every enrollment matching any of the given identities (null ones match nothing), whatever its
   * status and window: the caller decides which applies and explains refusals.
   */
  public Future<List<Enrollment>> findCandidates(String deviceId, String ldevidFingerprint, String idevidSerial,
                                                 String hwmoduleSerial) {
    return db.query(E_CANDIDATES, Tuple.of(deviceId, ldevidFingerprint, idevidSerial, hwmoduleSerial))
        .map(rows -> Results.list(rows, EnrollmentRepository::enrollment));
  }

  /** Enables or disables an enrollment; false if there is none with this id. */
  public Future<Boolean> setStatus(String id, EnrollmentStatus status, Instant now) {
    return db.update(E_STATUS, Tuple.of(id, status.name(), Rows.millis(now))).map(rows -> rows.rowCount() > 0);
  }

  public Future<Boolean> delete(String id) {
    return db.update(E_DELETE, Tuple.of(id)).map(rows -> rows.rowCount() > 0);
  }

  /**
   * Counts one provisioning against the enrollment's budget, atomically: false (and nothing counted)
   * if its maxProvisionings is used up or it does not exist.
   */
  public Future<Boolean> countProvisioning(String enrollmentId, Instant now) {
    return db.update(E_COUNT, Tuple.of(enrollmentId, Rows.millis(now))).map(rows -> rows.rowCount() > 0);
  }

  /**
   * Stores a new group. Fails with a {@link DuplicateKeyException} if the name is taken, with a
   * {@link StoreException} if the trust anchor does not exist.
   */
  public Future<EnrollmentGroup> createGroup(EnrollmentGroup g) {
    Tuple args = activation(Tuple.of(g.id(), g.tenant(), g.name(), g.trustAnchorId()), g.activation(),
        g.provisionCount(), g.createdAt(), g.updatedAt());
    return db.transaction(tx -> tx.execute(G_ANCHOR_EXISTS, Tuple.of(g.trustAnchorId())).compose(anchor ->
            anchor.size() == 0
                ? Future.failedFuture(new StoreException("no trust anchor with id '" + g.trustAnchorId() + "'"))
                : tx.execute(G_INSERT, args).map(g)))
        .recover(failure -> Future.failedFuture(failure instanceof DuplicateKeyException duplicate
            ? new DuplicateKeyException("an enrollment group named '" + g.name() + "' exists already", duplicate)
            : failure));
  }

  public Future<Optional<EnrollmentGroup>> getGroup(String id) {
    return db.query(G_GET, Tuple.of(id)).map(rows -> Results.first(rows, EnrollmentRepository::group));
  }

  /** Groups oldest first, of one status (all if null). */
  public Future<Page<EnrollmentGroup>> listGroups(EnrollmentStatus status, String cursor, int limit) {
    int size = Paging.limit(limit);
    return db.query(G_LIST, listArgs(status, cursor, size))
        .map(rows -> Paging.page(Results.list(rows, EnrollmentRepository::group), size,
            g -> Paging.cursor(g.createdAt().toEpochMilli(), g.id())));
  }

  /** The groups of any of these trust anchors (those a device's LDevID chains to), whatever their status. */
  public Future<List<EnrollmentGroup>> groupsOfTrustAnchors(Collection<String> trustAnchorIds) {
    if (trustAnchorIds.isEmpty()) {
      return Future.succeededFuture(List.of());
    }
    if (trustAnchorIds.size() > MAX_ANCHOR_IDS) {
      return Future.failedFuture(new IllegalArgumentException("at most " + MAX_ANCHOR_IDS + " trust anchor ids"));
    }
    String sql = String.format(G_BY_ANCHORS, Results.placeholders(1, trustAnchorIds.size()));
    return db.query(sql, Tuple.wrap(List.copyOf(trustAnchorIds)))
        .map(rows -> Results.list(rows, EnrollmentRepository::group));
  }

  public Future<Boolean> setGroupStatus(String id, EnrollmentStatus status, Instant now) {
    return db.update(G_STATUS, Tuple.of(id, status.name(), Rows.millis(now))).map(rows -> rows.rowCount() > 0);
  }

  public Future<Boolean> deleteGroup(String id) {
    return db.update(G_DELETE, Tuple.of(id)).map(rows -> rows.rowCount() > 0);
  }

  /** {@link #countProvisioning} for a group. */
  public Future<Boolean> countGroupProvisioning(String groupId, Instant now) {
    return db.update(G_COUNT, Tuple.of(groupId, Rows.millis(now))).map(rows -> rows.rowCount() > 0);
  }

  private static Tuple listArgs(EnrollmentStatus status, String cursor, int size) {
    long after = cursor == null ? Long.MIN_VALUE : Paging.millisOf(cursor);
    return Tuple.of(after, cursor == null ? "" : Paging.keyOf(cursor), Rows.name(status), size + 1);
  }

  private static Tuple activation(Tuple args, Activation a, int count, Instant created, Instant updated) {
    return args.addString(a.approval().name()).addString(a.status().name()).addString(Rows.text(a.application()))
        .addLong(Rows.millis(a.notBefore())).addLong(Rows.millis(a.notAfter())).addInteger(a.maxProvisionings())
        .addString(a.reprovisionPolicy().name()).addInteger(count).addLong(Rows.millis(created))
        .addLong(Rows.millis(updated));
  }

  private static Activation activation(Row row) {
    return new Activation(Rows.enumValue(row, "approval", Approval.class),
        Rows.enumValue(row, "status", EnrollmentStatus.class), Rows.json(row, "application"),
        Rows.instant(row, "not_before"), Rows.instant(row, "not_after"), Rows.integer(row, "max_provisionings"),
        Rows.enumValue(row, "reprovision_policy", ReprovisionPolicy.class));
  }

  private static Enrollment enrollment(Row row) {
    return new Enrollment(row.getString("id"), row.getString("tenant"), row.getString("device_id"),
        row.getString("ldevid_fingerprint"), row.getString("idevid_serial"), row.getString("hwmodule_serial"),
        activation(row), Rows.integer(row, "provision_count"), Rows.instant(row, "created_at"),
        Rows.instant(row, "updated_at"), row.getString("trust_anchor_id"));
  }

  private static EnrollmentGroup group(Row row) {
    return new EnrollmentGroup(row.getString("id"), row.getString("tenant"), row.getString("name"),
        row.getString("trust_anchor_id"), activation(row), Rows.integer(row, "provision_count"),
        Rows.instant(row, "created_at"), Rows.instant(row, "updated_at"));
  }
}
