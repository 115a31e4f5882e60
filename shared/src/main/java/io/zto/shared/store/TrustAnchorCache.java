package io.zto.shared.store;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;
import io.zto.shared.bus.Addresses;
import io.zto.shared.domain.TrustAnchor;
import io.zto.shared.pki.Pem;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * The trust anchors of each purpose, read from {@link TrustAnchorRepository} and parsed once, instead
 * of on every TLS login (a CONNECT, an EST call, a provisioning request).
 *
 * <p>Cluster-safe: whoever changes the anchors publishes {@link Addresses#TRUST_ANCHORS_CHANGED}
 * ({@link #changed}), which reaches the caches of every node, and each entry is also re-read after
 * {@link #DEFAULT_TTL} at the latest, so a missed publish (or an edit straight in the database) cannot
 * keep a removed anchor trusted for longer than that.
 *
 * <p>Thread-safe: the verticles of a node may share one; a reload shared by the callers waiting for it.
 */
public final class TrustAnchorCache {

  /** How long a read stays in use without a change being published. */
  public static final Duration DEFAULT_TTL = Duration.ofSeconds(30);

  /**
   * The anchors of one purpose, as stored and as parsed certificates.
   *
   * @param owners for each of {@code certificates}, the stored anchor whose PEM holds it
   */
  public record Anchors(List<TrustAnchor> anchors, List<X509Certificate> certificates,
                        List<String> fingerprints, List<TrustAnchor> owners) {

    /** The stored anchor holding this certificate (an anchor's PEM may hold several). */
    public Optional<TrustAnchor> ownerOf(X509Certificate certificate) {
      int index = certificates.indexOf(certificate);
      return index < 0 ? Optional.empty() : Optional.of(owners.get(index));
    }

    /** The stored anchor whose (first) certificate has this SHA-256 fingerprint. */
    public Optional<TrustAnchor> byFingerprint(String fingerprint) {
      int index = fingerprints.indexOf(fingerprint);
      return index < 0 ? Optional.empty() : Optional.of(anchors.get(index));
    }

    static Anchors parse(List<TrustAnchor> anchors) {
      List<X509Certificate> certificates = new ArrayList<>();
      List<String> fingerprints = new ArrayList<>();
      List<TrustAnchor> owners = new ArrayList<>();
      for (TrustAnchor anchor : anchors) {
        fingerprints.add(anchor.fingerprint());
        for (X509Certificate certificate : Pem.readCertificates(anchor.pem())) {
          certificates.add(certificate);
          owners.add(anchor);
        }
      }
      return new Anchors(List.copyOf(anchors), List.copyOf(certificates), List.copyOf(fingerprints),
          List.copyOf(owners));
    }
  }

  private record Entry(Future<Anchors> anchors, long loadedAt, long generation) {}

  private final Vertx vertx;
  private final TrustAnchorRepository repository;
  private final long ttlNanos;
  private final Map<TrustAnchor.Purpose, Entry> entries = new EnumMap<>(TrustAnchor.Purpose.class);
  private long generation;
  private MessageConsumer<JsonObject> consumer;

  private TrustAnchorCache(Vertx vertx, TrustAnchorRepository repository, Duration ttl) {
    this.vertx = vertx;
    this.repository = repository;
    this.ttlNanos = ttl.toNanos();
  }

  /** A cache that listens for {@link Addresses#TRUST_ANCHORS_CHANGED} on the (clustered) event bus. */
  public static TrustAnchorCache create(Vertx vertx, TrustAnchorRepository repository) {
    return create(vertx, repository, DEFAULT_TTL);
  }

  /** As above with another time to live (tests, or zero for no caching). */
  public static TrustAnchorCache create(Vertx vertx, TrustAnchorRepository repository, Duration ttl) {
    TrustAnchorCache cache = new TrustAnchorCache(vertx, repository, ttl);
    cache.consumer = vertx.eventBus().consumer(Addresses.TRUST_ANCHORS_CHANGED, message -> cache.invalidate());
    return cache;
  }

  /** Tells every node's caches that the anchors changed; call after the change is committed. */
  public static void changed(Vertx vertx) {
    vertx.eventBus().publish(Addresses.TRUST_ANCHORS_CHANGED, new JsonObject());
  }

  /** Completes when this cache listens for changes on the whole cluster. */
  public Future<Void> ready() {
    return consumer.completion();
  }

  /** The anchors of {@code purpose}: cached, or read and parsed (PEM parsing off the event loop). */
  public Future<Anchors> get(TrustAnchor.Purpose purpose) {
    long now = System.nanoTime();
    synchronized (this) {
      Entry entry = entries.get(purpose);
      if (entry != null && entry.generation() == generation && now - entry.loadedAt() < ttlNanos
          && !entry.anchors().failed()) {
        return entry.anchors();
      }
    }
    return reload(purpose);
  }

  /**
   * The anchors of {@code purpose} read afresh (and cached): for a refusal, so that a CA trusted a moment
   * ago on another node, whose publish has not arrived yet, is not refused.
   */
  public Future<Anchors> reload(TrustAnchor.Purpose purpose) {
    long now = System.nanoTime();
    long current;
    synchronized (this) {
      current = generation;
    }
    Future<Anchors> loading = repository.list(purpose)
        .compose(list -> vertx.executeBlocking(() -> Anchors.parse(list), false));
    synchronized (this) {
      // a change published while reading must not be hidden by this (possibly older) read
      if (generation == current) {
        entries.put(purpose, new Entry(loading, now, current));
      }
    }
    return loading;
  }

  /**
   * Runs {@code check} with the cached anchors of {@code purpose}; if it fails as {@code untrusted}
   * tells, runs it once more with anchors read afresh. A CA trusted a moment ago (on another node, whose
   * publish has not arrived yet) is so never refused because of the cache; a removed CA stops being
   * trusted when the publish arrives, at the latest after the time to live.
   */
  public <T> Future<T> check(TrustAnchor.Purpose purpose, Function<Anchors, Future<T>> check,
                             Predicate<Throwable> untrusted) {
    return get(purpose).compose(check)
        .recover(failure -> untrusted.test(failure) ? reload(purpose).compose(check) : Future.failedFuture(failure));
  }

  /** Forgets every cached read; the next {@link #get} reads the repository again. */
  public synchronized void invalidate() {
    generation++;
    entries.clear();
  }

  /** Stops listening for changes. */
  public Future<Void> close() {
    return consumer.unregister();
  }
}
