package io.zto.shared.store;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import java.time.Instant;

/** Reading columns the same way from both back ends (their drivers return different Java types). */
public final class Rows {

  private Rows() {}

  /** Epoch-millisecond column as an instant, or null. */
  public static Instant instant(Row row, String column) {
    Long millis = row.getLong(column);
    return millis == null ? null : Instant.ofEpochMilli(millis);
  }

  /** Binary column: PostgreSQL returns a Buffer, JDBC a byte array. */
  public static byte[] bytes(Row row, String column) {
    Object value = row.getValue(column);
    if (value == null) {
      return null;
    }
    if (value instanceof Buffer buffer) {
      return buffer.getBytes();
    }
    if (value instanceof byte[] bytes) {
      return bytes;
    }
    throw new StoreException("column " + column + " is not binary but " + value.getClass().getSimpleName());
  }

  /** JSON kept as text. */
  public static JsonObject json(Row row, String column) {
    String text = row.getString(column);
    return text == null ? null : new JsonObject(text);
  }

  /** Enum stored as its {@code name()}; also reads lowercase values written by hand or by SQL defaults. */
  public static <E extends Enum<E>> E enumValue(Row row, String column, Class<E> type) {
    String text = row.getString(column);
    return text == null ? null : Enum.valueOf(type, text.toUpperCase(java.util.Locale.ROOT));
  }

  /** Enum as the text column value, or null. */
  public static String name(Enum<?> value) {
    return value == null ? null : value.name();
  }

  /** Integer column, or null (drivers differ between Integer and Long for SQLite's INTEGER). */
  public static Integer integer(Row row, String column) {
    Object value = row.getValue(column);
    return value == null ? null : ((Number) value).intValue();
  }

  /** Instant as the epoch-millisecond column value, or null. */
  public static Long millis(Instant instant) {
    return instant == null ? null : instant.toEpochMilli();
  }

  /** JSON as the text column value, or null. */
  public static String text(JsonObject json) {
    return json == null ? null : json.encode();
  }

  /** Bytes as a bind value both drivers accept. */
  public static Buffer binary(byte[] bytes) {
    return bytes == null ? null : Buffer.buffer(bytes);
  }
}
