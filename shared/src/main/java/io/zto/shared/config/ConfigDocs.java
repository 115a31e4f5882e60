package io.zto.shared.config;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Generates {@code docs/configuration.md} from {@link ConfigKeys}, so that the documentation cannot drift
 * from the code. A test compares the committed file with {@link #markdown()}.
 */
public final class ConfigDocs {

  /** Where the generated page lives, relative to the repository root. */
  public static final String DOC_PATH = "docs/configuration.md";

  private ConfigDocs() {
  }

  /**
   * Writes the page.
   *
   * @param args optional target file, default {@value #DOC_PATH}
   * @throws IOException when the file cannot be written
   */
  public static void main(String[] args) throws IOException {
    Path target = Path.of(args.length > 0 ? args[0] : DOC_PATH);
    Files.createDirectories(target.toAbsolutePath().getParent());
    Files.writeString(target, markdown());
  }

  /** @return the Markdown text of the page */
  public static String markdown() {
    StringBuilder sb = new StringBuilder();
    sb.append("# Configuration\n\n")
      .append("<!-- Generated from io.zto.shared.config.ConfigKeys; do not edit by hand. Regenerate with\n")
      .append("     mvn -f shared/pom.xml test -Dtest=ConfigDocsTest -Dzto.regenerateDocs=true -->\n\n")
      .append("Every setting is a dotted key. Sources, later ones winning:\n\n")
      .append("1. the defaults below;\n")
      .append("2. the config file given by `--config FILE` (or `ZTO_CONFIG`): YAML, or JSON when the name ends in ")
      .append("`.json`. Keys nest (`http: {port: 9090}`) or stay dotted (`http.port: 9090`);\n")
      .append("3. environment variables: `ZTO_` + the key in capitals with `_` for `.` ")
      .append("(`mqtt.plain.allowAnonymous` = `ZTO_MQTT_PLAIN_ALLOWANONYMOUS`); camelCase words may also be split ")
      .append("(`ZTO_MQTT_PLAIN_ALLOW_ANONYMOUS`). Other `ZTO_*` variables are ignored with a warning;\n")
      .append("4. the command line: `--set KEY=VALUE` (repeatable), `--data-dir DIR`, `--public-host NAME`, ")
      .append("`--roles a,b`.\n\n")
      .append("All problems are reported at once, each naming its source, and the node does not start.\n\n")
      .append("## Value types\n\n")
      .append("| Type | Form |\n| --- | --- |\n")
      .append("| string | text |\n")
      .append("| integer | whole number |\n")
      .append("| port | 1-65535; 0 picks any free port (tests) |\n")
      .append("| boolean | `true` or `false` (also `yes`/`no`, `on`/`off`, `1`/`0`) |\n")
      .append("| duration | number + unit `ms` `s` `m` `h` `d`, combinable (`30m`, `1h30m`, `90d`), or ISO-8601 (`PT30M`) |\n")
      .append("| byte size | number + optional unit: `B`, `KiB` `MiB` `GiB` (1024), `KB` `MB` `GB` (1000); `256KiB` |\n")
      .append("| list | YAML/JSON list, or comma-separated text (`broker,est`) |\n")
      .append("| object list | YAML/JSON list of objects; config file only |\n\n")
      .append("## Keys\n\n")
      .append("| Key | Environment variable | Type | Default | Description |\n")
      .append("| --- | --- | --- | --- | --- |\n");
    for (ConfigKey key : ConfigKeys.all()) {
      sb.append("| `").append(key.path()).append("` | ")
        .append(key.type().settableFromText() ? "`" + String.join("`<br>`", key.envNames()) + "`" : "(file only)")
        .append(" | ").append(key.type().label())
        .append(" | ").append(key.defaultText().isEmpty() ? "*empty*" : "`" + key.defaultText() + "`")
        .append(" | ").append(cell(key)).append(" |\n");
    }
    return sb.toString();
  }

  private static String cell(ConfigKey key) {
    String text = key.description().replace("|", "\\|");
    return key.choices().isEmpty() ? text : text + " One of: " + String.join(", ", key.choices()) + ".";
  }
}
