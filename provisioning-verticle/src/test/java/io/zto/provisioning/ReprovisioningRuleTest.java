package io.zto.provisioning;

import static org.assertj.core.api.Assertions.assertThat;

import io.zto.shared.domain.Activation;
import io.zto.shared.domain.Device;
import io.zto.shared.domain.IssuedCertificate;
import io.zto.shared.domain.ReprovisionPolicy;
import io.zto.shared.domain.RevocationReason;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** The re-provisioning policy on its own: which requests it holds or refuses, and which it leaves alone. */
class ReprovisioningRuleTest {

  private static final Instant PROVISIONED_AT = Instant.parse("2026-11-28T08:00:00Z");
  private static final Device DEVICE = new Device("dev-1", "default", Device.State.PROVISIONED, null, null, null, null,
      null, null, null, "r-1", null, PROVISIONED_AT, PROVISIONED_AT, PROVISIONED_AT, null);

  @Test
  void firstProvisioningIsNotItsBusiness() {
    Activation never = Activation.auto().withReprovisionPolicy(ReprovisionPolicy.NEVER);
    assertThat(ReprovisioningRule.apply(never, "enrollment e", null, null)).isEmpty();
    assertThat(ReprovisioningRule.apply(never, "enrollment e", Device.seen("dev-1", "default", Device.State.UNKNOWN),
        null)).isEmpty();
  }

  @Test
  void allowHoldsOnlyAKeyCompromiseSinceTheLastProvisioning() {
    Activation allow = Activation.auto();
    assertThat(ReprovisioningRule.apply(allow, "enrollment e", DEVICE, null)).isEmpty();
    assertThat(ReprovisioningRule.apply(allow, "enrollment e", DEVICE,
        revoked(RevocationReason.SUPERSEDED, PROVISIONED_AT.plusSeconds(60)))).isEmpty();
    // a compromise older than the last provisioning was dealt with by the approval of that provisioning
    assertThat(ReprovisioningRule.apply(allow, "enrollment e", DEVICE,
        revoked(RevocationReason.KEY_COMPROMISE, PROVISIONED_AT.minusSeconds(60)))).isEmpty();
    var held = ReprovisioningRule.apply(allow, "enrollment e", DEVICE,
        revoked(RevocationReason.KEY_COMPROMISE, PROVISIONED_AT.plusSeconds(60))).orElseThrow();
    assertThat(held.refused()).isFalse();
    assertThat(held.reason()).contains("0a", "keyCompromise", "approval");
  }

  @Test
  void manualHoldsAndNeverRefusesEveryReprovisioning() {
    var manual = ReprovisioningRule.apply(Activation.auto().withReprovisionPolicy(ReprovisionPolicy.MANUAL),
        "enrollment group line-1", DEVICE, null).orElseThrow();
    assertThat(manual.refused()).isFalse();
    assertThat(manual.reason()).contains("reprovisionPolicy manual of enrollment group line-1");
    var never = ReprovisioningRule.apply(Activation.auto().withReprovisionPolicy(ReprovisionPolicy.NEVER),
        "enrollment e", DEVICE, null).orElseThrow();
    assertThat(never.refused()).isTrue();
    assertThat(never.reason()).contains("does not allow re-provisioning");
  }

  private static IssuedCertificate revoked(RevocationReason reason, Instant at) {
    return new IssuedCertificate("0a", "dev-1", "issuing", "CN=dev-1", "device", "pk", "fp", PROVISIONED_AT,
        PROVISIONED_AT.plusSeconds(3600), new byte[] {1}, IssuedCertificate.Status.REVOKED, at, reason, PROVISIONED_AT);
  }
}
