package io.zto.shared.store;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.Tuple;
import io.zto.shared.domain.CrlSource;
import io.zto.shared.domain.RevocationReason;
import java.math.BigInteger;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Callable;

/**
 * The CRLs the platform fetches and enforces, and the entries last accepted from each. A new full CRL
 * replaces a source's entries in one transaction and reports what changed.
 */
public final class CrlSourceRepository {

  /** Most sources {@link #list} returns. */
  public static final int MAX_SOURCES = 1000;
  /** Rows per batch round trip when entries are written. */
  static final int BATCH_SIZE = 5000;

  private static final String COLUMNS = "id, url, issuer_pem, issuer_fingerprint, refresh_seconds, stale_policy, etag,"
      + " last_modified, crl_number, delta_crl_number, this_update, next_update, last_attempt_at, last_success_at,"
      + " last_error, failures, created_at";
  private static final String INSERT = "INSERT INTO crl_sources (" + COLUMNS + ") VALUES"
      + " ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)";
  private static final String GET = "SELECT " + COLUMNS + " FROM crl_sources WHERE id = $1";
  private static final String LIST = "SELECT " + COLUMNS + " FROM crl_sources ORDER BY created_at, id LIMIT $1";
  private static final String DELETE = "DELETE FROM crl_sources WHERE id = $1";
  private static final String FAILED = "UPDATE crl_sources SET last_attempt_at = $2, last_error = $3,"
      + " failures = failures + 1 WHERE id = $1";
  private static final String UNCHANGED = "UPDATE crl_sources SET last_attempt_at = $2, last_success_at = $2,"
      + " last_error = NULL, failures = 0 WHERE id = $1";
  /** Also takes the row lock (PostgreSQL), so concurrent replacements of one source run one after the other. */
  private static final String LOCK = "UPDATE crl_sources SET last_attempt_at = $2 WHERE id = $1"
      + " RETURNING crl_number, delta_crl_number";
  private static final String ENTRIES = "SELECT serial, revoked_at, reason FROM crl_entries WHERE source_id = $1";
  private static final String REMOVE_ENTRY = "DELETE FROM crl_entries WHERE source_id = $1 AND serial = $2";
  private static final String PUT_ENTRY = "INSERT INTO crl_entries (source_id, serial, revoked_at, reason)"
      + " VALUES ($1, $2, $3, $4) ON CONFLICT (source_id, serial) DO UPDATE SET revoked_at = excluded.revoked_at,"
      + " reason = excluded.reason";
  private static final String ACCEPTED = "UPDATE crl_sources SET etag = $2, last_modified = $3, crl_number = $4,"
      + " delta_crl_number = $5, this_update = $6, next_update = $7, last_attempt_at = $8, last_success_at = $8,"
      + " last_error = NULL, failures = 0 WHERE id = $1";
  private static final String COUNT = "SELECT COUNT(*) AS n FROM crl_entries WHERE source_id = $1";
  private static final String COUNTS = "SELECT source_id, COUNT(*) AS n FROM crl_entries GROUP BY source_id";
  /** One row per source of the issuer, with the entry for the serial if it lists it. */
  private static final String CHECK = "SELECT s.id, s.stale_policy, s.this_update, s.next_update, s.last_attempt_at, s.created_at,"
      + " e.serial, e.reason FROM crl_sources s LEFT JOIN crl_entries e ON e.source_id = s.id AND e.serial = $1"
      + " WHERE s.issuer_fingerprint = $2 ORDER BY s.created_at, s.id";
  private static final String DELTA_ACCEPTED = "UPDATE crl_sources SET etag = $2, last_modified = $3,"
      + " delta_crl_number = $4, next_update = $5, last_attempt_at = $6, last_success_at = $6, last_error = NULL,"
      + " failures = 0 WHERE id = $1";

  private final Database db;
  private final Vertx vertx;

  /** A repository that diffs on the calling thread: fine for the lookups and small CRLs. */
  public CrlSourceRepository(Database db) {
    this(db, null);
  }

  /**
   * A repository that diffs large CRLs on a worker of {@code vertx}: what the CRL verticle uses.
   *
   * @param vertx null to compute on the calling thread
   */
  public CrlSourceRepository(Database db, Vertx vertx) {
    this.db = db;
    this.vertx = vertx;
  }

  /** Stores a new source; a {@link DuplicateKeyException} names a URL configured already. */
  public Future<CrlSource> create(CrlSource s) {
    Tuple args = Tuple.of(s.id(), s.url(), s.issuerPem(), s.issuerFingerprint(), s.refreshSeconds(),
        s.stalePolicy().name(), s.etag(), s.lastModified(), s.crlNumber(), s.deltaCrlNumber(),
        Rows.millis(s.thisUpdate()), Rows.millis(s.nextUpdate()), Rows.millis(s.lastAttemptAt()),
        Rows.millis(s.lastSuccessAt()), s.lastError(), s.failures(), Rows.millis(s.createdAt()));
    return db.update(INSERT, args).map(s)
        .recover(failure -> Future.failedFuture(failure instanceof DuplicateKeyException duplicate
            ? new DuplicateKeyException("a CRL source for " + s.url() + " exists already", duplicate) : failure));
  }

  public Future<Optional<CrlSource>> get(String id) {
    return db.query(GET, Tuple.of(id)).map(rows -> Results.first(rows, CrlSourceRepository::map));
  }

  /** Every source, oldest first. */
  public Future<List<CrlSource>> list() {
    return db.query(LIST, Tuple.of(MAX_SOURCES)).map(rows -> Results.list(rows, CrlSourceRepository::map));
  }

  /**
   * Deletes a source and its entries in one transaction.
   *
   * @return the serials it listed (so that they can be announced as unblocked), empty if there was no such source
   */
  public Future<Optional<List<String>>> delete(String id) {
    return db.transaction(tx -> tx.execute(ENTRIES, Tuple.of(id))
        .compose(entries -> tx.execute(DELETE, Tuple.of(id)).map(deleted -> deleted.rowCount() == 0
            ? Optional.<List<String>>empty()
            : Optional.of(Results.list(entries, row -> row.getString("serial"))))));
  }

  /** Records a failed fetch; the entries stay as they were. */
  public Future<Boolean> recordFailure(String id, String error, Instant at) {
    return db.update(FAILED, Tuple.of(id, Rows.millis(at), error)).map(rows -> rows.rowCount() > 0);
  }

  /** Records a fetch that found the CRL unchanged (HTTP 304). */
  public Future<Boolean> recordUnchanged(String id, Instant at) {
    return db.update(UNCHANGED, Tuple.of(id, Rows.millis(at))).map(rows -> rows.rowCount() > 0);
  }

  /**
   * Applies a new full CRL: its entries replace the source's in one transaction, and its state is
   * recorded. Empty, with nothing changed but lastAttemptAt, if the source does not exist or a CRL with
   * a higher number (or a delta with the same or a higher one) was accepted already (by another node,
   * say); the same number applies again.
   */
  public Future<Optional<CrlSource.Diff>> replaceEntries(String sourceId, CrlSource.FetchState state,
                                                         List<CrlSource.Entry> entries) {
    BigInteger number = new BigInteger(state.crlNumber());
    return compute(() -> normalize(entries)).compose(incoming -> db.transaction(tx -> tx.execute(LOCK,
            Tuple.of(sourceId, Rows.millis(state.fetchedAt())))
        .compose(locked -> {
          if (locked.size() == 0 || isNewer(locked.iterator().next(), number)) {
            return Future.succeededFuture(Optional.<CrlSource.Diff>empty());
          }
          return tx.execute(ENTRIES, Tuple.of(sourceId))
              .compose(stored -> compute(() -> fullChanges(sourceId, incoming, stored)))
              .compose(changes -> write(tx, changes))
              .compose(diff -> tx.execute(ACCEPTED, accepted(sourceId, state)).map(Optional.of(diff)));
        })));
  }

  /** How many entries the source has. */
  public Future<Long> countEntries(String sourceId) {
    return db.query(COUNT, Tuple.of(sourceId)).map(rows -> rows.iterator().next().getLong("n"));
  }

  /** Entries per source id; sources without entries are absent. */
  public Future<Map<String, Long>> countEntries() {
    return db.query(COUNTS, Tuple.tuple()).map(rows -> {
      Map<String, Long> counts = new HashMap<>();
      rows.forEach(row -> counts.put(row.getString("source_id"), row.getLong("n")));
      return counts;
    });
  }

  /**
   * What the CRL sources of an issuer say about a certificate at {@code now}: listed (with the reason)
   * by any of them; else refused if one of them is stale under {@link CrlSource.StalePolicy#REFUSE_ALL};
   * else clear. An issuer without a source is clear.
   *
   * @param serial            the certificate's serial in hex (any case)
   * @param issuerFingerprint SHA-256 of the issuer certificate's DER, lowercase hex
   */
  public Future<CrlSource.Check> check(String serial, String issuerFingerprint, Instant now) {
    return db.query(CHECK, Tuple.of(serial.toLowerCase(Locale.ROOT), issuerFingerprint)).map(rows -> {
      CrlSource.Check stale = CrlSource.Check.CLEAR;
      for (Row row : rows) {
        if (row.getString("serial") != null) {
          return new CrlSource.Check(CrlSource.Check.Status.LISTED, row.getString("reason"), row.getString("id"), null);
        }
        if (stale == CrlSource.Check.CLEAR
            && Rows.enumValue(row, "stale_policy", CrlSource.StalePolicy.class) == CrlSource.StalePolicy.REFUSE_ALL) {
          Optional<Instant> since = CrlSource.staleSince(Rows.instant(row, "next_update"),
              Rows.instant(row, "this_update"), Rows.instant(row, "last_attempt_at"), Rows.instant(row, "created_at"),
              now);
          if (since.isPresent()) {
            stale = new CrlSource.Check(CrlSource.Check.Status.ISSUER_STALE, null, row.getString("id"), since.get());
          }
        }
      }
      return stale;
    });
  }

  /**
   * Applies a delta CRL (RFC 5280 §5.2.4) on top of the source's stored entries: {@code listed} entries
   * are added or updated, {@code released} serials (removeFromCRL) removed. Empty, with nothing changed but
   * lastAttemptAt, if the source does not exist, has no complete CRL numbered {@code baseNumber} or
   * later, or already accepted a CRL or delta numbered {@code state.crlNumber()} or later.
   *
   * @param state its crlNumber is the delta's own number, recorded as deltaCrlNumber
   */
  public Future<Optional<CrlSource.Diff>> applyDelta(String sourceId, CrlSource.FetchState state, String baseNumber,
                                                     List<CrlSource.Entry> listed, List<String> released) {
    BigInteger number = new BigInteger(state.crlNumber());
    BigInteger base = new BigInteger(baseNumber);
    return compute(() -> normalize(listed)).compose(incoming -> db.transaction(tx -> tx.execute(LOCK,
            Tuple.of(sourceId, Rows.millis(state.fetchedAt())))
        .compose(locked -> {
          if (locked.size() == 0 || !deltaApplies(locked.iterator().next(), base, number)) {
            return Future.succeededFuture(Optional.<CrlSource.Diff>empty());
          }
          List<String> releasedSerials = released.stream().map(serial -> serial.toLowerCase(Locale.ROOT))
              .filter(serial -> !incoming.containsKey(serial)).distinct().toList();
          return tx.execute(ENTRIES, Tuple.of(sourceId))
              .compose(stored -> compute(() -> deltaChanges(sourceId, incoming, releasedSerials, stored)))
              .compose(changes -> write(tx, changes))
              .compose(diff -> tx.execute(DELTA_ACCEPTED, Tuple.of(sourceId, state.etag(), state.lastModified(),
                  state.crlNumber(), Rows.millis(state.nextUpdate()), Rows.millis(state.fetchedAt())))
                  .map(Optional.of(diff)));
        })));
  }

  private static boolean deltaApplies(Row row, BigInteger base, BigInteger number) {
    String full = row.getString("crl_number");
    String delta = row.getString("delta_crl_number");
    return full != null && new BigInteger(full).compareTo(base) >= 0 && new BigInteger(full).compareTo(number) < 0
        && (delta == null || new BigInteger(delta).compareTo(number) < 0);
  }

  /** The writes that turn the stored entries into the new ones, and what they change. */
  private record Changes(List<Tuple> removals, List<Tuple> puts, CrlSource.Diff diff) {}

  /** A delta: upserts of its entries, removals of its released serials that are stored. CPU only. */
  private static Changes deltaChanges(String sourceId, Map<String, CrlSource.Entry> incoming, List<String> released,
                                      RowSet<Row> stored) {
    Map<String, CrlSource.Entry> existing = entries(stored);
    List<Tuple> puts = new ArrayList<>();
    List<String> added = upserts(sourceId, incoming, existing, puts);
    List<String> removed = released.stream().filter(existing::containsKey).sorted().toList();
    return new Changes(removed.stream().map(serial -> Tuple.of(sourceId, serial)).toList(), puts,
        new CrlSource.Diff(added, removed));
  }

  /** A complete CRL: upserts of its entries, removals of every stored serial it no longer lists. CPU only. */
  private static Changes fullChanges(String sourceId, Map<String, CrlSource.Entry> incoming, RowSet<Row> stored) {
    Map<String, CrlSource.Entry> existing = entries(stored);
    List<Tuple> puts = new ArrayList<>();
    List<String> added = upserts(sourceId, incoming, existing, puts);
    List<String> removed = existing.keySet().stream().filter(serial -> !incoming.containsKey(serial)).sorted()
        .toList();
    return new Changes(removed.stream().map(serial -> Tuple.of(sourceId, serial)).toList(), puts,
        new CrlSource.Diff(added, removed));
  }

  private Future<CrlSource.Diff> write(Database.Transaction tx, Changes changes) {
    return inBatches(tx, REMOVE_ENTRY, changes.removals())
        .compose(ignored -> inBatches(tx, PUT_ENTRY, changes.puts()))
        .map(ignored -> changes.diff());
  }

  /**
   * Runs CPU work linear in the entries (100,000 of them take long enough to trip a blocked-thread
   * checker on a busy machine) on a worker when the repository was given a Vert.x instance.
   */
  private <T> Future<T> compute(Callable<T> work) {
    if (vertx == null) {
      try {
        return Future.succeededFuture(work.call());
      } catch (Exception e) {
        return Future.failedFuture(e);
      }
    }
    return vertx.executeBlocking(work, false);
  }

  /** Adds a write to {@code puts} for every incoming entry new or changed; returns the serials new. */
  private static List<String> upserts(String sourceId, Map<String, CrlSource.Entry> incoming,
                                      Map<String, CrlSource.Entry> existing, List<Tuple> puts) {
    List<String> added = new ArrayList<>();
    for (CrlSource.Entry entry : incoming.values()) {
      CrlSource.Entry before = existing.get(entry.serial());
      if (before == null) {
        added.add(entry.serial());
      }
      if (!entry.equals(before)) {
        puts.add(put(sourceId, entry));
      }
    }
    return added;
  }

  private static Map<String, CrlSource.Entry> entries(RowSet<Row> stored) {
    Map<String, CrlSource.Entry> existing = new HashMap<>();
    stored.forEach(row -> existing.put(row.getString("serial"), new CrlSource.Entry(row.getString("serial"),
        Rows.instant(row, "revoked_at"), reason(row.getString("reason")))));
    return existing;
  }

  private static Tuple put(String sourceId, CrlSource.Entry entry) {
    return Tuple.of(sourceId, entry.serial(), Rows.millis(entry.revokedAt()),
        entry.reason() == null ? null : entry.reason().rfcName());
  }

  private static Future<Void> inBatches(Database.Transaction tx, String sql, List<Tuple> rows) {
    Future<Void> chain = Future.succeededFuture();
    for (int from = 0; from < rows.size(); from += BATCH_SIZE) {
      List<Tuple> chunk = rows.subList(from, Math.min(rows.size(), from + BATCH_SIZE));
      chain = chain.compose(ignored -> tx.batch(sql, chunk));
    }
    return chain;
  }

  private static Map<String, CrlSource.Entry> normalize(List<CrlSource.Entry> entries) {
    Map<String, CrlSource.Entry> out = new LinkedHashMap<>();
    for (CrlSource.Entry e : entries) {
      String serial = e.serial().toLowerCase(Locale.ROOT);
      out.put(serial, new CrlSource.Entry(serial, e.revokedAt().truncatedTo(java.time.temporal.ChronoUnit.MILLIS),
          e.reason()));
    }
    return out;
  }

  /** Whether what the source accepted is newer than a complete CRL numbered {@code incoming}. */
  private static boolean isNewer(Row stored, BigInteger incoming) {
    String full = stored.getString("crl_number");
    String delta = stored.getString("delta_crl_number");
    // a delta shares the CRL number sequence: a complete CRL older than an applied delta would undo it
    return full != null && new BigInteger(full).compareTo(incoming) > 0
        || delta != null && new BigInteger(delta).compareTo(incoming) >= 0;
  }

  private static Tuple accepted(String sourceId, CrlSource.FetchState s) {
    return Tuple.of(sourceId, s.etag(), s.lastModified(), s.crlNumber(), s.deltaCrlNumber(),
        Rows.millis(s.thisUpdate()), Rows.millis(s.nextUpdate()), Rows.millis(s.fetchedAt()));
  }

  private static RevocationReason reason(String text) {
    return text == null ? null : RevocationReason.parse(text);
  }

  private static CrlSource map(Row row) {
    return new CrlSource(row.getString("id"), row.getString("url"), row.getString("issuer_pem"),
        row.getString("issuer_fingerprint"), Objects.requireNonNull(Rows.integer(row, "refresh_seconds")),
        Rows.enumValue(row, "stale_policy", CrlSource.StalePolicy.class), row.getString("etag"),
        row.getString("last_modified"), row.getString("crl_number"), row.getString("delta_crl_number"),
        Rows.instant(row, "this_update"), Rows.instant(row, "next_update"), Rows.instant(row, "last_attempt_at"),
        Rows.instant(row, "last_success_at"), row.getString("last_error"), Rows.integer(row, "failures"),
        Rows.instant(row, "created_at"));
  }
}
