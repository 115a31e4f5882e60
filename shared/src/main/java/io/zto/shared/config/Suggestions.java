package io.zto.shared.config;

import java.util.Collection;
import java.util.Locale;

/**
 * "Did you mean ...?" for mistyped keys and options: the closest candidate by edit distance,
 * if it is close enough to be a plausible typo.
 */
final class Suggestions {

  private Suggestions() {
  }

  /**
   * @param wrong what the user wrote
   * @param candidates the valid spellings
   * @return the closest candidate, or null when none is plausible
   */
  static String closest(String wrong, Collection<String> candidates) {
    String best = null;
    int bestDistance = Integer.MAX_VALUE;
    for (String candidate : candidates) {
      int d = distance(wrong.toLowerCase(Locale.ROOT), candidate.toLowerCase(Locale.ROOT));
      if (d < bestDistance) {
        best = candidate;
        bestDistance = d;
      }
    }
    // a third of the length allows two typos in a 6-letter word but does not match unrelated words
    return bestDistance <= Math.max(2, wrong.length() / 3) ? best : null;
  }

  /**
   * @param wrong what the user wrote
   * @param candidates the valid spellings
   * @return {@code " (did you mean 'x'?)"} or an empty string
   */
  static String didYouMean(String wrong, Collection<String> candidates) {
    String best = closest(wrong, candidates);
    return best == null ? "" : " (did you mean '" + best + "'?)";
  }

  /** Optimal string alignment distance: Levenshtein plus adjacent transpositions, the commonest typo. */
  static int distance(String a, String b) {
    int[][] d = new int[a.length() + 1][b.length() + 1];
    for (int i = 0; i <= a.length(); i++) {
      d[i][0] = i;
    }
    for (int j = 0; j <= b.length(); j++) {
      d[0][j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      for (int j = 1; j <= b.length(); j++) {
        int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
        d[i][j] = Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + cost);
        if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2) && a.charAt(i - 2) == b.charAt(j - 1)) {
          d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
        }
      }
    }
    return d[a.length()][b.length()];
  }
}
