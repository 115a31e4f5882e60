package io.zto.shared.files;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Arrays;
import java.util.Set;

/**
 * The one place that writes secret or trust-relevant files: owner-only permissions (0600 files,
 * 0700 directories) and atomic replacement (temp file in the same directory, then an
 * {@code ATOMIC_MOVE} rename), so a crash never leaves a half-written key or token behind and
 * readers see either the old or the new content.
 *
 * <p>All methods block on disk I/O: call them from a worker thread, never from an event loop.
 * On file systems without POSIX permissions (Windows) the permission part is skipped.
 */
public final class SecureFiles {

  /** rw------- */
  public static final Set<PosixFilePermission> FILE_PERMISSIONS = PosixFilePermissions.fromString("rw-------");
  /** rwx------ */
  public static final Set<PosixFilePermission> DIRECTORY_PERMISSIONS = PosixFilePermissions.fromString("rwx------");

  private SecureFiles() {
  }

  /**
   * Creates {@code dir} (and missing parents) with 0700. An existing directory is left as it is:
   * an operator may have chosen its permissions on purpose (e.g. a systemd StateDirectory).
   *
   * @return {@code dir}
   */
  public static Path ensureDirectory(Path dir) {
    try {
      if (Files.isDirectory(dir)) {
        return dir;
      }
      Path parent = dir.toAbsolutePath().getParent();
      if (parent != null && !Files.exists(parent)) {
        ensureDirectory(parent);
      }
      try {
        FileAttribute<?>[] attributes = directoryAttributes(dir);
        Files.createDirectory(dir, attributes);
        if (attributes.length > 0) {
          // explicit, because a restrictive umask could otherwise leave the owner without x
          Files.setPosixFilePermissions(dir, DIRECTORY_PERMISSIONS);
        }
      } catch (FileAlreadyExistsException raced) {
        if (!Files.isDirectory(dir)) {
          throw new UncheckedIOException("Not a directory: " + dir, raced);
        }
      }
      return dir;
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot create directory " + dir + ": " + e.getMessage(), e);
    }
  }

  /**
   * Writes {@code content} to {@code target} atomically with 0600 permissions, creating the parent
   * directory (0700) if needed.
   */
  public static void writeAtomically(Path target, byte[] content) {
    Path dir = target.toAbsolutePath().getParent();
    ensureDirectory(dir);
    Path temp = null;
    try {
      // The temp file is created 0600 from the start: the secret is never readable by others,
      // not even for the moment between write and chmod.
      temp = Files.createTempFile(dir, "." + target.getFileName() + ".", ".tmp", fileAttributes(dir));
      Files.write(temp, content);
      try {
        Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } catch (AtomicMoveNotSupportedException e) {
        throw new UncheckedIOException("The file system of " + dir + " does not support atomic renames", e);
      }
      temp = null;
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot write " + target + ": " + e.getMessage(), e);
    } finally {
      deleteQuietly(temp);
    }
  }

  /** {@link #writeAtomically(Path, byte[])} with UTF-8 text. */
  public static void writeAtomically(Path target, String content) {
    writeAtomically(target, content.getBytes(StandardCharsets.UTF_8));
  }

  /**
   * Writes only when the content differs from what is on disk, so that later starts leave files
   * (and their modification times) untouched.
   *
   * @return whether the file was written
   */
  public static boolean writeIfChanged(Path target, byte[] content) {
    try {
      if (Files.isRegularFile(target) && Arrays.equals(Files.readAllBytes(target), content)) {
        return false;
      }
    } catch (IOException e) {
      // unreadable: rewrite it below, which reports a clear error if that fails too
    }
    writeAtomically(target, content);
    return true;
  }

  /** Reads a whole file as UTF-8, with the path in the error message. */
  public static String readString(Path file) {
    try {
      return Files.readString(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read " + file + ": " + e.getMessage(), e);
    }
  }

  /** Reads a whole file, with the path in the error message. */
  public static byte[] readBytes(Path file) {
    try {
      return Files.readAllBytes(file);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read " + file + ": " + e.getMessage(), e);
    }
  }

  private static FileAttribute<?>[] fileAttributes(Path dir) {
    return isPosix(dir)
        ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(FILE_PERMISSIONS)}
        : new FileAttribute<?>[0];
  }

  private static FileAttribute<?>[] directoryAttributes(Path dir) {
    Path existing = dir.toAbsolutePath();
    while (existing != null && !Files.exists(existing)) {
      existing = existing.getParent();
    }
    return existing != null && isPosix(existing)
        ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(DIRECTORY_PERMISSIONS)}
        : new FileAttribute<?>[0];
  }

  private static boolean isPosix(Path path) {
    return path.getFileSystem().supportedFileAttributeViews().contains("posix");
  }

  private static void deleteQuietly(Path temp) {
    if (temp != null) {
      try {
        Files.deleteIfExists(temp);
      } catch (IOException ignored) {
        // best effort: a stray .tmp file is harmless and owner-only
      }
    }
  }
}
