package io.zto.est;

import io.vertx.core.Future;
import io.vertx.ext.web.RoutingContext;
import io.zto.shared.domain.EstChallenge;
import io.zto.shared.pki.CheckedCsr;
import io.zto.shared.security.RandomSecrets;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Optional;

/**
 * The device's one-time EST challenge: read from HTTP Basic {@code deviceId:challenge} (up front or after
 * our 401), else from the CSR's challengePassword or otpChallenge (RFC 7894); compared with the device's
 * live challenges by their salted hashes on a worker (constant time), consumed atomically.
 */
final class ChallengeCheck {


  private final EstServices services;

  ChallengeCheck(EstServices services) {
    this.services = services;
  }

  /** The presented challenge; 401 with a Basic challenge when there is none. */
  static String presented(RoutingContext ctx, String deviceId, CheckedCsr csr) {
    String authorization = ctx.request().getHeader("Authorization");
    if (authorization != null && authorization.regionMatches(true, 0, "Basic ", 0, 6)) {
      String decoded;
      try {
        decoded = new String(Base64.getDecoder().decode(authorization.substring(6).trim()), StandardCharsets.UTF_8);
      } catch (IllegalArgumentException e) {
        throw EstException.badRequest("The Authorization header is not valid HTTP Basic (base64 of deviceId:challenge)");
      }
      int colon = decoded.indexOf(':');
      if (colon < 0) {
        throw EstException.badRequest("HTTP Basic credentials must be deviceId:challenge");
      }
      if (!decoded.substring(0, colon).equals(deviceId)) {
        throw EstException.forbidden("The HTTP Basic user must be the device id " + deviceId
            + " of the client certificate");
      }
      return decoded.substring(colon + 1);
    }
    return csr.challenge().orElseThrow(() -> EstException.basicChallenge("The one-time EST challenge is missing:"
        + " put it into the CSR's challengePassword or send HTTP Basic deviceId:challenge"));
  }

  /**
   * The device's challenge used before with this public key, within its lifetime, if the secret is that
   * challenge: a retry after a lost response (its {@code issuedSerial} is the answer) or after a failure
   * between consuming it and recording the certificate (no serial yet).
   */
  Future<Optional<EstChallenge>> usedWithKey(String deviceId, String publicKeyHash, String secret, Instant now) {
    return services.challenges.findUsed(deviceId, publicKeyHash, now).compose(used -> used.isEmpty()
        ? Future.succeededFuture(Optional.<EstChallenge>empty())
        : check(() -> digests().verify(secret, used.get().challengeHash()) ? used : Optional.<EstChallenge>empty(),
            List.of(used.get())));
  }

  /** The live challenge the secret matches; 403 if none (wrong, expired or used). */
  Future<EstChallenge> match(String deviceId, String secret, Instant now) {
    return services.challenges.live(deviceId, now)
        .compose(live -> check(() -> matching(live, secret), live))
        .map(found -> found.orElseThrow(() -> EstException.forbidden("The EST challenge is wrong, expired or already"
            + " used; provision the device again to get a new one")));
  }

  private RandomSecrets digests() {
    return services.platform.pki().randomSecrets();
  }

  /** Runs {@code check} at once when every stored digest is keyed (cheap), else on a worker (older slow hashes). */
  private <T> Future<T> check(java.util.concurrent.Callable<T> check, List<EstChallenge> stored) {
    if (stored.stream().allMatch(c -> RandomSecrets.cheap(c.challengeHash()))) {
      try {
        return Future.succeededFuture(check.call());
      } catch (Exception e) {
        return Future.failedFuture(e);
      }
    }
    return services.work(check);
  }

  private Optional<EstChallenge> matching(List<EstChallenge> live, String secret) {
    EstChallenge found = null;
    for (EstChallenge challenge : live) {
      // every candidate is checked, so the time does not tell which one matched
      if (digests().verify(secret, challenge.challengeHash()) && found == null) {
        found = challenge;
      }
    }
    return Optional.ofNullable(found);
  }

  /** Uses the challenge for the key, atomically; 403 if another request used it first. */
  Future<Void> consume(EstChallenge challenge, String publicKeyHash, Instant now) {
    return services.challenges.consume(challenge.id(), publicKeyHash, now).map(consumed -> {
      if (!consumed) {
        throw EstException.forbidden("The EST challenge was used by another request or expired just now");
      }
      return null;
    });
  }
}
