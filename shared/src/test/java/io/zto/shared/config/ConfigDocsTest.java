package io.zto.shared.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class ConfigDocsTest {

  // surefire runs in shared/, the docs live at the repository root
  private static final Path DOC = Path.of("..").resolve(ConfigDocs.DOC_PATH);

  @Test
  void committedConfigurationDocMatchesTheRegistry() throws IOException {
    // GIVEN the registry
    String generated = ConfigDocs.markdown();
    if (Boolean.getBoolean("zto.regenerateDocs")) {
      ConfigDocs.main(new String[] {DOC.toString()});
    }
    // WHEN reading the committed page
    String committed = Files.exists(DOC) ? Files.readString(DOC) : "";
    // THEN it is exactly the generated text
    assertThat(committed)
      .as("docs/configuration.md is stale; regenerate: mvn -f shared/pom.xml test -Dtest=ConfigDocsTest -Dzto.regenerateDocs=true")
      .isEqualTo(generated);
  }

  @Test
  void everyKeyIsDocumented() {
    // GIVEN the generated page WHEN looking for each key THEN each has a row
    String markdown = ConfigDocs.markdown();
    ConfigKeys.all().forEach(k -> assertThat(markdown).contains("| `" + k.path() + "` |"));
  }
}
