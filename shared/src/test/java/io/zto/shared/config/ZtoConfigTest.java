package io.zto.shared.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ZtoConfigTest {

  @TempDir
  Path dir;

  @Test
  void defaultsResolveDerivedValues() {
    // GIVEN nothing configured WHEN building the records
    ZtoConfig c = ZtoConfig.defaults();
    // THEN values derived from other keys are resolved
    assertThat(c.node().dataDir()).isEqualTo(Path.of("./zto-data"));
    assertThat(c.http().publicBaseUrl()).isEqualTo("http://localhost:8080");
    assertThat(c.http().crlUrl("issuing")).isEqualTo("http://localhost:8080/crl/issuing.crl");
    assertThat(c.db().isEmbedded()).isTrue();
    assertThat(c.db().sqlitePath()).isEqualTo(Path.of("./zto-data/zto.db"));
    assertThat(c.db().jdbcUrl()).isEqualTo("jdbc:sqlite:./zto-data/zto.db");
    assertThat(c.pki().keystore()).isEqualTo(Path.of("./zto-data/ca.p12"));
    assertThat(c.provisioning().challengeTtl()).isEqualTo(Duration.ofMinutes(30));
    assertThat(c.mqtt().maxMessageSize()).isEqualTo(262_144);
    assertThat(c.mqtt().plain()).isEqualTo(new MqttConfig.PlainListener(false, 1883, false));
    assertThat(c.estUrl()).isEqualTo("https://localhost:8443/.well-known/est");
    assertThat(c.mqttOperationalUrl()).isEqualTo("mqtts://localhost:8883");
    assertThat(c.mqttProvisioningUrl()).isEqualTo("mqtts://localhost:8884");
  }

  @Test
  void publicHostAndPortFeedTheDerivedBaseUrlUnlessItIsConfigured() {
    // GIVEN an IPv6 public host and a custom port
    ZtoConfig derived = ZtoConfig.of(Map.of("publicHost", "2001:db8::1", "http.port", "9000"));
    // WHEN reading the base URL THEN it is built with brackets
    assertThat(derived.http().publicBaseUrl()).isEqualTo("http://[2001:db8::1]:9000");
    // AND a configured one wins, without trailing slash
    ZtoConfig configured = ZtoConfig.of(Map.of("http.publicBaseUrl", "https://pki.example.com/zto/"));
    assertThat(configured.http().crlUrl("root")).isEqualTo("https://pki.example.com/zto/crl/root.crl");
  }

  @Test
  void postgresUrlIsKeptAndRedactedInToString() {
    // GIVEN a PostgreSQL URL with a password
    DbConfig db = ZtoConfig.of(Map.of("db.url", "postgresql://zto:s3cret@db.example:5432/zto")).db();
    // WHEN inspecting THEN it is not embedded and its password never shows in toString
    assertThat(db.isEmbedded()).isFalse();
    assertThat(db.url()).isEqualTo("postgresql://zto:s3cret@db.example:5432/zto");
    assertThat(db.toString()).doesNotContain("s3cret").contains("zto:***@db.example");
    assertThatThrownBy(db::sqlitePath).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void clusterMembersParseWithTheDefaultPort() {
    // GIVEN members with and without ports, including IPv6
    ClusterConfig cluster = ZtoConfig.of(Map.of("cluster.members", "a.example, b.example:6000,[::1]:7000,[fe80::1]")).cluster();
    // WHEN resolving THEN the cluster port fills in
    assertThat(cluster.memberAddresses()).containsExactly(new ClusterConfig.Member("a.example", 5701),
      new ClusterConfig.Member("b.example", 6000), new ClusterConfig.Member("::1", 7000),
      new ClusterConfig.Member("fe80::1", 5701));
    // AND a bad member is refused at load time
    assertThatThrownBy(() -> ZtoConfig.of(Map.of("cluster.members", "a:b")))
      .hasMessage("--set cluster.members: 'a:b' is not host[:port]: 'b' is not a port (1-65535, or 0 for any free port)");
  }

  @Test
  void jsonRoundTripOfDefaultsIsEqual() {
    // GIVEN the defaults
    ZtoConfig original = ZtoConfig.defaults();
    // WHEN going to JSON, through the wire form, and back
    ZtoConfig copy = ZtoConfig.fromJson(new JsonObject(original.toJson().encode()));
    // THEN it is equal
    assertThat(copy).isEqualTo(original);
  }

  @Test
  void jsonRoundTripOfACustomisedConfigIsEqual() throws IOException {
    // GIVEN a config touching every kind of value, including service accounts
    Path file = Files.writeString(dir.resolve("zto.yaml"), """
      dataDir: /var/lib/zto
      publicHost: gw.example.com
      roles: [est, broker]
      http: {port: 9000, publicBaseUrl: "https://x.example"}
      est: {certificateValidity: 1h30m, maxBodySize: 1000001}
      mqtt:
        plain: {enabled: true, allowAnonymous: true}
        sessionExpiryMax: PT36H
        serviceAccounts:
          - {username: app, passwordHash: "$h$", allow: [devices/+/telemetry]}
          - {username: svc, passwordHash: "$h2$", publish: [backend/out/#], subscribe: [devices/+/telemetry],
             allow: [backend/both]}
      db.url: postgres://u:p@db:5432/zto
      cluster: {enabled: true, members: "n1,n2:5702", secretFile: /run/secrets/zto-cluster, leaseTtl: 20s}
      pki.keystore: /etc/zto/ca.p12
      log.level: DEBUG
      """);
    ZtoConfig original = new ConfigLoader().file(file).load().toZtoConfig();
    // WHEN round-tripping through encoded JSON
    JsonObject json = new JsonObject(original.toJson().encode());
    ZtoConfig copy = ZtoConfig.fromJson(json);
    // THEN it is equal, and the JSON reads like a config file
    assertThat(copy).isEqualTo(original);
    // AND an old-style allow list counts for publishing and subscribing, next to separate lists
    assertThat(copy.mqtt().serviceAccounts()).containsExactly(
      new MqttConfig.ServiceAccount("app", "$h$", List.of("devices/+/telemetry"), List.of("devices/+/telemetry")),
      new MqttConfig.ServiceAccount("svc", "$h2$", List.of("backend/out/#", "backend/both"),
        List.of("devices/+/telemetry", "backend/both")));
    assertThat(json.getJsonObject("est").getString("certificateValidity")).isEqualTo("90m");
    assertThat(json.getJsonObject("mqtt").getString("maxMessageSize")).isEqualTo("256KiB");
    assertThat(json.getJsonObject("mqtt").getJsonObject("plain").getBoolean("enabled")).isTrue();
    assertThat(json.getString("dataDir")).isEqualTo("/var/lib/zto");
    assertThat(copy.log().level()).isEqualTo("debug");
  }

  @Test
  void invalidJsonConfigIsReportedAsDeploymentConfig() {
    // GIVEN a deployment config with a bad value
    JsonObject json = ZtoConfig.defaults().toJson();
    json.getJsonObject("http").put("port", "eighty");
    // WHEN reading it THEN the problem names the source
    assertThatThrownBy(() -> ZtoConfig.fromJson(json))
      .hasMessage("deployment config: http.port: 'eighty' is not a port (1-65535, or 0 for any free port)");
  }

  @Test
  void everyKeyAppearsInTheJsonForm() {
    // GIVEN the JSON of the defaults WHEN looking up each key by its path THEN it is present
    JsonObject json = ZtoConfig.defaults().toJson();
    for (ConfigKey key : ConfigKeys.all()) {
      String[] segments = key.path().split("\\.");
      JsonObject parent = json;
      for (int i = 0; i < segments.length - 1; i++) {
        parent = parent.getJsonObject(segments[i]);
      }
      assertThat(parent.containsKey(segments[segments.length - 1])).as(key.path()).isTrue();
    }
  }
}
