package io.zto.broker;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.zto.shared.config.ZtoConfig;
import io.zto.shared.security.SecretHasher;
import io.zto.shared.testing.TestPki;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Service accounts from the configuration on a plain listener without anonymous access. */
class ServiceAccountTest {

  @TempDir
  static Path dataDir;
  static TestBroker broker;

  @BeforeAll
  static void start() {
    JsonObject account = new JsonObject().put("username", "backend")
        .put("passwordHash", SecretHasher.argon2id().hash("backend-password"))
        .put("allow", new JsonArray().add("devices/+/telemetry"));
    JsonObject mqtt = new JsonObject().put("host", "127.0.0.1")
        .put("plain", new JsonObject().put("enabled", true).put("port", 0).put("allowAnonymous", false))
        .put("operational", new JsonObject().put("port", 0)).put("provisioning", new JsonObject().put("port", 0))
        .put("serviceAccounts", new JsonArray().add(account));
    broker = TestBroker.start(TestPki.create(dataDir.resolve("data")),
        ZtoConfig.fromJson(new JsonObject().put("mqtt", mqtt)));
  }

  @AfterAll
  static void stop() {
    broker.close();
  }

  private static List<JsonObject> login(String user, String password) {
    Clients.Run run = Clients.python("mqtt5_client.py", "login", "127.0.0.1", String.valueOf(broker.plainPort()), user,
        password).await();
    assertThat(run.exit()).as(run.out() + run.err()).isZero();
    return run.lines().stream().map(JsonObject::new).toList();
  }

  @Test
  void aServiceAccountSubscribesWithinItsFiltersOnly() {
    // WHEN the account logs in and subscribes inside and outside its allowed filter
    List<JsonObject> lines = login("backend", "backend-password");
    // THEN CONNACK 0; its filter and a shared subscription on it are granted QoS 1; wider or other filters get 0x87
    assertThat(lines.get(0).getInteger("connack")).isZero();
    JsonObject subs = lines.get(1);
    assertThat(subs.getJsonArray("allowed").getList()).containsExactly(1);
    assertThat(subs.getJsonArray("shared").getList()).containsExactly(1);
    assertThat(subs.getJsonArray("denied").getList()).containsExactly(0x87);
    assertThat(subs.getJsonArray("wider").getList()).containsExactly(0x87);
  }

  @Test
  void aWrongPasswordIsRefusedWithBadUsernameOrPassword() {
    assertThat(login("backend", "wrong").get(0).getInteger("connack")).isEqualTo(0x86);
    assertThat(login("nobody", "x").get(0).getInteger("connack")).isEqualTo(0x86);
  }

  @Test
  void anonymousClientsAreNotAuthorized() {
    Clients.Run run = Clients.run("mosquitto_pub", "-h", "127.0.0.1", "-p", String.valueOf(broker.plainPort()),
        "-V", "mqttv311", "-t", "x", "-m", "x");
    assertThat(run.err()).containsIgnoringCase("not authorised");
  }
}
