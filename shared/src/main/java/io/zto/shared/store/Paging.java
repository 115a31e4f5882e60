package io.zto.shared.store;

import io.zto.shared.domain.Page;
import java.util.List;
import java.util.function.Function;

/** Keyset paging shared by the repositories: bounded limits, cursors of one or two parts. */
final class Paging {

  /** Largest page a caller may ask for. */
  static final int MAX_PAGE_SIZE = 500;

  private static final String SEPARATOR = "~";

  private Paging() {}

  /** The requested page size, kept within 1..{@link #MAX_PAGE_SIZE}. */
  static int limit(int requested) {
    return Math.max(1, Math.min(requested, MAX_PAGE_SIZE));
  }

  /** Cut {@code rows} (fetched with {@code limit + 1}) to a page whose cursor is the last item's key. */
  static <T> Page<T> page(List<T> rows, int limit, Function<T, String> cursorOf) {
    if (rows.size() <= limit) {
      return new Page<>(rows, null);
    }
    List<T> page = rows.subList(0, limit);
    return new Page<>(page, cursorOf.apply(page.get(limit - 1)));
  }

  /** A cursor of a timestamp and a tie-breaking key. */
  static String cursor(long millis, String key) {
    return millis + SEPARATOR + key;
  }

  /** The timestamp part of a two-part cursor. */
  static long millisOf(String cursor) {
    try {
      return Long.parseLong(cursor.substring(0, separator(cursor)));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("not a cursor of this listing: " + cursor, e);
    }
  }

  /** The key part of a two-part cursor. */
  static String keyOf(String cursor) {
    return cursor.substring(separator(cursor) + 1);
  }

  private static int separator(String cursor) {
    int at = cursor.indexOf(SEPARATOR);
    if (at < 0) {
      throw new IllegalArgumentException("not a cursor of this listing: " + cursor);
    }
    return at;
  }
}
