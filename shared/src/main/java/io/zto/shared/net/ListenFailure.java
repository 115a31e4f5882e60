package io.zto.shared.net;

import io.vertx.core.Future;
import java.net.BindException;

/**
 * Turns a listener that could not start into one line an operator can act on: which listener, which
 * address, which config key moves it, and why.
 */
public final class ListenFailure {

  private ListenFailure() {}

  /**
   * Maps the failure of {@code listen()} of a listener.
   *
   * @param listener what it is, e.g. {@code "operator HTTP"}
   * @param portKey the config key of its port, e.g. {@code "http.port"}
   */
  public static <T> Future<T> describe(Throwable failure, String listener, String host, int port, String portKey) {
    String why = isAddressInUse(failure) ? "address already in use" : String.valueOf(failure.getMessage());
    return Future.failedFuture(new IllegalStateException("cannot start the " + listener + " listener on " + host + ":"
        + port + " (" + portKey + "): " + why, failure));
  }

  private static boolean isAddressInUse(Throwable failure) {
    for (Throwable t = failure; t != null; t = t.getCause()) {
      if (t instanceof BindException || String.valueOf(t.getMessage()).contains("Address already in use")) {
        return true;
      }
    }
    return false;
  }
}
