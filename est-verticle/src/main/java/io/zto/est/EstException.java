package io.zto.est;

/**
 * Ends an EST request with a status and a text reason a person can act on; also 202 (pending) and
 * 401 with a {@code WWW-Authenticate} challenge.
 */
final class EstException extends RuntimeException {

  private final int status;
  private final boolean challenge;

  EstException(int status, String reason) {
    this(status, reason, false);
  }

  private EstException(int status, String reason, boolean challenge) {
    super(reason, null, false, false);
    this.status = status;
    this.challenge = challenge;
  }

  /** 401 asking for HTTP Basic {@code deviceId:challenge}. */
  static EstException basicChallenge(String reason) {
    return new EstException(401, reason, true);
  }

  static EstException badRequest(String reason) {
    return new EstException(400, reason);
  }

  static EstException forbidden(String reason) {
    return new EstException(403, reason);
  }

  int status() {
    return status;
  }

  /** Whether to answer with {@code WWW-Authenticate: Basic}. */
  boolean challenge() {
    return challenge;
  }
}
