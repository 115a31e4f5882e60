package io.zto.provisioning;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import io.zto.shared.Platform;
import io.zto.shared.bus.Addresses;
import io.zto.shared.bus.ProvisioningRequestMessage;
import io.zto.shared.config.ZtoConfig;
import io.zto.shared.domain.Activation;
import io.zto.shared.domain.Enrollment;
import io.zto.shared.domain.TrustAnchor;
import io.zto.shared.pki.Fingerprints;
import io.zto.shared.pki.Pem;
import io.zto.shared.store.CredentialRepository;
import io.zto.shared.store.Database;
import io.zto.shared.store.EnrollmentRepository;
import io.zto.shared.store.TrustAnchorRepository;
import io.zto.shared.testing.Await;
import io.zto.shared.testing.Backend;
import io.zto.shared.testing.DeviceIdentities;
import io.zto.shared.testing.DeviceIdentity;
import io.zto.shared.testing.TestPki;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** A requestId is answered again only within its window; replayed later it is refused, secrets untouched. */
@ExtendWith(VertxExtension.class)
class RequestIdWindowTest {

  @Test
  void requestIdReplayedAfterItsWindowIsRefusedAndChangesNothing(Vertx vertx) throws Exception {
    // GIVEN a window of one second and a provisioned device
    DeviceIdentities factory = DeviceIdentities.create();
    Database db = Await.result(Backend.SQLITE.open(vertx));
    try {
      Await.result(new TrustAnchorRepository(db).create(TrustAnchor.create("customer", TrustAnchor.Purpose.LDEVID,
          factory.ldevidCaPem(), Fingerprints.sha256(factory.ldevidCa()),
          factory.ldevidCa().getSubjectX500Principal().getName(), factory.ldevidCa().getNotAfter().toInstant())));
      Await.result(new EnrollmentRepository(db).create(Enrollment.create(null, "dev-1", null, null, null,
          Activation.auto())));
      Platform platform = new Platform(ZtoConfig.of(Map.of("provisioning.requestIdWindow", "1s")), db,
          TestPki.shared(), new SimpleMeterRegistry(), "node-test");
      Await.result(vertx.deployVerticle(new ProvisioningVerticle(platform)));
      DeviceIdentity device = factory.ldevid("dev-1");
      assertThat(ask(vertx, device).getString("status")).isEqualTo("provisioned");
      String hash = Await.result(new CredentialRepository(db).get("dev-1")).orElseThrow().passwordHash();
      // WHEN the same requestId comes back after the window
      Thread.sleep(1_500);
      JsonObject late = ask(vertx, device);
      // THEN it is refused with the reason, and the device's credentials are the ones it had
      assertThat(late.getString("status")).isEqualTo("rejected");
      assertThat(late.getString("reason")).contains("was used at", "send a new requestId");
      assertThat(late.containsKey("config")).isFalse();
      assertThat(Await.result(new CredentialRepository(db).get("dev-1")).orElseThrow().passwordHash()).isEqualTo(hash);
    } finally {
      Await.result(db.close());
    }
  }

  private static JsonObject ask(Vertx vertx, DeviceIdentity device) {
    return Await.result(vertx.eventBus().<JsonObject>request(Addresses.PROVISIONING_REQUEST,
        new ProvisioningRequestMessage("dev-1", "r-1", Pem.encode(device.certificate()), null, null, "n").toJson()))
        .body();
  }
}
