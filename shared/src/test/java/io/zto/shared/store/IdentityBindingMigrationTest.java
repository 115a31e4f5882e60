package io.zto.shared.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.sqlclient.Tuple;
import io.zto.shared.domain.Device;
import io.zto.shared.testing.Await;
import io.zto.shared.testing.BackendTest;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * V008's backfill on both back ends: devices provisioned before identity binding existed are bound to
 * the LDevID they were provisioned with; others (waiting, unknown, never provisioned) stay unbound.
 */
class IdentityBindingMigrationTest {

  @BackendTest
  void provisionedDevicesAreBoundToTheirLdevidAndOthersAreNot(Database db) throws IOException {
    DeviceRepository devices = new DeviceRepository(db);
    // GIVEN devices as V007 left them: one provisioned, one pending a re-provisioning with another LDevID,
    // one unknown, none bound
    Await.result(devices.upsert(Device.seen("dev-p", "default", Device.State.PROVISIONED).withLdevid("fp-p", "01", "CN=A")));
    Device pending = Device.seen("dev-w", "default", Device.State.PROVISIONED).withLdevid("fp-old", "02", "CN=A");
    Await.result(devices.upsert(pending));
    Await.result(devices.upsert(Device.seen("dev-w", "default", Device.State.PENDING).withLdevid("fp-new", "03", "CN=B")));
    Await.result(devices.upsert(Device.seen("dev-u", "default", Device.State.UNKNOWN).withLdevid("fp-u", "04", "CN=C")));
    Await.result(db.update("UPDATE devices SET bound_ldevid_fingerprint = NULL, bound_at = NULL", Tuple.tuple()));
    // WHEN V008's backfill runs
    Await.result(db.update(backfill(), Tuple.tuple()));
    // THEN only the provisioned device is bound, to its LDevID, since it was provisioned
    Device p = Await.result(devices.get("dev-p")).orElseThrow();
    assertThat(p.binding().ldevidFingerprint()).isEqualTo("fp-p");
    assertThat(p.binding().anchorFingerprint()).isNull();
    assertThat(p.binding().boundAt()).isEqualTo(p.provisionedAt());
    assertThat(Await.result(devices.get("dev-w")).orElseThrow().binding()).isNull();
    assertThat(Await.result(devices.get("dev-u")).orElseThrow().binding()).isNull();
  }

  /** The UPDATE statement of V008, as the migration runs it. */
  private static String backfill() throws IOException {
    try (InputStream in = IdentityBindingMigrationTest.class.getClassLoader()
        .getResourceAsStream("db/migration/V008__identity_binding.sql")) {
      String text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      return Arrays.stream(text.split(";\\s*\\n")).map(String::strip)
          .map(statement -> statement.lines().filter(line -> !line.strip().startsWith("--"))
              .reduce((a, b) -> a + "\n" + b).orElse(""))
          .filter(statement -> statement.startsWith("UPDATE devices"))
          .findFirst().orElseThrow();
    }
  }
}
