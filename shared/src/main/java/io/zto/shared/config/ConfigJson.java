package io.zto.shared.config;

import io.vertx.core.json.JsonObject;

/**
 * Builds the JSON form of {@link ZtoConfig}: the same nested shape as a config file, so that the JSON is
 * itself a valid config file and goes back through the one validation path of {@link ConfigLoader}.
 */
final class ConfigJson {

  private final JsonObject root = new JsonObject();

  /**
   * @param key the key
   * @param typed its typed value (Path is accepted for string keys)
   * @return this
   */
  ConfigJson put(ConfigKey key, Object typed) {
    String[] segments = key.path().split("\\.");
    JsonObject parent = root;
    for (int i = 0; i < segments.length - 1; i++) {
      JsonObject child = parent.getJsonObject(segments[i]);
      if (child == null) {
        child = new JsonObject();
        parent.put(segments[i], child);
      }
      parent = child;
    }
    Object value = key.type() == ConfigType.STRING ? String.valueOf(typed) : key.type().toJson(typed);
    parent.put(segments[segments.length - 1], value);
    return this;
  }

  JsonObject json() {
    return root;
  }
}
