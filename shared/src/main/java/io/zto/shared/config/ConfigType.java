package io.zto.shared.config;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The type of a configuration value: how text from a file, the environment or the command line becomes
 * a typed value, and how a typed value is written back.
 * <p>
 * Typed values: {@link #STRING} {@code String}, {@link #INT} and {@link #PORT} {@code Integer},
 * {@link #BOOLEAN} {@code Boolean}, {@link #DURATION} {@link Duration}, {@link #BYTE_SIZE} {@code Long},
 * {@link #STRING_LIST} {@code List<String>}, {@link #OBJECT_LIST} {@code List<Map<String, Object>>}.
 */
public enum ConfigType {

  /** Any text. */
  STRING("string"),
  /** A whole number. */
  INT("integer"),
  /** A TCP port, 1-65535, or 0 for any free port (tests). */
  PORT("port"),
  /** {@code true} or {@code false} (also yes/no, on/off, 1/0). */
  BOOLEAN("boolean"),
  /** A duration, see {@link Durations}. */
  DURATION("duration"),
  /** A byte size, see {@link ByteSizes}. */
  BYTE_SIZE("byte size"),
  /** A list of strings: a YAML/JSON list, or comma-separated text. */
  STRING_LIST("list"),
  /** A list of objects: only from a config file, since it has no sensible one-line form. */
  OBJECT_LIST("object list");

  private final String label;

  ConfigType(String label) {
    this.label = label;
  }

  /**
   * @return the short name shown in {@code --help} and the docs
   */
  public String label() {
    return label;
  }

  /**
   * @return whether values of this type may come from an environment variable or {@code --set}
   */
  public boolean settableFromText() {
    return this != OBJECT_LIST;
  }

  /**
   * Converts a raw value (text, or what a YAML/JSON parser produced) to the typed value.
   *
   * @param raw the raw value, not null
   * @return the typed value
   * @throws IllegalArgumentException with a one-line reason that quotes the value
   */
  public Object parse(Object raw) {
    return switch (this) {
      case STRING -> scalar(raw);
      case INT -> parseInt(raw, "is not an integer");
      case PORT -> parsePort(raw);
      case BOOLEAN -> parseBoolean(raw);
      case DURATION -> raw instanceof Duration d ? d : Durations.parse(text(raw));
      case BYTE_SIZE -> parseSize(raw);
      case STRING_LIST -> parseList(raw);
      case OBJECT_LIST -> parseObjects(raw);
    };
  }

  /**
   * @param value a typed value
   * @return the text form, as one would write it in a file or variable ({@code 90d}, {@code 256KiB}, {@code a,b})
   */
  public String format(Object value) {
    return switch (this) {
      case DURATION -> Durations.format((Duration) value);
      case BYTE_SIZE -> ByteSizes.format((Long) value);
      case STRING_LIST -> String.join(",", asStrings(value));
      case OBJECT_LIST -> ((List<?>) value).isEmpty() ? "[]" : new JsonArray((List<?>) value).encode();
      default -> String.valueOf(value);
    };
  }

  /**
   * @param value a typed value
   * @return the value as it goes into a {@link JsonObject}: numbers and booleans stay native, durations and sizes
   *   become text, lists become {@link JsonArray}s
   */
  @SuppressWarnings("unchecked")
  public Object toJson(Object value) {
    return switch (this) {
      case DURATION, BYTE_SIZE -> format(value);
      case STRING_LIST -> new JsonArray(new ArrayList<>(asStrings(value)));
      case OBJECT_LIST -> {
        JsonArray array = new JsonArray();
        ((List<?>) value).forEach(o -> array.add(new JsonObject(new LinkedHashMap<>((Map<String, Object>) o))));
        yield array;
      }
      default -> value;
    };
  }

  private static String scalar(Object raw) {
    if (raw instanceof String || raw instanceof Number || raw instanceof Boolean) {
      return String.valueOf(raw);
    }
    throw new IllegalArgumentException("expected a single value, got " + describe(raw));
  }

  private static String text(Object raw) {
    return scalar(raw).trim();
  }

  private static int parseInt(Object raw, String what) {
    if (raw instanceof Integer i) {
      return i;
    }
    try {
      if (raw instanceof Long || raw instanceof String) {
        return Integer.parseInt(text(raw));
      }
    } catch (NumberFormatException e) {
      // reported below with the operator's text
    }
    throw new IllegalArgumentException(describe(raw) + " " + what);
  }

  private static int parsePort(Object raw) {
    String what = "is not a port (1-65535, or 0 for any free port)";
    int port = parseInt(raw, what);
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException(describe(raw) + " " + what);
    }
    return port;
  }

  private static boolean parseBoolean(Object raw) {
    if (raw instanceof Boolean b) {
      return b;
    }
    switch (raw instanceof String ? text(raw).toLowerCase(Locale.ROOT) : "") {
      case "true", "yes", "on", "1":
        return true;
      case "false", "no", "off", "0":
        return false;
      default:
        throw new IllegalArgumentException(describe(raw) + " is not a boolean (true or false)");
    }
  }

  private static long parseSize(Object raw) {
    if ((raw instanceof Integer || raw instanceof Long) && ((Number) raw).longValue() >= 0) {
      return ((Number) raw).longValue();
    }
    if (raw instanceof String s) {
      return ByteSizes.parse(s);
    }
    throw new IllegalArgumentException(describe(raw) + " is not a byte size (" + ByteSizes.EXAMPLES + ")");
  }

  private static List<String> parseList(Object raw) {
    List<String> out = new ArrayList<>();
    if (raw instanceof List<?> list) {
      for (int i = 0; i < list.size(); i++) {
        Object item = list.get(i);
        if (item instanceof Map || item instanceof List || item == null) {
          throw new IllegalArgumentException("list element " + (i + 1) + " is " + describe(item) + ", expected a string");
        }
        addTrimmed(out, String.valueOf(item));
      }
    } else {
      // comma-separated: the only list form an environment variable can carry
      for (String part : scalar(raw).split(",")) {
        addTrimmed(out, part);
      }
    }
    return Collections.unmodifiableList(out);
  }

  private static void addTrimmed(List<String> out, String s) {
    if (!s.isBlank()) {
      out.add(s.trim());
    }
  }

  private static List<Map<String, Object>> parseObjects(Object raw) {
    if (raw instanceof String) {
      throw new IllegalArgumentException("a list of objects can only be set in a config file");
    }
    if (!(raw instanceof List<?> list)) {
      throw new IllegalArgumentException("expected a list of objects, got " + describe(raw));
    }
    List<Map<String, Object>> out = new ArrayList<>();
    for (int i = 0; i < list.size(); i++) {
      if (!(list.get(i) instanceof Map<?, ?> map)) {
        throw new IllegalArgumentException("list element " + (i + 1) + " is " + describe(list.get(i)) + ", expected an object");
      }
      Map<String, Object> copy = new LinkedHashMap<>();
      map.forEach((k, v) -> copy.put(String.valueOf(k), v));
      out.add(Collections.unmodifiableMap(copy));
    }
    return Collections.unmodifiableList(out);
  }

  @SuppressWarnings("unchecked")
  private static List<String> asStrings(Object value) {
    return (List<String>) value;
  }

  /**
   * @param raw a raw value
   * @return a short description for error messages: the quoted text of a scalar, or "a list" / "an object"
   */
  static String describe(Object raw) {
    if (raw instanceof Map || raw instanceof JsonObject) {
      return "an object";
    }
    if (raw instanceof List || raw instanceof JsonArray) {
      return "a list";
    }
    return raw == null ? "nothing" : "'" + raw + "'";
  }
}
