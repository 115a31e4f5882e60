package io.zto.shared.store;

import io.vertx.core.Future;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.Tuple;
import io.zto.shared.domain.IssuedCertificate;
import io.zto.shared.domain.Page;
import io.zto.shared.domain.Renewal;
import io.zto.shared.domain.Revocation;
import io.zto.shared.domain.RevocationReason;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Every certificate the platform issued, and their revocations. */
public final class CertificateRepository {

  /** Most rows {@link #listExpiring} returns at once. */
  public static final int MAX_EXPIRING = 1000;

  private static final String COLUMNS = "serial, device_id, issuer, subject, profile, public_key_hash, fingerprint,"
      + " not_before, not_after, der, status, revoked_at, revocation_reason, created_at";
  private static final String INSERT = "INSERT INTO certificates (" + COLUMNS + ") VALUES"
      + " ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)";
  private static final String GET = "SELECT " + COLUMNS + " FROM certificates WHERE serial = $1";
  private static final String BY_FINGERPRINT = "SELECT " + COLUMNS + " FROM certificates WHERE fingerprint = $1";
  /**
   * Renewal due at {@code $R1} (now, epoch millis) with {@code $R2} percent of the lifetime left: valid,
   * unexpired, in the last part of its lifetime counted from issuance, and no valid certificate of the
   * same device expiring later. The tokens are replaced by each query's placeholders.
   */
  private static final String DUE = "(c.status = 'VALID' AND c.not_after > $R1"
      + " AND (c.not_after - $R1) * 100 <= (c.not_after - c.created_at) * $R2"
      + " AND NOT EXISTS (SELECT 1 FROM certificates n WHERE n.device_id = c.device_id AND n.status = 'VALID'"
      + " AND n.not_after > c.not_after))";
  private static final String LIST = "SELECT " + withRenewal("$5", "$6") + " FROM certificates c"
      + " WHERE (CAST($1 AS TEXT) IS NULL OR device_id = $1) AND (not_after < $2 OR (not_after = $2 AND serial < $3))"
      + " AND ($7 = 0 OR " + due("$5", "$6") + ") ORDER BY not_after DESC, serial DESC LIMIT $4";
  private static final String GET_WITH_RENEWAL = "SELECT " + withRenewal("$2", "$3") + " FROM certificates c"
      + " WHERE serial = $1";
  private static final String WARN_CANDIDATES = "SELECT " + COLUMNS + " FROM certificates c WHERE "
      + due("$1", "$2") + " AND c.renewal_warned_at IS NULL ORDER BY c.not_after, c.serial LIMIT $3";
  private static final String COUNT_DUE = "SELECT COUNT(*) AS due FROM certificates c WHERE " + due("$1", "$2");
  private static final String MARK_WARNED = "UPDATE certificates SET renewal_warned_at = $2"
      + " WHERE serial = $1 AND renewal_warned_at IS NULL";
  private static final String CURRENT = "SELECT " + COLUMNS + " FROM certificates WHERE device_id = $1"
      + " AND status = 'VALID' AND not_before <= $2 AND not_after > $2 ORDER BY not_after DESC, serial";
  private static final String REVOKE = "UPDATE certificates SET status = 'REVOKED', revoked_at = $2,"
      + " revocation_reason = $3 WHERE serial = $1 AND status = 'VALID' RETURNING " + COLUMNS;
  /** Inside {@link DeviceRepository#retire}: revokes every valid certificate of device $1 at $2 for reason $3. */
  static final String REVOKE_ALL_OF = "UPDATE certificates SET status = 'REVOKED', revoked_at = $2,"
      + " revocation_reason = $3 WHERE device_id = $1 AND status = 'VALID' RETURNING " + COLUMNS;
  /** Upgrades the reason of a revoked certificate to $2 (keyCompromise found out after a superseded). */
  private static final String ESCALATE = "UPDATE certificates SET revocation_reason = $2 WHERE serial = $1"
      + " AND status = 'REVOKED' AND revocation_reason <> $2 RETURNING " + COLUMNS;
  private static final String SET_REPLACES = "UPDATE certificates SET replaces = $2 WHERE serial = $1";
  private static final String SUCCESSOR = "SELECT " + COLUMNS + " FROM certificates WHERE replaces = $1";
  private static final String LAST_REVOKED = "SELECT " + COLUMNS + " FROM certificates WHERE device_id = $1"
      + " AND status = 'REVOKED' ORDER BY revoked_at DESC, serial DESC LIMIT 1";
  private static final String REVOKED = "SELECT serial, revoked_at, revocation_reason FROM certificates"
      + " WHERE status = 'REVOKED' AND issuer = $1 AND not_after > $2 ORDER BY serial";
  private static final String EXPIRING = "SELECT " + COLUMNS + " FROM certificates c"
      + " WHERE c.status = 'VALID' AND c.not_after > $1 AND c.not_after <= $2"
      + " AND NOT EXISTS (SELECT 1 FROM certificates n WHERE n.device_id = c.device_id AND n.status = 'VALID'"
      + " AND n.not_after > c.not_after) ORDER BY c.not_after, c.serial LIMIT $3";

  private final Database db;

  public CertificateRepository(Database db) {
    this.db = db;
  }

  /** Stores an issued certificate; a {@link DuplicateKeyException} names a reused serial or fingerprint. */
  public Future<IssuedCertificate> insert(IssuedCertificate c) {
    return named(db.update(INSERT, insertArgs(c)).map(c), c);
  }

  private static Tuple insertArgs(IssuedCertificate c) {
    return Tuple.of(c.serial(), c.deviceId(), c.issuer(), c.subject(), c.profile(), c.publicKeyHash(),
        c.fingerprint(), Rows.millis(c.notBefore()), Rows.millis(c.notAfter()), Rows.binary(c.der()),
        c.status().name(), Rows.millis(c.revokedAt()),
        c.revocationReason() == null ? null : c.revocationReason().rfcName(), Rows.millis(c.createdAt()));
  }

  private static <T> Future<T> named(Future<T> insert, IssuedCertificate c) {
    return insert.recover(failure -> Future.failedFuture(failure instanceof DuplicateKeyException duplicate
        ? new DuplicateKeyException("a certificate with serial " + c.serial() + " or fingerprint "
            + c.fingerprint() + " exists already", duplicate)
        : failure));
  }

  public Future<Optional<IssuedCertificate>> get(String serial) {
    return db.query(GET, Tuple.of(serial)).map(rows -> Results.first(rows, CertificateRepository::map));
  }

  public Future<Optional<IssuedCertificate>> findByFingerprint(String fingerprint) {
    return db.query(BY_FINGERPRINT, Tuple.of(fingerprint)).map(rows -> Results.first(rows, CertificateRepository::map));
  }

  /** Certificates of a device (of every device if null), latest expiry first. */
  public Future<Page<IssuedCertificate>> list(String deviceId, String cursor, int limit) {
    return list(deviceId, false, Instant.now(), 100, cursor, limit)
        .map(page -> new Page<>(page.items().stream().map(Renewing::certificate).toList(), page.nextCursor()));
  }

  /**
   * Certificates of a device (of every device if null), latest expiry first, each with its renewal
   * state at {@code now} for a warning at {@code percentLeft} percent of the lifetime left; only those
   * due if {@code dueOnly}.
   */
  public Future<Page<Renewing>> list(String deviceId, boolean dueOnly, Instant now, int percentLeft, String cursor,
                                     int limit) {
    int size = Paging.limit(limit);
    long before = cursor == null ? Long.MAX_VALUE : Paging.millisOf(cursor);
    String serial = cursor == null ? "" : Paging.keyOf(cursor);
    Tuple args = Tuple.of(deviceId, before, serial, size + 1, Rows.millis(now), (long) percentLeft, dueOnly ? 1 : 0);
    return db.query(LIST, args).map(rows -> Paging.page(Results.list(rows, row -> renewing(row, percentLeft)), size,
        r -> Paging.cursor(r.certificate().notAfter().toEpochMilli(), r.certificate().serial())));
  }

  /** One certificate with its renewal state, as {@link #list(String, boolean, Instant, int, String, int)}. */
  public Future<Optional<Renewing>> getRenewing(String serial, Instant now, int percentLeft) {
    return db.query(GET_WITH_RENEWAL, Tuple.of(serial, Rows.millis(now), (long) percentLeft))
        .map(rows -> Results.first(rows, row -> renewing(row, percentLeft)));
  }

  /** Due certificates (see {@link Renewal}) nobody warned about yet, soonest expiry first, at most {@code limit}. */
  public Future<List<IssuedCertificate>> listUnwarnedDue(Instant now, int percentLeft, int limit) {
    int size = Math.max(1, Math.min(limit, MAX_EXPIRING));
    return db.query(WARN_CANDIDATES, Tuple.of(Rows.millis(now), (long) percentLeft, size))
        .map(rows -> Results.list(rows, CertificateRepository::map));
  }

  /** How many certificates are due for renewal and not renewed at {@code now}. */
  public Future<Long> countDue(Instant now, int percentLeft) {
    return db.query(COUNT_DUE, Tuple.of(Rows.millis(now), (long) percentLeft))
        .map(rows -> ((Number) rows.iterator().next().getValue("due")).longValue());
  }

  /**
   * Records the renewal warning of a certificate, once: true for the one caller (of any node) that set
   * it, false if it was set already, so that only that caller audits it.
   */
  public Future<Boolean> markRenewalWarned(String serial, Instant at) {
    return db.update(MARK_WARNED, Tuple.of(serial, Rows.millis(at))).map(rows -> rows.rowCount() > 0);
  }

  /** A certificate and its renewal state. */
  public record Renewing(IssuedCertificate certificate, Renewal renewal) {}

  private static String due(String now, String percent) {
    return DUE.replace("$R1", now).replace("$R2", percent);
  }

  private static String withRenewal(String now, String percent) {
    return COLUMNS + ", renewal_warned_at, CASE WHEN " + due(now, percent) + " THEN 1 ELSE 0 END AS renewal_due";
  }

  private static Renewing renewing(Row row, int percentLeft) {
    IssuedCertificate c = map(row);
    Integer due = Rows.integer(row, "renewal_due");
    return new Renewing(c, new Renewal(due != null && due != 0, Renewal.dueAt(c.createdAt(), c.notAfter(), percentLeft),
        c.notAfter(), Rows.instant(row, "renewal_warned_at")));
  }

  /** The device's unrevoked certificates within their validity at {@code now}, latest expiry first. */
  public Future<List<IssuedCertificate>> currentOf(String deviceId, Instant now) {
    return db.query(CURRENT, Tuple.of(deviceId, Rows.millis(now)))
        .map(rows -> Results.list(rows, CertificateRepository::map));
  }

  /**
   * Revokes a valid certificate, atomically: the revoked row, or empty if it was not valid (revoked
   * already, by this or another node) or does not exist; a second revocation changes nothing.
   */
  public Future<Optional<IssuedCertificate>> revoke(String serial, RevocationReason reason, Instant now) {
    return db.update(REVOKE, Tuple.of(serial, Rows.millis(now), reason.rfcName()))
        .map(rows -> Results.first(rows, CertificateRepository::map));
  }

  /** What {@link #revoke(String, RevocationReason, boolean, Instant)} did. */
  public record Revoked(IssuedCertificate certificate, List<IssuedCertificate> changed) {

    public Revoked {
      changed = List.copyOf(changed);
    }

    /** Whether the named certificate was revoked (or its reason raised to keyCompromise) by this call. */
    public boolean named() {
      return changed.stream().anyMatch(c -> c.serial().equals(certificate.serial()));
    }
  }

  /**
   * Revokes a certificate and, with {@code allOfDevice}, every other valid certificate of its device for
   * the same reason, in one transaction. With {@code allOfDevice} a certificate revoked already for
   * another reason has its reason raised ({@code superseded} becomes {@code keyCompromise}: a key found
   * compromised after its certificate was replaced may have authenticated that re-enrollment). A
   * certificate revoked already for this reason changes nothing, not even its device's other certificates
   * (a repeated request must not revoke what the device obtained since). Empty if there is no such
   * certificate; {@link Revoked#changed()} is empty if nothing changed (revoked already).
   */
  public Future<Optional<Revoked>> revoke(String serial, RevocationReason reason, boolean allOfDevice, Instant now) {
    Long at = Rows.millis(now);
    return db.transaction(tx -> tx.execute(REVOKE, Tuple.of(serial, at, reason.rfcName())).compose(rows -> {
      if (rows.size() > 0 || allOfDevice) {
        Future<RowSet<Row>> named = rows.size() > 0 ? Future.succeededFuture(rows)
            : tx.execute(ESCALATE, Tuple.of(serial, reason.rfcName()));
        return named.compose(changed -> tx.execute(GET, Tuple.of(serial)).compose(current -> {
          if (current.size() == 0) {
            return Future.succeededFuture(Optional.<Revoked>empty());
          }
          IssuedCertificate certificate = map(current.iterator().next());
          List<IssuedCertificate> all = new ArrayList<>(Results.list(changed, CertificateRepository::map));
          if (!allOfDevice || all.isEmpty()) {
            // revoked already for this very reason: its device's later certificates are not its siblings
            return Future.succeededFuture(Optional.of(new Revoked(certificate, all)));
          }
          return tx.execute(REVOKE_ALL_OF, Tuple.of(certificate.deviceId(), at, reason.rfcName())).map(siblings -> {
            all.addAll(Results.list(siblings, CertificateRepository::map));
            return Optional.of(new Revoked(certificate, all));
          });
        }));
      }
      return tx.execute(GET, Tuple.of(serial)).map(current -> Results.first(current, CertificateRepository::map)
          .map(certificate -> new Revoked(certificate, List.of())));
    }));
  }

  /**
   * Stores {@code successor}, issued by {@code simplereenroll} in place of the certificate {@code presented},
   * and revokes that one as superseded, in one transaction: the revoked row. Empty, with nothing stored, if
   * the presented certificate is no longer valid or has a successor already (a concurrent re-enrollment
   * with it won; {@link #successorOf} finds its certificate).
   */
  public Future<Optional<IssuedCertificate>> supersede(IssuedCertificate successor, String presented, Instant now) {
    Tuple revoke = Tuple.of(presented, Rows.millis(now), RevocationReason.SUPERSEDED.rfcName());
    return db.transaction(tx -> named(tx.execute(INSERT, insertArgs(successor)), successor)
            // the unique replaces: a concurrent re-enrollment with the same certificate linked its own first
            .compose(inserted -> tx.execute(SET_REPLACES, Tuple.of(successor.serial(), presented))
                .recover(failure -> Future.failedFuture(failure instanceof DuplicateKeyException
                    ? new NotSuperseded() : failure)))
            .compose(linked -> tx.execute(REVOKE, revoke))
            .compose(rows -> rows.size() == 0 ? Future.<IssuedCertificate>failedFuture(new NotSuperseded())
                : Future.succeededFuture(map(rows.iterator().next()))))
        .map(Optional::of)
        .recover(failure -> failure instanceof NotSuperseded ? Future.succeededFuture(Optional.empty())
            : Future.failedFuture(failure));
  }

  /** The certificate {@code simplereenroll} issued in place of {@code serial}, if any. */
  public Future<Optional<IssuedCertificate>> successorOf(String serial) {
    return db.query(SUCCESSOR, Tuple.of(serial)).map(rows -> Results.first(rows, CertificateRepository::map));
  }

  /** Rolls a {@link #supersede} back: the presented certificate was not valid any more. */
  private static final class NotSuperseded extends RuntimeException {
    NotSuperseded() {
      super("the presented certificate is no longer valid", null, false, false);
    }
  }

  /** The device's most recently revoked certificate, if any was revoked. */
  public Future<Optional<IssuedCertificate>> lastRevokedOf(String deviceId) {
    return db.query(LAST_REVOKED, Tuple.of(deviceId)).map(rows -> Results.first(rows, CertificateRepository::map));
  }

  /** The revoked certificates of an issuer still unexpired at {@code notExpiredAt}: a CRL's entries. */
  public Future<List<Revocation>> listRevoked(String issuer, Instant notExpiredAt) {
    return db.query(REVOKED, Tuple.of(issuer, Rows.millis(notExpiredAt))).map(rows -> Results.list(rows,
        row -> new Revocation(row.getString("serial"), Rows.instant(row, "revoked_at"),
            reason(row.getString("revocation_reason")))));
  }

  /**
   * Valid certificates expiring in ({@code from}, {@code before}] whose device has no valid certificate
   * expiring later: the devices to warn about renewal. Soonest first, at most {@code limit}.
   */
  public Future<List<IssuedCertificate>> listExpiring(Instant from, Instant before, int limit) {
    int size = Math.max(1, Math.min(limit, MAX_EXPIRING));
    return db.query(EXPIRING, Tuple.of(Rows.millis(from), Rows.millis(before), size))
        .map(rows -> Results.list(rows, CertificateRepository::map));
  }

  private static RevocationReason reason(String text) {
    return text == null ? null : RevocationReason.parse(text);
  }

  static IssuedCertificate map(Row row) {
    return new IssuedCertificate(row.getString("serial"), row.getString("device_id"), row.getString("issuer"),
        row.getString("subject"), row.getString("profile"), row.getString("public_key_hash"),
        row.getString("fingerprint"), Rows.instant(row, "not_before"), Rows.instant(row, "not_after"),
        Rows.bytes(row, "der"), Rows.enumValue(row, "status", IssuedCertificate.Status.class),
        Rows.instant(row, "revoked_at"), reason(row.getString("revocation_reason")), Rows.instant(row, "created_at"));
  }
}
