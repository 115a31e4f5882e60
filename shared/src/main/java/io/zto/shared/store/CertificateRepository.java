package io.zto.shared.store;

import io.vertx.core.Future;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import io.zto.shared.domain.IssuedCertificate;
import io.zto.shared.domain.Page;
import io.zto.shared.domain.Revocation;
import io.zto.shared.domain.RevocationReason;
import java.time.Instant;
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
  private static final String LIST = "SELECT " + COLUMNS + " FROM certificates"
      + " WHERE (CAST($1 AS TEXT) IS NULL OR device_id = $1) AND (not_after < $2 OR (not_after = $2 AND serial < $3))"
      + " ORDER BY not_after DESC, serial DESC LIMIT $4";
  private static final String CURRENT = "SELECT " + COLUMNS + " FROM certificates WHERE device_id = $1"
      + " AND status = 'VALID' AND not_before <= $2 AND not_after > $2 ORDER BY not_after DESC, serial";
  private static final String REVOKE = "UPDATE certificates SET status = 'REVOKED', revoked_at = $2,"
      + " revocation_reason = $3 WHERE serial = $1 AND status = 'VALID' RETURNING " + COLUMNS;
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
    Tuple args = Tuple.of(c.serial(), c.deviceId(), c.issuer(), c.subject(), c.profile(), c.publicKeyHash(),
        c.fingerprint(), Rows.millis(c.notBefore()), Rows.millis(c.notAfter()), Rows.binary(c.der()),
        c.status().name(), Rows.millis(c.revokedAt()),
        c.revocationReason() == null ? null : c.revocationReason().rfcName(), Rows.millis(c.createdAt()));
    return db.update(INSERT, args).map(c)
        .recover(failure -> Future.failedFuture(failure instanceof DuplicateKeyException duplicate
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
    int size = Paging.limit(limit);
    long before = cursor == null ? Long.MAX_VALUE : Paging.millisOf(cursor);
    String serial = cursor == null ? "" : Paging.keyOf(cursor);
    return db.query(LIST, Tuple.of(deviceId, before, serial, size + 1))
        .map(rows -> Paging.page(Results.list(rows, CertificateRepository::map), size,
            c -> Paging.cursor(c.notAfter().toEpochMilli(), c.serial())));
  }

  /** The device's unrevoked certificates within their validity at {@code now}, latest expiry first. */
  public Future<List<IssuedCertificate>> currentOf(String deviceId, Instant now) {
    return db.query(CURRENT, Tuple.of(deviceId, Rows.millis(now))).map(rows -> Results.list(rows, CertificateRepository::map));
  }

  /**
   * Revokes a valid certificate, atomically: the revoked row, or empty if it was not valid (revoked
   * already, by this or another node) or does not exist; a second revocation changes nothing.
   */
  public Future<Optional<IssuedCertificate>> revoke(String serial, RevocationReason reason, Instant now) {
    return db.update(REVOKE, Tuple.of(serial, Rows.millis(now), reason.rfcName()))
        .map(rows -> Results.first(rows, CertificateRepository::map));
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

  private static IssuedCertificate map(Row row) {
    return new IssuedCertificate(row.getString("serial"), row.getString("device_id"), row.getString("issuer"),
        row.getString("subject"), row.getString("profile"), row.getString("public_key_hash"),
        row.getString("fingerprint"), Rows.instant(row, "not_before"), Rows.instant(row, "not_after"),
        Rows.bytes(row, "der"), Rows.enumValue(row, "status", IssuedCertificate.Status.class),
        Rows.instant(row, "revoked_at"), reason(row.getString("revocation_reason")), Rows.instant(row, "created_at"));
  }
}
