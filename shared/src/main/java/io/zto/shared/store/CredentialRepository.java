package io.zto.shared.store;

import io.vertx.core.Future;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import io.zto.shared.domain.MqttCredential;
import java.util.Optional;

/** Operational MQTT credentials: one per device, replaced as a whole on re-provisioning. */
public final class CredentialRepository {

  private static final String COLUMNS = "device_id, username, password_hash, request_id, created_at";
  private static final String UPSERT = "INSERT INTO credentials (" + COLUMNS + ") VALUES ($1, $2, $3, $4, $5)"
      + " ON CONFLICT (device_id) DO UPDATE SET username = excluded.username,"
      + " password_hash = excluded.password_hash, request_id = excluded.request_id, created_at = excluded.created_at";
  private static final String GET = "SELECT " + COLUMNS + " FROM credentials WHERE device_id = $1";
  private static final String BY_USERNAME = "SELECT " + COLUMNS + " FROM credentials WHERE username = $1";
  /** Also run inside {@link DeviceRepository#retire}. */
  static final String DELETE = "DELETE FROM credentials WHERE device_id = $1";

  private final Database db;

  public CredentialRepository(Database db) {
    this.db = db;
  }

  /**
   * Sets the device's credential in one statement: from its commit on, only the new password hash is
   * stored. Fails with a {@link DuplicateKeyException} if another device has the username.
   */
  public Future<MqttCredential> replace(MqttCredential c) {
    return db.update(UPSERT, Tuple.of(c.deviceId(), c.username(), c.passwordHash(), c.requestId(),
            Rows.millis(c.createdAt())))
        .map(c)
        .recover(failure -> Future.failedFuture(failure instanceof DuplicateKeyException duplicate
            ? new DuplicateKeyException("MQTT username '" + c.username() + "' belongs to another device", duplicate)
            : failure));
  }

  public Future<Optional<MqttCredential>> get(String deviceId) {
    return db.query(GET, Tuple.of(deviceId)).map(rows -> Results.first(rows, CredentialRepository::map));
  }

  /** The credential an MQTT CONNECT names. */
  public Future<Optional<MqttCredential>> findByUsername(String username) {
    return db.query(BY_USERNAME, Tuple.of(username)).map(rows -> Results.first(rows, CredentialRepository::map));
  }

  public Future<Boolean> delete(String deviceId) {
    return db.update(DELETE, Tuple.of(deviceId)).map(rows -> rows.rowCount() > 0);
  }

  private static MqttCredential map(Row row) {
    return new MqttCredential(row.getString("device_id"), row.getString("username"), row.getString("password_hash"),
        row.getString("request_id"), Rows.instant(row, "created_at"));
  }
}
