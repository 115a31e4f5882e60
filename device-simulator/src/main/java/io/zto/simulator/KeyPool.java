package io.zto.simulator;

import io.zto.shared.files.SecureFiles;
import io.zto.shared.pki.KeyPairs;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * EC P-256 key pairs made before the simulation's clock starts, so that the simulator's own key
 * generation does not compete with the server for the CPU while devices onboard. Generated in parallel
 * on as many threads as there are cores, or read from a file a previous run saved (one key pair a line:
 * base64 PKCS#8, a space, base64 SubjectPublicKeyInfo). {@link #get} never blocks on I/O; should the pool
 * run dry it makes a key on the spot and counts it in {@link #madeLate}.
 */
public final class KeyPool implements Supplier<KeyPair> {

  private final List<KeyPair> keys;
  private final AtomicInteger next = new AtomicInteger();
  private final AtomicInteger late = new AtomicInteger();

  private KeyPool(List<KeyPair> keys) {
    this.keys = keys;
  }

  /** A pool of {@code count} new key pairs, made on one thread per core. */
  public static KeyPool generate(int count) {
    return new KeyPool(generateKeys(count));
  }

  /**
   * The pool saved in {@code file}, topped up to {@code count} (and saved again) if it holds fewer;
   * a pool of {@code count} new key pairs, saved there, if the file does not exist.
   */
  public static KeyPool loadOrGenerate(Path file, int count) {
    List<KeyPair> keys = Files.exists(file) ? read(file) : new ArrayList<>();
    if (keys.size() < count) {
      keys.addAll(generateKeys(count - keys.size()));
      SecureFiles.writeAtomically(file, encode(keys));
    }
    return new KeyPool(keys);
  }

  /** The next unused key pair. */
  @Override
  public KeyPair get() {
    int index = next.getAndIncrement();
    if (index < keys.size()) {
      return keys.get(index);
    }
    late.incrementAndGet();
    return KeyPairs.ecP256();
  }

  public int size() {
    return keys.size();
  }

  /** Key pairs made on demand because the pool was used up. */
  public int madeLate() {
    return late.get();
  }

  static List<KeyPair> generateKeys(int count) {
    int threads = Math.max(1, Math.min(count, Runtime.getRuntime().availableProcessors()));
    ExecutorService pool = Executors.newFixedThreadPool(threads, runnable -> {
      Thread thread = new Thread(runnable, "zto-key-pool");
      thread.setDaemon(true);
      return thread;
    });
    try {
      List<Future<List<KeyPair>>> parts = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        int share = count / threads + (t < count % threads ? 1 : 0);
        parts.add(pool.submit(() -> {
          List<KeyPair> made = new ArrayList<>(share);
          for (int i = 0; i < share; i++) {
            made.add(KeyPairs.ecP256());
          }
          return made;
        }));
      }
      List<KeyPair> all = new ArrayList<>(count);
      for (Future<List<KeyPair>> part : parts) {
        all.addAll(part.get());
      }
      return all;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while making device keys", e);
    } catch (java.util.concurrent.ExecutionException e) {
      throw new IllegalStateException("could not make device keys: " + e.getCause().getMessage(), e.getCause());
    } finally {
      pool.shutdownNow();
    }
  }

  static String encode(List<KeyPair> keys) {
    Base64.Encoder base64 = Base64.getEncoder();
    StringBuilder text = new StringBuilder(keys.size() * 300);
    for (KeyPair pair : keys) {
      text.append(base64.encodeToString(pair.getPrivate().getEncoded())).append(' ')
          .append(base64.encodeToString(pair.getPublic().getEncoded())).append('\n');
    }
    return text.toString();
  }

  static List<KeyPair> read(Path file) {
    List<KeyPair> keys = new ArrayList<>();
    Base64.Decoder base64 = Base64.getDecoder();
    try {
      KeyFactory ec = KeyFactory.getInstance("EC");
      int line = 0;
      for (String text : SecureFiles.readString(file).split("\n")) {
        line++;
        if (text.isBlank()) {
          continue;
        }
        String[] parts = text.strip().split(" ");
        if (parts.length != 2) {
          throw new IllegalArgumentException(file + " line " + line + ": expected 'PKCS8 SPKI' in base64");
        }
        keys.add(new KeyPair(ec.generatePublic(new X509EncodedKeySpec(base64.decode(parts[1]))),
            ec.generatePrivate(new PKCS8EncodedKeySpec(base64.decode(parts[0])))));
      }
      return keys;
    } catch (GeneralSecurityException | IllegalArgumentException e) {
      throw new IllegalArgumentException(file + " is not a key pool file: " + e.getMessage(), e);
    }
  }
}
