package io.zto.crl;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.zto.shared.domain.IssuedCrl;

/**
 * Reissues the platform CRL after revocations, sharing the work between revocations that arrive together:
 * a fleet renewing at once supersedes thousands of certificates, and signing the whole list once per
 * certificate would grow quadratically. A caller gets a CRL that was started after its call, so it lists
 * every revocation the caller committed before asking; callers that arrive while one is being signed
 * share the next one. At most one reissue runs at a time on this verticle.
 *
 * <p>Not thread-safe: call it on the verticle's context (bus consumers and database callbacks run there).
 */
final class CoalescedReissue {

  private final OwnCrlIssuer issuer;
  /** The reissue being signed, or null. */
  private Future<IssuedCrl> running;
  /** The reissue to start once the running one ends, shared by everyone who asked meanwhile; or null. */
  private Promise<IssuedCrl> next;

  CoalescedReissue(OwnCrlIssuer issuer) {
    this.issuer = issuer;
  }

  /** A CRL issued after this call. */
  Future<IssuedCrl> request() {
    if (running == null) {
      running = start();
      return running;
    }
    if (next == null) {
      next = Promise.promise();
    }
    return next.future();
  }

  private Future<IssuedCrl> start() {
    Future<IssuedCrl> reissue = issuer.reissue();
    reissue.onComplete(done -> {
      Promise<IssuedCrl> waiting = next;
      next = null;
      running = waiting == null ? null : start();
      if (waiting != null) {
        running.onComplete(waiting);
      }
    });
    return reissue;
  }
}
