package io.zto.shared.config;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Reads a config file into a tree of maps, lists and scalars: JSON when the name ends in {@code .json},
 * YAML otherwise. YAML goes through SnakeYAML's {@link SafeConstructor}: plain data only, no tags that
 * instantiate arbitrary classes.
 */
final class ConfigFileReader {

  private ConfigFileReader() {
  }

  /**
   * @param file the file
   * @return the top-level mapping; empty for an empty file
   * @throws ConfigException with one problem naming the file
   */
  static Map<String, Object> read(Path file) {
    String text;
    try {
      text = Files.readString(file);
    } catch (IOException e) {
      throw new ConfigException("cannot read config file " + file + ": " + reason(e));
    }
    String label = "config file " + file;
    Object tree = file.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".json") ? json(text, label) : yaml(text, label);
    if (tree == null) {
      return Map.of();
    }
    if (!(tree instanceof Map<?, ?> map)) {
      throw new ConfigException(label + ": expected keys at the top level, got " + ConfigType.describe(tree));
    }
    return stringKeys(map);
  }

  private static Object yaml(String text, String label) {
    LoaderOptions options = new LoaderOptions();
    options.setAllowDuplicateKeys(false); // a key given twice is almost always a mistake
    try {
      return new Yaml(new SafeConstructor(options)).load(text);
    } catch (MarkedYAMLException e) {
      Mark mark = e.getProblemMark();
      String where = mark == null ? "" : " at line " + (mark.getLine() + 1) + ", column " + (mark.getColumn() + 1);
      throw new ConfigException(label + ": invalid YAML" + where + ": " + oneLine(e.getProblem()));
    } catch (YAMLException e) {
      throw new ConfigException(label + ": invalid YAML: " + oneLine(e.getMessage()));
    }
  }

  private static Object json(String text, String label) {
    if (text.isBlank()) {
      return null;
    }
    try {
      return plain(new JsonObject(text));
    } catch (DecodeException | ClassCastException e) {
      throw new ConfigException(label + ": invalid JSON: " + oneLine(e.getMessage()));
    }
  }

  /**
   * @param value a value from a {@link JsonObject}
   * @return the same with every JsonObject/JsonArray turned into a plain Map/List, as SnakeYAML produces
   */
  static Object plain(Object value) {
    if (value instanceof JsonObject o) {
      return plain(o.getMap());
    }
    if (value instanceof JsonArray a) {
      return plain(a.getList());
    }
    if (value instanceof Map<?, ?> map) {
      Map<String, Object> out = new LinkedHashMap<>();
      map.forEach((k, v) -> out.put(String.valueOf(k), plain(v)));
      return out;
    }
    if (value instanceof List<?> list) {
      List<Object> out = new ArrayList<>();
      list.forEach(v -> out.add(plain(v)));
      return out;
    }
    return value;
  }

  private static Map<String, Object> stringKeys(Map<?, ?> map) {
    // YAML allows non-string keys (e.g. `8080: x`); as paths they are just text
    Map<String, Object> out = new LinkedHashMap<>();
    map.forEach((k, v) -> out.put(String.valueOf(k), v));
    return out;
  }

  private static String reason(IOException e) {
    if (e instanceof NoSuchFileException) {
      return "No such file or directory";
    }
    if (e instanceof AccessDeniedException) {
      return "Permission denied";
    }
    return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
  }

  private static String oneLine(String text) {
    return text == null ? "" : text.replaceAll("\\s+", " ").trim();
  }
}
