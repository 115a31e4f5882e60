package io.zto.shared.store;

import java.nio.file.Path;
import java.util.Objects;

/**
 * Where the platform keeps its state: an embedded SQLite file (the default of the single fat jar) or a
 * PostgreSQL server (production and clusters).
 */
public final class DatabaseOptions {

  /** Connections of the PostgreSQL pool, and readers of the embedded database. */
  public static final int DEFAULT_POOL_SIZE = 8;
  /** File name of the embedded database inside the data dir. */
  public static final String DEFAULT_EMBEDDED_FILE = "zto.db";

  private String url = "";
  private Path embeddedFile = Path.of("zto-data", DEFAULT_EMBEDDED_FILE);
  private int poolSize = DEFAULT_POOL_SIZE;

  /** Empty for the embedded database, else {@code postgresql://user:pass@host:port/db}. */
  public String getUrl() {
    return url;
  }

  public DatabaseOptions setUrl(String url) {
    this.url = url == null ? "" : url.trim();
    return this;
  }

  public Path getEmbeddedFile() {
    return embeddedFile;
  }

  public DatabaseOptions setEmbeddedFile(Path embeddedFile) {
    this.embeddedFile = Objects.requireNonNull(embeddedFile);
    return this;
  }

  public int getPoolSize() {
    return poolSize;
  }

  public DatabaseOptions setPoolSize(int poolSize) {
    if (poolSize < 1) {
      throw new IllegalArgumentException("pool size must be at least 1, got " + poolSize);
    }
    this.poolSize = poolSize;
    return this;
  }

  /** Whether these options name a PostgreSQL server rather than the embedded database. */
  public boolean isPostgres() {
    return url.startsWith("postgresql://") || url.startsWith("postgres://");
  }
}
