package io.zto.provisioning;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.zto.shared.Platform;
import io.zto.shared.domain.EstChallenge;
import io.zto.shared.domain.MqttCredential;
import io.zto.shared.security.RandomSecrets;
import io.zto.shared.security.Secrets;
import io.zto.shared.store.ChallengeRepository;
import io.zto.shared.store.Database;
import io.zto.shared.store.CredentialRepository;
import java.time.Clock;
import java.time.Instant;

/**
 * Makes a device's secrets for one provisioning: a new MQTT password, which replaces the previous one
 * at once, and a new one-time EST challenge, which retires the earlier ones. Both are random (128
 * bits) and stored only as keyed digests ({@link RandomSecrets}: HMAC-SHA-256 under a server key; random
 * secrets need no slow hash); they leave the platform once, inside the returned device config.
 */
final class SecretIssuer {

  static final int SECRET_BITS = 128;

  /** Secrets drawn and hashed, not stored yet. */
  record Drawn(String deviceId, String password, String challenge, String passwordHash, String challengeHash,
               Instant at, Instant challengeExpiry) {}

  private final Vertx vertx;
  private final Platform platform;
  private final Clock clock;
  private final DeviceConfig deviceConfig;
  private final RandomSecrets digests;

  SecretIssuer(Vertx vertx, Platform platform, Clock clock) {
    this.vertx = vertx;
    this.platform = platform;
    this.clock = clock;
    this.deviceConfig = new DeviceConfig(platform.config(), platform.pki());
    this.digests = platform.pki().randomSecrets();
  }

  /** The device config holding the new secrets, once their hashes are stored (both in one transaction). */
  Future<JsonObject> issue(String deviceId, String tenant, String requestId, JsonObject application) {
    return draw(deviceId).compose(drawn -> platform.db().atomically(db -> store(db, drawn, tenant, requestId,
        application)));
  }

  /** New secrets and their digests, made outside any transaction (cheap: no worker needed). */
  Future<Drawn> draw(String deviceId) {
    Instant now = clock.instant();
    Instant challengeExpiry = now.plus(platform.config().provisioning().challengeTtl());
    String password = Secrets.randomToken(SECRET_BITS);
    String challenge = Secrets.randomToken(SECRET_BITS);
    return Future.succeededFuture(new Drawn(deviceId, password, challenge, digests.digest(password),
        digests.digest(challenge), now, challengeExpiry));
  }

  /** Stores the hashes through {@code db} (a transaction's view, see {@link Database#atomically}); the device config. */
  Future<JsonObject> store(Database db, Drawn d, String tenant, String requestId, JsonObject application) {
    return new CredentialRepository(db).replace(new MqttCredential(d.deviceId(), d.deviceId(), d.passwordHash(), requestId,
            d.at()))
        .compose(ignored -> new ChallengeRepository(db).issue(EstChallenge.issue(d.deviceId(), d.challengeHash(), requestId,
            d.challengeExpiry())))
        .map(ignored -> deviceConfig.build(d.deviceId(), tenant, d.password(), d.challenge(), d.challengeExpiry(),
            application));
  }
}
