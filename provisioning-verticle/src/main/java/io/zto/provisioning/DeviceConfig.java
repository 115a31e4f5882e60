package io.zto.provisioning;

import io.vertx.core.json.JsonObject;
import io.zto.shared.config.ZtoConfig;
import io.zto.shared.pki.Pem;
import io.zto.shared.pki.PlatformPki;
import java.time.Instant;

/** The device config of contract section 4, as sent once with the device's fresh secrets. */
final class DeviceConfig {

  private final ZtoConfig config;
  private final String rootPem;
  private final String commandCertificatePem;

  DeviceConfig(ZtoConfig config, PlatformPki pki) {
    this.config = config;
    this.rootPem = pki.rootPem();
    this.commandCertificatePem = Pem.encode(pki.commandSigningCertificate());
  }

  JsonObject build(String deviceId, String tenant, String mqttPassword, String challenge, Instant challengeExpiresAt,
                   JsonObject application) {
    return new JsonObject()
        .put("deviceId", deviceId)
        .put("tenant", tenant)
        .put("est", new JsonObject()
            .put("url", config.estUrl())
            .put("challengePassword", challenge)
            .put("expiresAt", challengeExpiresAt.toString())
            .put("trustAnchors", rootPem))
        .put("mqtt", new JsonObject()
            .put("url", config.mqttOperationalUrl())
            .put("clientId", deviceId)
            .put("username", deviceId)
            .put("password", mqttPassword)
            .put("trustAnchors", rootPem))
        .put("commandVerification", new JsonObject()
            .put("certificate", commandCertificatePem)
            .put("algorithm", "ES256"))
        .put("application", application == null ? new JsonObject() : application.copy());
  }
}
