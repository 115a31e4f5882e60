package io.zto.shared.domain;

import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Locale;

/** How the domain records write and read JSON: instants as ISO-8601, enums in lowercase. */
final class Json {

  private Json() {}

  /** Now, to the millisecond the store keeps. */
  static Instant now() {
    return Instant.now().truncatedTo(java.time.temporal.ChronoUnit.MILLIS);
  }

  static String instant(Instant instant) {
    return instant == null ? null : instant.toString();
  }

  static String enumValue(Enum<?> value) {
    return value == null ? null : value.name().toLowerCase(Locale.ROOT);
  }

  static Instant instant(JsonObject json, String key) {
    String text = json.getString(key);
    try {
      return text == null ? null : Instant.parse(text);
    } catch (DateTimeParseException e) {
      throw new IllegalArgumentException(key + " is not an ISO-8601 instant: " + text, e);
    }
  }

  static <E extends Enum<E>> E enumValue(JsonObject json, String key, Class<E> type, E fallback) {
    String text = json.getString(key);
    if (text == null) {
      if (fallback == null) {
        throw new IllegalArgumentException(key + " is required");
      }
      return fallback;
    }
    try {
      return Enum.valueOf(type, text.toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(key + " must be one of " + values(type) + ", not " + text, e);
    }
  }

  private static String values(Class<? extends Enum<?>> type) {
    StringBuilder out = new StringBuilder();
    for (Enum<?> value : type.getEnumConstants()) {
      out.append(out.length() == 0 ? "" : ", ").append(value.name().toLowerCase(Locale.ROOT));
    }
    return out.toString();
  }

  static String requireText(JsonObject json, String key) {
    String text = json.getString(key);
    if (text == null || text.isBlank()) {
      throw new IllegalArgumentException(key + " is required");
    }
    return text;
  }
}
