package io.zto.shared.config;

import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Parses and formats byte sizes of configuration values: a whole number with an optional unit,
 * {@code B}, binary {@code KiB MiB GiB} (powers of 1024) or decimal {@code KB MB GB} (powers of 1000),
 * case-insensitive. A bare number means bytes.
 */
public final class ByteSizes {

  private static final Pattern SIZE = Pattern.compile("(\\d+)\\s*([A-Za-z]*)");
  private static final Map<String, Long> UNITS = Map.of(
    "", 1L, "b", 1L,
    "kib", 1L << 10, "mib", 1L << 20, "gib", 1L << 30,
    "kb", 1_000L, "mb", 1_000_000L, "gb", 1_000_000_000L);
  static final String EXAMPLES = "e.g. 512, 64KiB, 1MiB or 1GB";

  private ByteSizes() {
  }

  /**
   * @param text the text, e.g. {@code 256KiB}
   * @return the number of bytes
   * @throws IllegalArgumentException naming the text and the accepted forms
   */
  public static long parse(String text) {
    Matcher m = SIZE.matcher(text.trim());
    if (m.matches()) {
      Long unit = UNITS.get(m.group(2).toLowerCase(Locale.ROOT));
      if (unit != null) {
        try {
          return Math.multiplyExact(Long.parseLong(m.group(1)), unit);
        } catch (ArithmeticException | NumberFormatException e) {
          // too large: same message as any other bad size
        }
      }
    }
    throw new IllegalArgumentException("'" + text + "' is not a byte size (" + EXAMPLES + ")");
  }

  /**
   * Formats a size exactly, preferring binary units: {@code 262144} → {@code 256KiB}, {@code 1000000} → {@code 1MB}.
   *
   * @param bytes the size
   * @return the text
   */
  public static String format(long bytes) {
    if (bytes == 0) {
      return "0B";
    }
    String[] names = {"GiB", "MiB", "KiB", "GB", "MB", "KB"};
    long[] sizes = {1L << 30, 1L << 20, 1L << 10, 1_000_000_000L, 1_000_000L, 1_000L};
    for (int i = 0; i < sizes.length; i++) {
      if (bytes % sizes[i] == 0) {
        return bytes / sizes[i] + names[i];
      }
    }
    return bytes + "B";
  }
}
