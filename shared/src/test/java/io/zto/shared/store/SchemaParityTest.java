package io.zto.shared.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import io.vertx.sqlclient.Tuple;
import io.zto.shared.testing.Await;
import io.zto.shared.testing.Backend;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** After migrating, both back ends hold the same logical schema: the same tables with the same columns. */
class SchemaParityTest {

  private final Vertx vertx = Vertx.vertx();

  @AfterEach
  void close() {
    Await.result(vertx.close());
  }

  @Test
  void bothBackEndsHaveTheSameTablesAndColumns() {
    Database sqlite = Await.result(Backend.SQLITE.open(vertx));
    Database postgres = Await.result(Backend.POSTGRESQL.open(vertx));
    try {
      Map<String, Set<String>> embedded = columns(sqlite, "SELECT m.name AS t, p.name AS c FROM sqlite_master m"
          + " JOIN pragma_table_info(m.name) p WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%'");
      Map<String, Set<String>> server = columns(postgres, "SELECT table_name AS t, column_name AS c"
          + " FROM information_schema.columns WHERE table_schema = 'public'");
      assertThat(embedded).containsKeys("devices", "certificates", "audit_log", "schema_version");
      assertThat(embedded).isEqualTo(server);
    } finally {
      Await.result(sqlite.close());
      Await.result(postgres.close());
    }
  }

  private static Map<String, Set<String>> columns(Database db, String sql) {
    Map<String, Set<String>> tables = new TreeMap<>();
    Await.result(db.query(sql, Tuple.tuple()))
        .forEach(row -> tables.computeIfAbsent(row.getString("t"), t -> new TreeSet<>()).add(row.getString("c")));
    return tables;
  }
}
