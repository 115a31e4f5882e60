package io.zto.shared.testing;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.zto.shared.store.Database;
import io.zto.shared.store.DatabaseOptions;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;

/** The two storage back ends a contract test runs against, each opened fresh per test. */
public enum Backend {
  SQLITE {
    @Override
    public DatabaseOptions freshOptions() {
      try {
        return new DatabaseOptions().setEmbeddedFile(Files.createTempDirectory("zto-sqlite-").resolve("zto.db"));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  },
  POSTGRESQL {
    @Override
    public DatabaseOptions freshOptions() {
      return new DatabaseOptions().setUrl(ThrowawayPostgres.newDatabase()).setPoolSize(4);
    }
  };

  /** Options naming a new, empty database of this kind. */
  public abstract DatabaseOptions freshOptions();

  public Future<Database> open(Vertx vertx) {
    return Database.open(vertx, freshOptions());
  }
}
