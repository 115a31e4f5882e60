package io.zto.shared.pki;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.json.JsonObject;
import io.zto.shared.testing.TestPki;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.junit.jupiter.api.Test;

class JwsTest {

  private final PlatformPki pki = TestPki.shared();

  @Test
  void signedCommandVerifiesWithTheCommandCertificate() {
    JsonObject claims = new JsonObject().put("deviceId", "dev-1").put("name", "reboot");
    String kid = Jws.thumbprint(pki.commandSigningCertificate());
    String jws = Jws.sign(claims, kid, pki.commandSigningKey());
    assertThat(Jws.verify(jws, pki.commandSigningCertificate().getPublicKey())).isEqualTo(claims);
    JsonObject header = new JsonObject(new String(Base64.getUrlDecoder().decode(jws.split("\\.")[0]),
        StandardCharsets.UTF_8));
    assertThat(header.getString("alg")).isEqualTo("ES256");
    assertThat(header.getString("kid")).isEqualTo(kid).hasSize(43);
    // raw R||S, 64 bytes, as JWS wants
    assertThat(Base64.getUrlDecoder().decode(jws.split("\\.")[2])).hasSize(64);
  }

  @Test
  void tamperedClaimsOrAnotherKeyDoNotVerify() {
    String jws = Jws.sign(new JsonObject().put("name", "reboot"), "k", pki.commandSigningKey());
    String[] parts = jws.split("\\.");
    String forged = parts[0] + "." + Base64.getUrlEncoder().withoutPadding()
        .encodeToString("{\"name\":\"wipe\"}".getBytes(StandardCharsets.UTF_8)) + "." + parts[2];
    assertThatThrownBy(() -> Jws.verify(forged, pki.commandSigningCertificate().getPublicKey()))
        .hasMessageContaining("does not verify");
    assertThatThrownBy(() -> Jws.verify(jws, pki.issuingCertificate().getPublicKey()))
        .hasMessageContaining("does not verify");
    assertThatThrownBy(() -> Jws.verify("a.b", pki.issuingCertificate().getPublicKey()))
        .hasMessageContaining("three");
  }
}
