package io.zto.shared.store;

import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/** Mapping result sets to domain records. */
final class Results {

  private Results() {}

  static <T> Optional<T> first(RowSet<Row> rows, Function<Row, T> map) {
    return rows.size() == 0 ? Optional.empty() : Optional.of(map.apply(rows.iterator().next()));
  }

  static <T> List<T> list(RowSet<Row> rows, Function<Row, T> map) {
    List<T> out = new ArrayList<>(rows.size());
    rows.forEach(row -> out.add(map.apply(row)));
    return out;
  }

  /** {@code $from, $from+1, ...} for an IN list of {@code count} values. */
  static String placeholders(int from, int count) {
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < count; i++) {
      out.append(i == 0 ? "" : ", ").append('$').append(from + i);
    }
    return out.toString();
  }
}
