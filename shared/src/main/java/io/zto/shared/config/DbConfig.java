package io.zto.shared.config;

import java.nio.file.Path;

/**
 * Settings of the database.
 *
 * @param url effective URL ({@code db.url}): {@code sqlite:PATH} for the embedded database (the default, in the
 *   data dir) or {@code postgresql://user:pass@host:port/db} (also {@code postgres://})
 * @param poolSize connections in the pool ({@code db.poolSize})
 */
public record DbConfig(String url, int poolSize) {

  /** URL scheme of the embedded database. */
  public static final String SQLITE_SCHEME = "sqlite:";
  /** File name of the embedded database in the data dir. */
  public static final String EMBEDDED_FILE = "zto.db";

  /**
   * @param config the validated configuration
   * @return the database settings, an empty URL resolved to the embedded database in the data dir
   */
  public static DbConfig from(LoadedConfig config) {
    String url = config.string(ConfigKeys.DB_URL);
    if (url.isEmpty()) {
      url = SQLITE_SCHEME + NodeConfig.from(config).dataFile(EMBEDDED_FILE);
    }
    return new DbConfig(url, config.integer(ConfigKeys.DB_POOL_SIZE));
  }

  /** @return whether this is the embedded SQLite database */
  public boolean isEmbedded() {
    return url.startsWith(SQLITE_SCHEME);
  }

  /**
   * @return the SQLite file
   * @throws IllegalStateException for PostgreSQL
   */
  public Path sqlitePath() {
    if (!isEmbedded()) {
      throw new IllegalStateException("not an embedded database: " + this);
    }
    return Path.of(url.substring(SQLITE_SCHEME.length()));
  }

  /** @return the JDBC URL of the embedded database, for the JDBC pool */
  public String jdbcUrl() {
    return "jdbc:sqlite:" + sqlitePath();
  }

  /**
   * @param url a database URL
   * @return the URL with any password replaced by {@code ***}, fit for logs and error messages
   */
  public static String redact(String url) {
    return url.replaceFirst("^([a-z]+://[^:/@]*):[^@/]*@", "$1:***@");
  }

  @Override
  public String toString() {
    return "DbConfig[url=" + redact(url) + ", poolSize=" + poolSize + "]";
  }

  void writeTo(ConfigJson out) {
    out.put(ConfigKeys.DB_URL, url).put(ConfigKeys.DB_POOL_SIZE, poolSize);
  }
}
