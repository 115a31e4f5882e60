package io.zto.simulator;

import java.io.PrintStream;
import java.util.Locale;

/**
 * The simulation's live progress: on a terminal, one line rewritten in place; otherwise (a pipe, a CI
 * log) a plain line every few seconds, so logs stay readable.
 */
final class ProgressLine {

  static final long PLAIN_EVERY_NANOS = 5_000_000_000L;

  /** What the line shows. */
  record Figures(long onboarded, long inFlight, long waiting, long failed, double ratePerSecond, double p99Millis,
                 double elapsedSeconds, String stage) {}

  private final PrintStream out;
  private final boolean terminal;
  private long lastPlain = Long.MIN_VALUE;
  private int lastLength;

  ProgressLine(PrintStream out, boolean terminal) {
    this.out = out;
    this.terminal = terminal;
  }

  /** Shows the figures: always on a terminal, at most every 5 s otherwise. */
  synchronized void show(Figures figures, long nanos) {
    String line = format(figures);
    if (terminal) {
      out.print('\r' + line + " ".repeat(Math.max(0, lastLength - line.length())));
      lastLength = line.length();
      out.flush();
    } else if (lastPlain == Long.MIN_VALUE || nanos - lastPlain >= PLAIN_EVERY_NANOS) {
      lastPlain = nanos;
      out.println(line);
    }
  }

  /** Ends the updating line, so that what follows starts on a line of its own. */
  synchronized void finish(Figures figures) {
    if (terminal) {
      out.print('\r' + format(figures) + " ".repeat(Math.max(0, lastLength - format(figures).length())) + "\n");
    } else {
      out.println(format(figures));
    }
    out.flush();
  }

  static String format(Figures f) {
    return String.format(Locale.ROOT, "[%6.1fs] %-10s onboarded %d | in flight %d | waiting %d | failed %d | %.1f/s | p99 %.0f ms",
        f.elapsedSeconds(), f.stage(), f.onboarded(), f.inFlight(), f.waiting(), f.failed(), f.ratePerSecond(),
        f.p99Millis());
  }
}
