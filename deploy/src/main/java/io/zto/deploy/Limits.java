package io.zto.deploy;

/** The {@code limit} query parameter of paged API lists. */
final class Limits {

  static final int MAX = 500;

  private Limits() {}

  /** The limit, {@code fallback} when absent; IllegalArgumentException with the reason when invalid. */
  static int parse(String text, int fallback) {
    if (text == null) {
      return fallback;
    }
    try {
      int limit = Integer.parseInt(text);
      if (limit >= 1 && limit <= MAX) {
        return limit;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new IllegalArgumentException("limit must be 1.." + MAX + ", not '" + text + "'");
  }
}
