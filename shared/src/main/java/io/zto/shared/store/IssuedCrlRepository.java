package io.zto.shared.store;

import io.vertx.core.Future;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import io.zto.shared.domain.IssuedCrl;
import java.time.Instant;
import java.util.Optional;

/**
 * The CRLs the platform issues for its own CAs. The row's {@code crl_number} is the last number
 * allocated; the stored DER is the CRL of the latest allocation that was stored.
 *
 * <p>How to reissue a CA's CRL, on any node: {@link #allocateNumber} first, then read the revocations,
 * sign, and {@link #store}. A store is refused when a later number was allocated meanwhile; that later
 * CRL read the revocations after this one did, so nothing is lost and numbers never go backwards.
 */
public final class IssuedCrlRepository {

  private static final byte[] NONE = new byte[0];

  private static final String ALLOCATE = "INSERT INTO issued_crls (ca, crl_number, this_update, next_update, der)"
      + " VALUES ($1, 1, 0, 0, $2) ON CONFLICT (ca) DO UPDATE SET crl_number = issued_crls.crl_number + 1"
      + " RETURNING crl_number";
  private static final String STORE = "UPDATE issued_crls SET this_update = $3, next_update = $4, der = $5"
      + " WHERE ca = $1 AND crl_number = $2";
  private static final String NUMBER = "SELECT crl_number FROM issued_crls WHERE ca = $1";
  private static final String READ = "SELECT ca, this_update, next_update, der FROM issued_crls"
      + " WHERE ca = $1";

  private final Database db;

  public IssuedCrlRepository(Database db) {
    this.db = db;
  }

  /** The next CRL number of the CA (1 for its first CRL), unique across concurrent callers and nodes. */
  public Future<Long> allocateNumber(String ca) {
    return db.update(ALLOCATE, Tuple.of(ca, Rows.binary(NONE))).map(rows -> rows.iterator().next().getLong("crl_number"));
  }

  /** Stores the CRL signed with {@code crlNumber}; false if a later number was allocated meanwhile. */
  public Future<Boolean> store(String ca, long crlNumber, Instant thisUpdate, Instant nextUpdate, byte[] der) {
    return db.update(STORE, Tuple.of(ca, crlNumber, Rows.millis(thisUpdate), Rows.millis(nextUpdate), Rows.binary(der)))
        .map(rows -> rows.rowCount() > 0);
  }

  /** The CA's latest allocated CRL number (the CRL signed with it may still be on its way); empty before the first. */
  public Future<Optional<Long>> number(String ca) {
    return db.query(NUMBER, Tuple.of(ca)).map(rows -> Results.first(rows, row -> row.getLong("crl_number")));
  }

  /** The CA's latest stored CRL; empty before the first one is stored. */
  public Future<Optional<IssuedCrl>> read(String ca) {
    return db.query(READ, Tuple.of(ca)).map(rows -> Results.first(rows, IssuedCrlRepository::map)
        .filter(crl -> crl.der().length > 0));
  }

  private static IssuedCrl map(Row row) {
    return new IssuedCrl(row.getString("ca"), Rows.instant(row, "this_update"), Rows.instant(row, "next_update"),
        Rows.bytes(row, "der"));
  }
}
