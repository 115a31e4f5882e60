package io.zto.shared.config;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Parses and formats the durations of configuration values.
 * <p>
 * Accepted forms: a sequence of number + unit, units {@code ms}, {@code s}, {@code m}, {@code h}, {@code d}
 * (e.g. {@code 500ms}, {@code 30m}, {@code 1h30m}, {@code 90d}), or ISO-8601 ({@code PT30M}, {@code P90D}).
 * A bare number is refused: without a unit nobody can tell seconds from minutes.
 */
public final class Durations {

  private static final Pattern PART = Pattern.compile("(\\d+)(ms|s|m|h|d)");
  private static final Pattern WHOLE = Pattern.compile("(?:\\d+(?:ms|s|m|h|d))+");
  static final String EXAMPLES = "e.g. 10s, 30m, 1h, 90d or PT30M";

  private Durations() {
  }

  /**
   * @param text the text, e.g. {@code 30m}
   * @return the duration, never negative
   * @throws IllegalArgumentException naming the text and the accepted forms
   */
  public static Duration parse(String text) {
    String s = text.trim();
    try {
      Duration d = s.toUpperCase(Locale.ROOT).startsWith("P") ? Duration.parse(s.toUpperCase(Locale.ROOT)) : parseUnits(s);
      if (d != null && !d.isNegative()) {
        return d;
      }
    } catch (DateTimeParseException | ArithmeticException | NumberFormatException e) {
      // fall through to the one message below: the JDK's text does not help an operator
    }
    throw new IllegalArgumentException("'" + text + "' is not a duration (" + EXAMPLES + ")");
  }

  private static Duration parseUnits(String s) {
    if (!WHOLE.matcher(s).matches()) {
      return null;
    }
    Duration total = Duration.ZERO;
    Matcher m = PART.matcher(s);
    while (m.find()) {
      long n = Long.parseLong(m.group(1));
      total = total.plus(switch (m.group(2)) {
        case "ms" -> Duration.ofMillis(n);
        case "s" -> Duration.ofSeconds(n);
        case "m" -> Duration.ofMinutes(n);
        case "h" -> Duration.ofHours(n);
        default -> Duration.ofDays(n);
      });
    }
    return total;
  }

  /**
   * Formats a duration in the largest single unit that represents it exactly, so that
   * {@code parse(format(d)).equals(d)} always holds ({@code 90d}, {@code 90m}, {@code 1500ms}).
   *
   * @param d the duration
   * @return the text
   */
  public static String format(Duration d) {
    if (d.isZero()) {
      return "0s";
    }
    if (d.isNegative() || d.getNano() % 1_000_000 != 0) {
      return d.toString(); // not expressible in our units: ISO-8601 keeps it exact
    }
    long ms = d.toMillis();
    long[] sizes = {86_400_000L, 3_600_000L, 60_000L, 1000L};
    String[] units = {"d", "h", "m", "s"};
    for (int i = 0; i < sizes.length; i++) {
      if (ms % sizes[i] == 0) {
        return ms / sizes[i] + units[i];
      }
    }
    return ms + "ms";
  }
}
