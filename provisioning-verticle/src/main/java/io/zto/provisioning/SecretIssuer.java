package io.zto.provisioning;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.zto.shared.Platform;
import io.zto.shared.domain.EstChallenge;
import io.zto.shared.domain.MqttCredential;
import io.zto.shared.security.SecretHasher;
import io.zto.shared.security.Secrets;
import io.zto.shared.store.ChallengeRepository;
import io.zto.shared.store.CredentialRepository;
import java.time.Clock;
import java.time.Instant;

/**
 * Makes a device's secrets for one provisioning: a new MQTT password, which replaces the previous one
 * at once, and a new one-time EST challenge, which retires the earlier ones. Both are random (128
 * bits) and stored only as salted hashes ({@link SecretHasher#forRandomSecrets}: a light Argon2id, since
 * random secrets need no heavy one), computed on a worker thread; they leave the platform once, inside the returned device config.
 */
final class SecretIssuer {

  static final int SECRET_BITS = 128;

  private final Vertx vertx;
  private final Platform platform;
  private final Clock clock;
  private final CredentialRepository credentials;
  private final ChallengeRepository challenges;
  private final DeviceConfig deviceConfig;
  private final SecretHasher hasher = SecretHasher.forRandomSecrets();

  SecretIssuer(Vertx vertx, Platform platform, Clock clock) {
    this.vertx = vertx;
    this.platform = platform;
    this.clock = clock;
    this.credentials = new CredentialRepository(platform.db());
    this.challenges = new ChallengeRepository(platform.db());
    this.deviceConfig = new DeviceConfig(platform.config(), platform.pki());
  }

  /** The device config holding the new secrets, once their hashes are stored. */
  Future<JsonObject> issue(String deviceId, String tenant, String requestId, JsonObject application) {
    Instant now = clock.instant();
    Instant challengeExpiry = now.plus(platform.config().provisioning().challengeTtl());
    String password = Secrets.randomToken(SECRET_BITS);
    String challenge = Secrets.randomToken(SECRET_BITS);
    return vertx.executeBlocking(() -> new String[] {hasher.hash(password), hasher.hash(challenge)}, false)
        .compose(hashes -> credentials.replace(new MqttCredential(deviceId, deviceId, hashes[0], requestId, now))
            .compose(ignored -> challenges.issue(EstChallenge.issue(deviceId, hashes[1], requestId, challengeExpiry))))
        .map(ignored -> deviceConfig.build(deviceId, tenant, password, challenge, challengeExpiry, application));
  }
}
