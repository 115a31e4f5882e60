package io.zto.provisioning;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSObject;
import com.nimbusds.jose.Payload;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.util.X509CertUtils;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import io.zto.shared.Platform;
import io.zto.shared.bus.Addresses;
import io.zto.shared.bus.BusFailure;
import io.zto.shared.bus.CommandReply;
import io.zto.shared.bus.DeliverMessage;
import io.zto.shared.bus.Topics;
import io.zto.shared.domain.AuditEvent;
import io.zto.shared.domain.Command;
import io.zto.shared.domain.Device;
import io.zto.shared.store.AuditRepository;
import io.zto.shared.store.CommandRepository;
import io.zto.shared.store.DeviceRepository;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;

/**
 * Signed remote-management commands (contract section 6): a command is signed as an ES256 JWS (header
 * {@code alg}, {@code typ: JWT}, {@code kid} = base64url SHA-256 of the command-signing certificate's DER)
 * with the command-signing key by nimbus-jose-jwt, recorded, and published at QoS 1
 * to {@code devices/{id}/commands/{commandId}} through the broker; the device's reply completes it,
 * once; a command nobody answered by its expiry is marked expired.
 */
final class CommandService {

  static final Duration DEFAULT_TTL = Duration.ofHours(1);
  static final Duration MAX_TTL = Duration.ofDays(7);

  private final Vertx vertx;
  private final Platform platform;
  private final Clock clock;
  private final CommandRepository commands;
  private final DeviceRepository devices;
  private final AuditRepository audit;
  private final JWSHeader header;

  CommandService(Vertx vertx, Platform platform, Clock clock) {
    this.vertx = vertx;
    this.platform = platform;
    this.clock = clock;
    this.commands = new CommandRepository(platform.db());
    this.devices = new DeviceRepository(platform.db());
    this.audit = new AuditRepository(platform.db());
    this.header = new JWSHeader.Builder(JWSAlgorithm.ES256).type(JOSEObjectType.JWT)
        .keyID(X509CertUtils.computeSHA256Thumbprint(platform.pki().commandSigningCertificate()).toString()).build();
  }

  /** Signs, records and sends a command to a provisioned device. */
  Future<JsonObject> create(JsonObject request) {
    String deviceId = request.getString("deviceId");
    String name = request.getString("name");
    long ttlSeconds = request.getLong("ttlSeconds", DEFAULT_TTL.toSeconds());
    if (deviceId == null || name == null || name.isBlank()) {
      return Future.failedFuture(new ProvisioningException(BusFailure.BAD_REQUEST, "a command needs a deviceId and a name"));
    }
    if (ttlSeconds < 1 || ttlSeconds > MAX_TTL.toSeconds()) {
      return Future.failedFuture(new ProvisioningException(BusFailure.BAD_REQUEST,
          "ttlSeconds must be 1.." + MAX_TTL.toSeconds() + ", got " + ttlSeconds));
    }
    return devices.get(deviceId).compose(device -> {
      if (device.isEmpty()) {
        throw new ProvisioningException(BusFailure.NOT_FOUND, "no device with id '" + deviceId + "'");
      }
      if (device.get().state() != Device.State.PROVISIONED) {
        throw new ProvisioningException(BusFailure.CONFLICT, "device " + deviceId + " is "
            + device.get().state().name().toLowerCase() + "; commands go to provisioned devices only");
      }
      return send(deviceId, name, request.getJsonObject("args", new JsonObject()), Duration.ofSeconds(ttlSeconds),
          request.getString("actor", "operator"));
    });
  }

  private Future<JsonObject> send(String deviceId, String name, JsonObject args, Duration ttl, String actor) {
    Instant now = clock.instant();
    String id = UUID.randomUUID().toString();
    Instant expiresAt = now.plus(ttl);
    JsonObject claims = new JsonObject().put("deviceId", deviceId).put("commandId", id).put("name", name)
        .put("args", args).put("iat", now.getEpochSecond()).put("exp", expiresAt.getEpochSecond());
    return vertx.executeBlocking(() -> sign(claims), false)
        .compose(jws -> commands.create(Command.create(id, deviceId, name, args, jws, actor, expiresAt))
            .map(command -> {
              vertx.eventBus().publish(Addresses.BROKER_DELIVER, new DeliverMessage(Topics.command(deviceId, id),
                  Buffer.buffer(jws), 1, false, new JsonObject().put("contentType", "application/jose")
                      .put("messageExpiryInterval", ttl.toSeconds())).toJson());
              return command;
            }))
        .compose(command -> commands.markSent(id, clock.instant()))
        .compose(sent -> audit.append(AuditEvent.succeeded(actor, "command.send", deviceId)
            .withDetails(new JsonObject().put("commandId", id).put("name", name)).withNode(platform.nodeId())))
        .compose(ignored -> commands.get(id))
        .map(command -> command.orElseThrow().toJson());
  }

  /** The JWS compact serialization of {@code claims}, signed with the command-signing key (P-256). */
  private String sign(JsonObject claims) throws JOSEException {
    JWSObject jws = new JWSObject(header, new Payload(claims.encode()));
    jws.sign(new ECDSASigner(platform.pki().commandSigningKey(), Curve.P_256));
    return jws.serialize();
  }

  /** A device's reply completes its command once; replies to unknown or finished commands are audited. */
  Future<Void> reply(CommandReply reply) {
    JsonObject body;
    try {
      body = new JsonObject(reply.payload());
    } catch (DecodeException | ClassCastException e) {
      body = new JsonObject().put("status", "failed").put("result", "reply is not a JSON object: " + reply.payload());
    }
    Command.Status outcome = "failed".equalsIgnoreCase(body.getString("status", "")) ? Command.Status.FAILED
        : Command.Status.COMPLETED;
    JsonObject result = body;
    return commands.get(reply.commandId()).compose(command -> {
      if (command.isEmpty() || !command.get().deviceId().equals(reply.deviceId())) {
        return refused(reply, "reply to an unknown command");
      }
      return commands.complete(reply.commandId(), outcome, result, clock.instant())
          .compose(completed -> completed ? Future.succeededFuture() : refused(reply, "command is already finished"));
    });
  }

  /** Marks overdue commands expired. */
  Future<Void> expire() {
    return commands.expireDue(clock.instant()).mapEmpty();
  }

  private Future<Void> refused(CommandReply reply, String reason) {
    return audit.append(AuditEvent.refused(reply.deviceId(), "command.reply", reply.deviceId(), reason)
        .withDetails(new JsonObject().put("commandId", reply.commandId()))).mapEmpty();
  }
}
