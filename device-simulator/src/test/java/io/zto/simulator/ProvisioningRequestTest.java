package io.zto.simulator;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jwt.SignedJWT;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import io.zto.shared.pki.FactoryCa;
import io.zto.shared.testing.Await;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** What the device agent publishes as its provisioning request (contract sections 4 and 9). */
@ExtendWith(VertxExtension.class)
class ProvisioningRequestTest {

  private static final Instant NOW = Instant.parse("2026-12-06T07:00:00Z");
  private static final FactoryCa MANUFACTURER = FactoryCa.create("Request Test IDevID CA", "Test");
  private static final FactoryCa CUSTOMER = FactoryCa.create("Request Test LDevID CA", "Test");

  private final FactoryCa.Issued ldevid = CUSTOMER.ldevid("gw-5");
  private final Tls tls = new Tls(List.of(ldevid.certificate()), ldevid.keyPair().getPrivate(), null);
  private final FactoryConfig factory = new FactoryConfig("gw-5", "mqtts://localhost:8884", "u", "p", null, null,
      null, null, null);

  @Test
  void aDeviceWithAnIdevidSendsAProofBoundToTheRequestAndNeverTheBareCertificate(Vertx vertx) throws Exception {
    // GIVEN a device with an IDevID
    FactoryCa.Issued idevid = MANUFACTURER.idevid("SN-5", "HW-5");
    ProvisioningClient client = new ProvisioningClient(vertx, factory, tls,
        new Idevid(idevid.keyPair().getPrivate(), List.of(idevid.certificate())), Clock.fixed(NOW, ZoneOffset.UTC));
    // WHEN it makes request r-5
    JsonObject request = Await.result(client.request("r-5"));
    // THEN it carries idevidProof and no idevid field
    assertThat(request.fieldNames()).containsExactlyInAnyOrder("requestId", "idevidProof", "info");
    assertThat(request.getString("requestId")).isEqualTo("r-5");
    // AND the proof verifies with the IDevID in its x5c and names this request, device and LDevID
    SignedJWT proof = SignedJWT.parse(request.getString("idevidProof"));
    assertThat(IdevidProofTest.verifies(proof, IdevidProofTest.leafOf(proof).getPublicKey())).isTrue();
    assertThat(IdevidProofTest.leafOf(proof)).isEqualTo(idevid.certificate());
    assertThat(proof.getJWTClaimsSet().getStringClaim("requestId")).isEqualTo("r-5");
    assertThat(proof.getJWTClaimsSet().getStringClaim("deviceId")).isEqualTo("gw-5");
    assertThat(proof.getJWTClaimsSet().getStringClaim("ldevidFingerprint"))
        .isEqualTo(IdevidProofTest.sha256Hex(ldevid.certificate().getEncoded()));
    assertThat(proof.getJWTClaimsSet().getIssueTime().toInstant()).isEqualTo(NOW);
  }

  @Test
  void aDeviceWithoutAnIdevidSendsNoEvidence(Vertx vertx) {
    ProvisioningClient client = new ProvisioningClient(vertx, factory, tls, null, Clock.systemUTC());
    JsonObject request = Await.result(client.request("r-6"));
    assertThat(request.fieldNames()).containsExactlyInAnyOrder("requestId", "info");
  }
}
