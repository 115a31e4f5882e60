package io.zto.provisioning;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSObject;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import io.zto.shared.Platform;
import io.zto.shared.bus.Addresses;
import io.zto.shared.bus.DeliverMessage;
import io.zto.shared.config.ZtoConfig;
import io.zto.shared.domain.Device;
import io.zto.shared.pki.KeyPairs;
import io.zto.shared.pki.PlatformPki;
import io.zto.shared.store.CommandRepository;
import io.zto.shared.store.Database;
import io.zto.shared.store.DeviceRepository;
import io.zto.shared.testing.Await;
import io.zto.shared.testing.Backend;
import io.zto.shared.testing.TestPki;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.interfaces.ECPublicKey;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The wire format of a signed command (contract section 6), checked with nimbus-jose-jwt and the JDK
 * independently of how {@link CommandService} makes it: header ES256, typ JWT and kid = base64url SHA-256
 * of the command-signing certificate; raw R||S signature; the claims; the same JWS recorded and published.
 */
@ExtendWith(VertxExtension.class)
class CommandSigningTest {

  private static final Instant NOW = Instant.parse("2026-12-06T07:00:00Z");
  private static final PlatformPki PKI = TestPki.shared();

  private Database db;
  private CommandService service;

  @BeforeEach
  void open(Vertx vertx) {
    db = Await.result(Backend.SQLITE.open(vertx));
    Platform platform = new Platform(ZtoConfig.of(Map.of()), db, PKI, new SimpleMeterRegistry(), "node-a");
    service = new CommandService(vertx, platform, Clock.fixed(NOW, ZoneOffset.UTC));
    Await.result(new DeviceRepository(db).upsert(Device.seen("gw-1", "default", Device.State.PROVISIONED)));
  }

  @AfterEach
  void close() {
    Await.result(db.close());
  }

  @Test
  void aCommandIsAnEs256JwsOfTheCommandKeyWithTheContractsHeaderAndClaims(Vertx vertx) throws Exception {
    // GIVEN the broker's delivery address watched
    BlockingQueue<DeliverMessage> delivered = new LinkedBlockingQueue<>();
    Await.result(vertx.eventBus().<JsonObject>consumer(Addresses.BROKER_DELIVER,
        message -> delivered.add(DeliverMessage.fromJson(message.body()))).completion());
    // WHEN an operator sends a command with a 10-minute lifetime
    JsonObject command = Await.result(service.create(new JsonObject().put("deviceId", "gw-1").put("name", "reboot")
        .put("args", new JsonObject().put("delay", 5)).put("ttlSeconds", 600)));
    // THEN the broker is asked to publish the JWS on the command's topic
    DeliverMessage message = delivered.poll(10, TimeUnit.SECONDS);
    assertThat(message).isNotNull();
    String id = command.getString("id");
    assertThat(message.topic()).isEqualTo("devices/gw-1/commands/" + id);
    String compact = message.payload().toString();
    // AND its header is ES256, typ JWT, kid the certificate's SHA-256 thumbprint, nothing else
    JWSObject jws = JWSObject.parse(compact);
    assertThat(jws.getHeader().getAlgorithm()).isEqualTo(JWSAlgorithm.ES256);
    assertThat(jws.getHeader().getType()).isEqualTo(JOSEObjectType.JWT);
    String thumbprint = Base64.getUrlEncoder().withoutPadding().encodeToString(
        MessageDigest.getInstance("SHA-256").digest(PKI.commandSigningCertificate().getEncoded()));
    assertThat(jws.getHeader().getKeyID()).isEqualTo(thumbprint).hasSize(43);
    assertThat(new JsonObject(new String(Base64.getUrlDecoder().decode(compact.split("\\.")[0]), StandardCharsets.UTF_8))
        .fieldNames()).containsExactlyInAnyOrder("alg", "typ", "kid");
    // AND the signature is raw R||S that verifies with the command certificate and no other key
    assertThat(jws.getSignature().decode()).hasSize(64);
    assertThat(jws.verify(new ECDSAVerifier((ECPublicKey) PKI.commandSigningCertificate().getPublicKey()))).isTrue();
    assertThat(jws.verify(new ECDSAVerifier((ECPublicKey) KeyPairs.ecP256().getPublic()))).isFalse();
    // AND the claims are those of contract section 6
    JsonObject claims = new JsonObject(jws.getPayload().toString());
    assertThat(claims.getString("deviceId")).isEqualTo("gw-1");
    assertThat(claims.getString("commandId")).isEqualTo(id);
    assertThat(claims.getString("name")).isEqualTo("reboot");
    assertThat(claims.getJsonObject("args").getInteger("delay")).isEqualTo(5);
    assertThat(claims.getLong("iat")).isEqualTo(NOW.getEpochSecond());
    assertThat(claims.getLong("exp")).isEqualTo(NOW.plusSeconds(600).getEpochSecond());
    // AND the command record holds the very JWS that was published
    assertThat(Await.result(new CommandRepository(db).get(id)).orElseThrow().jws()).isEqualTo(compact);
  }
}
