package io.zto.shared.store;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.zto.shared.domain.AuditEvent;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * Writes refusals to the audit log at a bounded rate, for listeners anyone can reach. The first refusal of
 * a (source, action, reason) in a window ({@code audit.refusalWindow}) is appended at once; its repeats in
 * the same window are counted here and written into that row's details ({@code count}, {@code lastAt})
 * by {@link #flush}, which the owner calls every few seconds and when it stops. A flood of refusals from
 * one source is then one row per window, and the rows per window are bounded (10,000 sources by default):
 * beyond it, new sources share one row per action and reason under the actor {@value #MANY_SOURCES}.
 * Safe to call from any thread.
 */
public final class RefusalAggregator {

  /** The actor of the row shared by the sources beyond the bound. */
  public static final String MANY_SOURCES = "(many sources)";

  /** How many (source, action, reason) windows are held at once by default. */
  public static final int DEFAULT_MAX_SOURCES = 10_000;

  private record Key(String actor, String action, String reason) {}

  /** The refusals of one key in one window: the row that stands for them, and how many it stands for. */
  private static final class Window {
    final Instant start;
    final Future<Long> row;
    final JsonObject details;
    long count = 1;
    Instant last;
    boolean dirty;

    Window(Instant start, Future<Long> row, JsonObject details) {
      this.start = start;
      this.row = row;
      this.details = details;
      this.last = start;
    }
  }

  private final AuditRepository audit;
  private final Duration window;
  private final Clock clock;
  private final int maxSources;
  private final Map<Key, Window> windows = new HashMap<>();

  public RefusalAggregator(AuditRepository audit, Duration window, Clock clock) {
    this(audit, window, clock, DEFAULT_MAX_SOURCES);
  }

  RefusalAggregator(AuditRepository audit, Duration window, Clock clock, int maxSources) {
    this.audit = audit;
    this.window = window;
    this.clock = clock;
    this.maxSources = maxSources;
  }

  /**
   * Records a refusal: appended as a new row when it is the first of its key in the window, else counted.
   *
   * @return completes when the row is written (a repeat: at once)
   */
  public Future<Void> refused(AuditEvent refusal) {
    Instant now = clock.instant();
    Window stale;
    Window fresh;
    synchronized (this) {
      Key key = new Key(refusal.actor(), refusal.action(), refusal.reason());
      if (!windows.containsKey(key) && windows.size() >= maxSources) {
        key = new Key(MANY_SOURCES, refusal.action(), refusal.reason());
      }
      Window current = windows.get(key);
      if (current != null && now.isBefore(current.start.plus(window))) {
        current.count++;
        current.last = now;
        current.dirty = true;
        return Future.succeededFuture();
      }
      stale = current != null && current.dirty ? current : null;
      JsonObject details = (refusal.details() == null ? new JsonObject() : refusal.details().copy())
          .put("count", 1L).put("firstAt", now.toString());
      AuditEvent row = new AuditEvent(0, now, key.actor(), refusal.action(), refusal.subject(), refusal.outcome(),
          refusal.reason(), details, refusal.node());
      fresh = new Window(now, audit.append(row), details);
      windows.put(key, fresh);
      if (stale != null) {
        stale.dirty = false;
      }
    }
    Future<Void> previous = stale == null ? Future.succeededFuture() : write(stale);
    return Future.join(previous, fresh.row).mapEmpty();
  }

  /** Writes the counts of every window with new repeats, and forgets the windows that have ended. */
  public Future<Void> flush() {
    Instant now = clock.instant();
    List<Window> due = new ArrayList<>();
    synchronized (this) {
      for (Iterator<Window> it = windows.values().iterator(); it.hasNext(); ) {
        Window w = it.next();
        if (w.dirty) {
          w.dirty = false;
          due.add(w);
        }
        if (!now.isBefore(w.start.plus(window))) {
          it.remove();
        }
      }
    }
    return Future.join(due.stream().map(this::write).toList()).mapEmpty();
  }

  private Future<Void> write(Window w) {
    JsonObject details;
    synchronized (this) {
      details = w.details.copy().put("count", w.count).put("lastAt", w.last.toString());
    }
    return w.row.compose(id -> audit.updateDetails(id, details));
  }
}
