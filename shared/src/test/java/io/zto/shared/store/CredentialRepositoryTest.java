package io.zto.shared.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.zto.shared.domain.MqttCredential;
import io.zto.shared.testing.Await;
import io.zto.shared.testing.BackendTest;
import java.time.Instant;

class CredentialRepositoryTest {

  private static final Instant T1 = Instant.parse("2026-11-28T04:00:00Z");

  @BackendTest
  void replacingACredentialDropsTheOldHashAtOnce(Database db) {
    CredentialRepository creds = new CredentialRepository(db);
    // GIVEN dev-1's first credential
    Await.result(creds.replace(new MqttCredential("dev-1", "dev-1", "hash-1", "req-1", T1)));
    // WHEN re-provisioning replaces it
    MqttCredential second = new MqttCredential("dev-1", "dev-1", "hash-2", "req-2", T1.plusSeconds(5));
    Await.result(creds.replace(second));
    // THEN only the new hash is stored, found by device and by username
    assertThat(Await.result(creds.get("dev-1"))).contains(second);
    assertThat(Await.result(creds.findByUsername("dev-1"))).contains(second);
    assertThat(Await.result(db.query("SELECT COUNT(*) AS n FROM credentials WHERE password_hash = 'hash-1'",
        io.vertx.sqlclient.Tuple.tuple())).iterator().next().getLong("n")).isZero();
  }

  @BackendTest
  void usernameOfAnotherDeviceIsAConflict(Database db) {
    CredentialRepository creds = new CredentialRepository(db);
    // GIVEN dev-1 uses username u
    Await.result(creds.replace(new MqttCredential("dev-1", "u", "h", null, T1)));
    // WHEN dev-2 claims u THEN a duplicate naming it, and dev-2 has nothing
    assertThat(Await.failure(creds.replace(new MqttCredential("dev-2", "u", "h", null, T1))))
        .isInstanceOf(DuplicateKeyException.class).hasMessageContaining("'u'");
    assertThat(Await.result(creds.get("dev-2"))).isEmpty();
  }

  @BackendTest
  void deletedCredentialNoLongerAuthenticates(Database db) {
    CredentialRepository creds = new CredentialRepository(db);
    Await.result(creds.replace(new MqttCredential("dev-1", "dev-1", "h", null, T1)));
    // WHEN deleted THEN not found by username; a second delete finds nothing
    assertThat(Await.result(creds.delete("dev-1"))).isTrue();
    assertThat(Await.result(creds.findByUsername("dev-1"))).isEmpty();
    assertThat(Await.result(creds.delete("dev-1"))).isFalse();
  }
}
