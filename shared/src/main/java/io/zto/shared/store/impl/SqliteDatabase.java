package io.zto.shared.store.impl;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.jdbcclient.JDBCPool;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import io.vertx.sqlclient.SqlConnection;
import io.zto.shared.store.DatabaseOptions;
import io.zto.shared.store.DuplicateKeyException;
import io.zto.shared.store.StoreException;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.function.Function;
import org.sqlite.SQLiteConfig;
import org.sqlite.SQLiteDataSource;
import org.sqlite.SQLiteErrorCode;
import org.sqlite.SQLiteException;

/**
 * The embedded default: SQLite in WAL mode through vertx-jdbc-client, whose statements run on worker
 * threads. SQLite allows one writer at a time, so writes and transactions share a single connection
 * (they queue in the pool instead of failing with SQLITE_BUSY) while reads use their own.
 *
 * <p>{@code synchronous=FULL}: a commit is on disk before it is acknowledged, also through a power
 * loss. A certificate row lost after its certificate went out could never be revoked, so durability
 * wins over the fsync per commit.
 */
public final class SqliteDatabase extends SqlDatabase {

  private static final int BUSY_TIMEOUT_MS = 10_000;

  private final FileLock lock;

  private SqliteDatabase(Pool readPool, Pool writePool, FileLock lock) {
    super(Dialect.SQLITE, readPool, writePool);
    this.lock = lock;
  }

  public static Future<SqliteDatabase> open(Vertx vertx, DatabaseOptions options) {
    Path file = options.getEmbeddedFile().toAbsolutePath();
    return vertx.executeBlocking(() -> lock(file)).compose(lock -> {
      Pool writer = JDBCPool.pool(vertx, dataSource(file), new PoolOptions().setMaxSize(1).setName("zto-sqlite-w"));
      Pool reader = JDBCPool.pool(vertx, dataSource(file),
          new PoolOptions().setMaxSize(options.getPoolSize()).setName("zto-sqlite-r"));
      SqliteDatabase db = new SqliteDatabase(reader, writer, lock);
      return writer.getConnection()
          .compose(conn -> db.migrate(conn).eventually(conn::close))
          .map(db)
          .recover(failure -> db.close().transform(ignored -> Future.failedFuture(failure)));
    });
  }

  /** One process per database file: a second zto on the same data dir would corrupt its state. */
  private static FileLock lock(Path file) throws IOException {
    Files.createDirectories(file.getParent());
    // SQLite gives its -wal and -shm files the database file's mode: owner-only from the start
    createOwnerOnly(file);
    Path lockFile = file.resolveSibling(file.getFileName() + ".lock");
    createOwnerOnly(lockFile);
    FileChannel channel = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
    FileLock lock;
    try {
      lock = channel.tryLock();
    } catch (java.nio.channels.OverlappingFileLockException e) {
      lock = null; // held by this very process: the same refusal
    } catch (IOException | RuntimeException e) {
      channel.close();
      throw e;
    }
    if (lock == null) {
      channel.close();
      throw new StoreException("embedded database " + file + " is in use by another zto process");
    }
    return lock;
  }

  private static void createOwnerOnly(Path file) throws IOException {
    if (Files.exists(file)) {
      restrictToOwner(file);
      restrictToOwner(file.resolveSibling(file.getFileName() + "-wal"));
      restrictToOwner(file.resolveSibling(file.getFileName() + "-shm"));
      return;
    }
    try {
      if (file.getFileSystem().supportedFileAttributeViews().contains("posix")) {
        Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
      } else {
        Files.createFile(file);
      }
    } catch (java.nio.file.FileAlreadyExistsException e) {
      // created meanwhile: fine
    }
  }

  /** Data dirs made by older versions (or copied around) get their modes fixed on open. */
  private static void restrictToOwner(Path file) throws IOException {
    if (Files.exists(file) && Files.getFileStore(file).supportsFileAttributeView("posix")) {
      Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
    }
  }

  private static SQLiteDataSource dataSource(Path file) {
    SQLiteConfig config = new SQLiteConfig();
    config.setJournalMode(SQLiteConfig.JournalMode.WAL);
    config.setSynchronous(SQLiteConfig.SynchronousMode.FULL);
    config.setBusyTimeout(BUSY_TIMEOUT_MS);
    config.enforceForeignKeys(true);
    SQLiteDataSource ds = new SQLiteDataSource(config);
    ds.setUrl("jdbc:sqlite:" + file);
    return ds;
  }

  /**
   * Plain {@code BEGIN IMMEDIATE}/{@code COMMIT} statements rather than the JDBC transaction calls:
   * vertx-jdbc-client 5.0.7 leaves a connection with autocommit off after commit, so later single
   * writes on it would never be committed. IMMEDIATE takes the write lock up front, so a transaction
   * never fails half-way for want of it.
   */
  @Override
  <T> Future<T> inTransaction(SqlConnection conn, Function<SqlConnection, Future<T>> work) {
    return conn.query("BEGIN IMMEDIATE").execute().compose(begun -> work.apply(conn)
        .compose(result -> conn.query("COMMIT").execute().map(result),
            failure -> conn.query("ROLLBACK").execute().transform(ignored -> Future.failedFuture(failure))));
  }

  @Override
  public String kind() {
    return "sqlite";
  }

  @Override
  public Future<Void> close() {
    return super.close().eventually(() -> Future.future(promise -> {
      try {
        lock.release();
        lock.channel().close();
      } catch (IOException ignored) {
        // the process is giving the file up anyway
      }
      promise.complete();
    }));
  }

  @Override
  RuntimeException translate(Throwable failure, String sql) {
    for (Throwable t = failure; t != null; t = t.getCause()) {
      if (t instanceof SQLiteException e && isUniqueViolation(e.getResultCode())) {
        return new DuplicateKeyException(e.getMessage(), e);
      }
      if (t instanceof StoreException store) {
        return store;
      }
    }
    return new StoreException("database statement failed: " + failure.getMessage(), failure);
  }

  private static boolean isUniqueViolation(SQLiteErrorCode code) {
    return code == SQLiteErrorCode.SQLITE_CONSTRAINT_UNIQUE || code == SQLiteErrorCode.SQLITE_CONSTRAINT_PRIMARYKEY;
  }
}
