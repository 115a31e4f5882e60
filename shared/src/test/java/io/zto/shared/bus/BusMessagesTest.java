package io.zto.shared.bus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.json.JsonObject;
import io.zto.shared.testing.Await;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** Bus messages are plain JSON, so they survive the wire of a clustered event bus unchanged. */
class BusMessagesTest {

  @Test
  void messagesSurviveEncodingToTheWireAndBack() {
    ProvisioningRequestMessage request = new ProvisioningRequestMessage("dev-1", "r-1", "PEM", null,
        new JsonObject().put("fw", "1.2"), "node-a", "eyJhbGciOiJFUzI1NiJ9.e30.c2ln");
    DeliverMessage deliver = new DeliverMessage("zto/v1/dev-1/provision/response", Buffer.buffer(new byte[] {0, 1, (byte) 255}),
        1, false, new JsonObject().put("contentType", "application/json"));
    RevocationEvent revocation = new RevocationEvent(RevocationEvent.Kind.CERTIFICATE, RevocationEvent.Action.BLOCKED,
        "0a1b", "ff00", "dev-1", "keyCompromise", Instant.parse("2026-11-28T05:00:00Z"));
    DropSessions drop = new DropSessions("dev-1", null, "disabled by operator");
    HealthReport health = HealthReport.up("broker", new JsonObject().put("sessions", 3));
    SessionClaim claim = new SessionClaim("dev-1", "node-b", true);
    RevocationRequest revoke = RevocationRequest.revokeCertificate("0a1b", "keyCompromise", "admin");
    RevocationRequest announce = RevocationRequest.announceRevoked(java.util.List.of("0a1b", "0c"), "dev-1");

    assertThat(ProvisioningRequestMessage.fromJson(wire(request.toJson()))).isEqualTo(request);
    DeliverMessage decoded = DeliverMessage.fromJson(wire(deliver.toJson()));
    assertThat(decoded.payload().getBytes()).isEqualTo(deliver.payload().getBytes());
    assertThat(decoded.topic()).isEqualTo(deliver.topic());
    assertThat(decoded.properties()).isEqualTo(deliver.properties());
    assertThat(RevocationEvent.fromJson(wire(revocation.toJson()))).isEqualTo(revocation);
    assertThat(DropSessions.fromJson(wire(drop.toJson()))).isEqualTo(drop);
    assertThat(HealthReport.fromJson(wire(health.toJson()))).isEqualTo(health);
    assertThat(SessionClaim.fromJson(wire(claim.toJson()))).isEqualTo(claim);
    assertThat(RevocationRequest.fromJson(wire(revoke.toJson()))).isEqualTo(revoke);
    assertThat(RevocationRequest.fromJson(wire(announce.toJson()))).isEqualTo(announce);
    assertThat(SessionClaim.fromJson(wire(SessionClaim.probe("node-a").toJson())).isProbe()).isTrue();
  }

  @Test
  void incompleteMessagesAreRefusedWithAReason() {
    assertThatThrownBy(() -> new DropSessions(null, null, "x")).hasMessageContaining("name a device or a certificate");
    assertThatThrownBy(() -> new DeliverMessage("t", Buffer.buffer(), 3, false, null)).hasMessageContaining("qos");
    assertThatThrownBy(() -> new RevocationEvent(RevocationEvent.Kind.DEVICE, RevocationEvent.Action.BLOCKED,
        null, null, null, null, Instant.now())).hasMessageContaining("deviceId");
    assertThatThrownBy(() -> RevocationRequest.fromJson(new JsonObject().put("action", "revoke-certificate")))
        .hasMessageContaining("revoke-certificate needs a subject");
    assertThatThrownBy(() -> RevocationRequest.fromJson(new JsonObject().put("action", "burn")))
        .hasMessageContaining("unknown revocation action 'burn'");
    assertThatThrownBy(() -> RevocationRequest.announceRevoked(java.util.List.of(), "x"))
        .hasMessageContaining("needs the serials");
  }

  @Test
  void failureCodesOfConsumersBecomeHttpStatuses() {
    Vertx vertx = Vertx.vertx();
    try {
      // GIVEN a consumer that refuses with 403
      vertx.eventBus().consumer("test.refuse", msg -> msg.fail(BusFailure.FORBIDDEN, "device is disabled"));
      // WHEN asked THEN the caller sees 403 and the text
      Throwable refused = Await.failure(vertx.eventBus().request("test.refuse", "x"));
      assertThat(BusFailure.status(refused)).isEqualTo(403);
      assertThat(refused).hasMessage("device is disabled");
      // AND nobody listening is 503
      assertThat(BusFailure.status(Await.failure(vertx.eventBus().request("test.nobody", "x")))).isEqualTo(503);
      assertThat(BusFailure.status(new ReplyException(ReplyFailure.RECIPIENT_FAILURE, 42, "odd"))).isEqualTo(500);
    } finally {
      Await.result(vertx.close());
    }
  }

  private static JsonObject wire(JsonObject json) {
    return new JsonObject(json.toBuffer());
  }
}
