package io.zto.shared.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import io.zto.shared.testing.Await;
import io.zto.shared.testing.Backend;
import io.zto.shared.testing.BackendTest;
import io.zto.shared.testing.ChildProcess;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** The storage seam behaves the same on both back ends. */
class DatabaseTest {

  @BackendTest
  void migrationsAreAppliedOnceAndRecorded(Database db, Backend backend) {
    // GIVEN a database opened once (migrated) WHEN it is opened again on the same storage
    // THEN the schema version is recorded once per migration
    List<Integer> versions = new ArrayList<>();
    Await.result(db.query("SELECT version FROM schema_version ORDER BY version", Tuple.tuple()))
        .forEach(row -> versions.add(row.getInteger("version")));
    assertThat(versions).containsExactlyElementsOf(migrationVersions());
  }

  @BackendTest
  void positionalPlaceholdersMayRepeatAndComeOutOfOrder(Database db) {
    // GIVEN a statement that uses $2 before $1 and $1 twice
    Row row = Await.result(db.query("SELECT $2 || '-' || $1 || '-' || $1 AS v", Tuple.of("a", "b")))
        .iterator().next();
    // THEN each value lands where its number says
    assertThat(row.getString("v")).isEqualTo("b-a-a");
  }

  @BackendTest
  void uniqueViolationIsADuplicateKeyException(Database db) {
    // GIVEN a trust anchor with a name
    insertAnchor(db, "ta-1", "customer-ca");
    // WHEN another one with the same name is inserted
    Throwable failure = Await.failure(insertAnchorFuture(db, "ta-2", "customer-ca"));
    // THEN the failure says it exists already, the same way on both back ends
    assertThat(failure).isInstanceOf(DuplicateKeyException.class);
  }

  @BackendTest
  void failedTransactionLeavesNoHalfWrittenRows(Database db) {
    // GIVEN a transaction whose second step fails
    Future<Void> tx = db.transaction(t -> t.execute(INSERT_ANCHOR, anchor("ta-1", "first"))
        .compose(ignored -> t.execute(INSERT_ANCHOR, anchor("ta-2", "first")))
        .mapEmpty());
    // WHEN it completes THEN it failed and the first step was rolled back
    assertThat(Await.failure(tx)).isInstanceOf(DuplicateKeyException.class);
    assertThat(count(db, "trust_anchors")).isZero();
  }

  @BackendTest
  void atomicallyCommitsOrRollsBackTheWritesOfEveryRepositoryMadeOnIt(Database db) {
    // GIVEN a step that writes through two repositories and a nested transaction, then fails
    Future<Void> failed = db.atomically(view -> view.update(INSERT_ANCHOR, anchor("ta-1", "first"))
        .compose(ignored -> view.transaction(t -> t.execute(INSERT_ANCHOR, anchor("ta-2", "second"))))
        .compose(ignored -> view.update(INSERT_ANCHOR, anchor("ta-3", "first")))
        .mapEmpty());
    // WHEN it completes THEN it failed and none of its rows were kept, the nested transaction's included
    assertThat(Await.failure(failed)).isInstanceOf(DuplicateKeyException.class);
    assertThat(count(db, "trust_anchors")).isZero();
    // AND the same step without the fault commits all of it, visible outside once done
    Await.result(db.atomically(view -> view.update(INSERT_ANCHOR, anchor("ta-1", "first"))
        .compose(ignored -> view.transaction(t -> t.execute(INSERT_ANCHOR, anchor("ta-2", "second"))))));
    assertThat(count(db, "trust_anchors")).isEqualTo(2);
  }

  @BackendTest
  void binaryColumnsRoundTripOnBothBackEnds(Database db) {
    byte[] der = {0x30, (byte) 0x82, 0x00, (byte) 0xff, 0x7f};
    Await.result(db.update("INSERT INTO issued_crls (ca, crl_number, this_update, next_update, der)"
        + " VALUES ($1, $2, $3, $4, $5)", Tuple.of("issuing", 1L, 1L, 2L, Rows.binary(der))));
    Row row = Await.result(db.query("SELECT der FROM issued_crls WHERE ca = $1", Tuple.of("issuing")))
        .iterator().next();
    assertThat(Rows.bytes(row, "der")).isEqualTo(der);
  }

  @BackendTest
  void batchRunsOneStatementPerTupleWithPlaceholdersInAnyOrder(Database db) {
    // GIVEN a batch whose statement uses $2 before $1
    List<Tuple> rows = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      rows.add(Tuple.of("name-" + i, "ta-" + i));
    }
    // WHEN it runs
    Await.result(db.batch("INSERT INTO trust_anchors (id, name, purpose, pem, fingerprint, subject, not_after,"
        + " created_at) VALUES ($2, $1, 'LDEVID', 'PEM', $2, 'CN', 0, 0)", rows));
    // THEN every tuple was written with each value where its number says
    List<String> stored = new ArrayList<>();
    Await.result(db.query("SELECT id, name FROM trust_anchors ORDER BY id", Tuple.tuple()))
        .forEach(row -> stored.add(row.getString("id") + "=" + row.getString("name")));
    assertThat(stored).containsExactly("ta-0=name-0", "ta-1=name-1", "ta-2=name-2");
  }

  @BackendTest
  void failedBatchInATransactionIsADuplicateKeyAndLeavesNothing(Database db) {
    // GIVEN a batch whose third row repeats the first's name
    List<Tuple> rows = List.of(anchor("ta-1", "a"), anchor("ta-2", "b"), anchor("ta-3", "a"));
    // WHEN it runs inside a transaction after another insert
    Future<Void> tx = db.transaction(t -> t.execute(INSERT_ANCHOR, anchor("ta-0", "z"))
        .compose(ignored -> t.batch(INSERT_ANCHOR, rows)));
    // THEN a duplicate on both back ends, and nothing was written
    assertThat(Await.failure(tx)).isInstanceOf(DuplicateKeyException.class);
    assertThat(count(db, "trust_anchors")).isZero();
  }

  @BackendTest
  void pingAnswers(Database db) {
    Await.result(db.ping());
  }

  @org.junit.jupiter.api.Test
  void secondProcessOnTheSameEmbeddedFileIsRefused() {
    Vertx vertx = Vertx.vertx();
    try {
      // GIVEN an embedded database open in this process
      DatabaseOptions options = Backend.SQLITE.freshOptions();
      Database first = Await.result(Database.open(vertx, options));
      // WHEN another JVM opens the same file THEN it is refused with a reason a person understands
      ChildProcess.Result refused = openInAnotherProcess(options);
      assertThat(refused.exitCode()).as(refused.output()).isEqualTo(OpenEmbeddedDatabase.REFUSED);
      assertThat(refused.output()).contains("REFUSED: ", "in use by another zto process");
      // AND a second open in this very process is refused the same way
      assertThat(Await.failure(Database.open(vertx, options))).hasMessageContaining("in use by another zto process");
      // AND after the first closes, the other process opens it
      Await.result(first.close());
      ChildProcess.Result opened = openInAnotherProcess(options);
      assertThat(opened.exitCode()).as(opened.output()).isZero();
      assertThat(opened.output()).contains("OPENED");
    } finally {
      Await.result(vertx.close());
    }
  }

  /** Runs {@link OpenEmbeddedDatabase} on the embedded file of {@code options} in a JVM of its own. */
  private static ChildProcess.Result openInAnotherProcess(DatabaseOptions options) {
    String java = ProcessHandle.current().info().command().orElse("java");
    ProcessBuilder builder = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
        OpenEmbeddedDatabase.class.getName(), options.getEmbeddedFile().toString()).redirectErrorStream(true);
    return ChildProcess.run(builder, "", Duration.ofSeconds(60));
  }

  @org.junit.jupiter.api.Test
  void twoNodesMigratingOnePostgresAtOnceDoNotRace() {
    Vertx vertx = Vertx.vertx();
    try {
      // GIVEN a new PostgreSQL database WHEN two nodes open (and migrate) it at the same moment
      DatabaseOptions options = Backend.POSTGRESQL.freshOptions();
      Future<Database> a = Database.open(vertx, options);
      Future<Database> b = Database.open(vertx, options);
      Database first = Await.result(a);
      Database second = Await.result(b);
      // THEN both succeed and the migration was applied once
      assertThat(count(first, "schema_version")).isEqualTo(migrationVersions().size());
      Await.result(first.close());
      Await.result(second.close());
    } finally {
      Await.result(vertx.close());
    }
  }

  private static final String INSERT_ANCHOR = "INSERT INTO trust_anchors"
      + " (id, name, purpose, pem, fingerprint, subject, not_after, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)";

  private static Tuple anchor(String id, String name) {
    return Tuple.of(id, name, "ldevid", "PEM", id + "-fp", "CN=" + name, 0L, 0L);
  }

  private static void insertAnchor(Database db, String id, String name) {
    Await.result(insertAnchorFuture(db, id, name));
  }

  private static Future<?> insertAnchorFuture(Database db, String id, String name) {
    return db.update(INSERT_ANCHOR, anchor(id, name));
  }

  private static long count(Database db, String table) {
    return Await.result(db.query("SELECT COUNT(*) AS n FROM " + table, Tuple.tuple())).iterator().next().getLong("n");
  }

  /** The versions db/migration/index.txt lists, so this test follows new migrations without edits. */
  private static List<Integer> migrationVersions() {
    try (var in = DatabaseTest.class.getClassLoader().getResourceAsStream("db/migration/index.txt")) {
      return new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8).lines()
          .map(String::strip).filter(l -> !l.isEmpty() && !l.startsWith("#"))
          .map(l -> Integer.parseInt(l.substring(1, l.indexOf("__")))).sorted().toList();
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
