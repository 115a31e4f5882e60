package io.zto.shared.files;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SecureFilesTest {

  @TempDir
  Path temp;

  @Test
  void writesOwnerOnlyFilesAndDirectoriesAtomically() throws IOException {
    // GIVEN a target in directories that do not exist yet
    Path file = temp.resolve("a/b/secret.txt");

    // WHEN it is written twice
    SecureFiles.writeAtomically(file, "one");
    SecureFiles.writeAtomically(file, "two");

    // THEN it holds the last content, 0600 in 0700 directories, with no temp file left behind
    assertThat(file).hasContent("two");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file.getParent()))).isEqualTo("rwx------");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(temp.resolve("a")))).isEqualTo("rwx------");
    try (Stream<Path> files = Files.list(file.getParent())) {
      assertThat(files).containsExactly(file);
    }
  }

  @Test
  void writeIfChangedLeavesIdenticalFilesAlone() throws IOException {
    Path file = temp.resolve("x.pem");
    assertThat(SecureFiles.writeIfChanged(file, new byte[] {1, 2})).isTrue();
    var modified = Files.getLastModifiedTime(file);
    assertThat(SecureFiles.writeIfChanged(file, new byte[] {1, 2})).isFalse();
    assertThat(Files.getLastModifiedTime(file)).isEqualTo(modified);
    assertThat(SecureFiles.writeIfChanged(file, new byte[] {3})).isTrue();
  }
}
