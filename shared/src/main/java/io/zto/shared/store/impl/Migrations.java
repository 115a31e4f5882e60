package io.zto.shared.store.impl;

import io.zto.shared.store.StoreException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * The versioned schema: {@code db/migration/index.txt} lists the migration files in order; each is
 * applied once, in its own transaction, and its checksum is recorded so that an edited migration is
 * noticed instead of silently diverging between databases.
 */
final class Migrations {

  static final String TABLE_DDL = "CREATE TABLE IF NOT EXISTS schema_version ("
      + "version INTEGER PRIMARY KEY, name TEXT NOT NULL, checksum TEXT NOT NULL, "
      + "applied_at BIGINT NOT NULL)";

  private static final String BASE = "db/migration/";

  record Migration(int version, String name, String checksum, List<String> statements) {}

  private Migrations() {}

  static List<Migration> load(Dialect dialect) {
    List<Migration> out = new ArrayList<>();
    for (String file : read(BASE + "index.txt").split("\\R")) {
      if (file.isBlank() || file.startsWith("#")) {
        continue;
      }
      String text = read(BASE + file.trim());
      int version = Integer.parseInt(file.substring(1, file.indexOf("__")));
      out.add(new Migration(version, file.trim(), sha256(text), split(dialect.ddl(text))));
    }
    return out;
  }

  /** Splits on semicolons that end a line; migrations hold no procedural code. */
  static List<String> split(String script) {
    List<String> statements = new ArrayList<>();
    StringBuilder current = new StringBuilder();
    for (String line : script.split("\\R")) {
      String trimmed = line.strip();
      if (trimmed.startsWith("--") || trimmed.isEmpty()) {
        continue;
      }
      current.append(line).append('\n');
      if (trimmed.endsWith(";")) {
        String statement = current.toString().strip();
        statements.add(statement.substring(0, statement.length() - 1));
        current.setLength(0);
      }
    }
    if (!current.toString().isBlank()) {
      statements.add(current.toString().strip());
    }
    return statements;
  }

  private static String read(String resource) {
    try (InputStream in = Migrations.class.getClassLoader().getResourceAsStream(resource)) {
      if (in == null) {
        throw new StoreException("schema migration resource missing: " + resource);
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new StoreException("cannot read schema migration " + resource, e);
    }
  }

  private static String sha256(String text) {
    try {
      MessageDigest digest = MessageDigest.getInstance("SHA-256");
      return HexFormat.of().formatHex(digest.digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
