package io.zto.shared.store;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The broker's persistent sessions, subscriptions, queued messages and retained messages. Messages and
 * options are opaque JSON owned by the broker; this class only stores them.
 */
public final class BrokerStateRepository {

  /**
   * A persistent session; {@code expiresAt} null while connected. {@code owner} is the identity that may
   * resume it (the broker's text, e.g. {@code operational:dev-1}); null for sessions stored before owners
   * were recorded, which nobody resumes.
   */
  public record StoredSession(String clientId, long expirySeconds, String node, Instant expiresAt, String owner) {}

  /** One subscription of a session. */
  public record StoredSubscription(String clientId, String filter, JsonObject options) {}

  /** One queued message of a session. */
  public record QueuedMessage(long seq, String clientId, JsonObject message) {}

  private static final String UPSERT_SESSION = "INSERT INTO broker_sessions (client_id, expiry_seconds, node,"
      + " expires_at, updated_at, owner) VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (client_id) DO UPDATE SET"
      + " expiry_seconds = excluded.expiry_seconds, node = excluded.node, expires_at = excluded.expires_at,"
      + " updated_at = excluded.updated_at, owner = excluded.owner";
  private static final String SESSION_COLUMNS = "client_id, expiry_seconds, node, expires_at, owner";
  private static final String UPSERT_SUBSCRIPTION = "INSERT INTO broker_subscriptions (client_id, filter, options)"
      + " VALUES ($1, $2, $3) ON CONFLICT (client_id, filter) DO UPDATE SET options = excluded.options";
  private static final String UPSERT_RETAINED = "INSERT INTO broker_retained (topic, message, expires_at)"
      + " VALUES ($1, $2, $3) ON CONFLICT (topic) DO UPDATE SET message = excluded.message,"
      + " expires_at = excluded.expires_at";

  private final Database db;

  public BrokerStateRepository(Database db) {
    this.db = db;
  }

  public Future<Void> saveSession(StoredSession s, Instant now) {
    return db.update(UPSERT_SESSION, sessionRow(s, now)).mapEmpty();
  }

  /** Removes a session with its subscriptions and queue, in one transaction. */
  public Future<Void> deleteSession(String clientId) {
    return db.transaction(tx -> tx.execute("DELETE FROM broker_queue WHERE client_id = $1", Tuple.of(clientId))
        .compose(v -> tx.execute("DELETE FROM broker_subscriptions WHERE client_id = $1", Tuple.of(clientId)))
        .compose(v -> tx.execute("DELETE FROM broker_sessions WHERE client_id = $1", Tuple.of(clientId)))
        .mapEmpty());
  }

  /** Sessions not expired at {@code now}. */
  public Future<List<StoredSession>> sessions(Instant now) {
    return db.query("SELECT " + SESSION_COLUMNS + " FROM broker_sessions"
            + " WHERE expires_at IS NULL OR expires_at > $1 ORDER BY client_id", Tuple.of(Rows.millis(now)))
        .map(rows -> {
          List<StoredSession> out = new ArrayList<>();
          rows.forEach(r -> out.add(session(r)));
          return out;
        });
  }

  private static StoredSession session(Row r) {
    return new StoredSession(r.getString("client_id"), r.getLong("expiry_seconds"), r.getString("node"),
        Rows.instant(r, "expires_at"), r.getString("owner"));
  }

  private static Tuple sessionRow(StoredSession s, Instant now) {
    return Tuple.of(s.clientId(), s.expirySeconds(), s.node(), Rows.millis(s.expiresAt()), Rows.millis(now), s.owner());
  }

  /** The session of {@code clientId} if stored and not expired at {@code now}, else null. */
  public Future<StoredSession> session(String clientId, Instant now) {
    return db.query("SELECT " + SESSION_COLUMNS + " FROM broker_sessions"
            + " WHERE client_id = $1 AND (expires_at IS NULL OR expires_at > $2)",
            Tuple.of(clientId, Rows.millis(now)))
        .map(rows -> {
          for (Row r : rows) {
            return session(r);
          }
          return null;
        });
  }

  /**
   * Makes {@code toNode} the owner of every session {@code fromNode} held (a node that is gone); returns
   * the client ids taken. Nodes adopting at once each get a disjoint part: the update is atomic per row.
   */
  public Future<List<String>> adopt(String fromNode, String toNode) {
    return db.update("UPDATE broker_sessions SET node = $2 WHERE COALESCE(node, '') = $1 RETURNING client_id",
        Tuple.of(fromNode, toNode)).map(rows -> {
          List<String> out = new ArrayList<>();
          rows.forEach(r -> out.add(r.getString("client_id")));
          return out;
        });
  }

  /** Makes {@code toNode} the owner of one session if {@code fromNode} still owns it; whether it did. */
  public Future<Boolean> adoptSession(String clientId, String fromNode, String toNode) {
    return db.update("UPDATE broker_sessions SET node = $3 WHERE client_id = $1 AND COALESCE(node, '') = $2",
        Tuple.of(clientId, fromNode, toNode)).map(rows -> rows.rowCount() == 1);
  }

  /** The nodes that own stored sessions ({@code ""} for sessions stored without one). */
  public Future<List<String>> owners() {
    return db.query("SELECT DISTINCT COALESCE(node, '') AS node FROM broker_sessions ORDER BY node", Tuple.tuple())
        .map(rows -> {
          List<String> out = new ArrayList<>();
          rows.forEach(r -> out.add(r.getString("node")));
          return out;
        });
  }

  /** Drops sessions that expired before {@code now}, with their subscriptions and queues. */
  public Future<Void> deleteExpired(Instant now) {
    Tuple at = Tuple.of(Rows.millis(now));
    String expired = "SELECT client_id FROM broker_sessions WHERE expires_at IS NOT NULL AND expires_at <= $1";
    return db.transaction(tx -> tx.execute("DELETE FROM broker_queue WHERE client_id IN (" + expired + ")", at)
        .compose(v -> tx.execute("DELETE FROM broker_subscriptions WHERE client_id IN (" + expired + ")", at))
        .compose(v -> tx.execute("DELETE FROM broker_sessions WHERE expires_at IS NOT NULL AND expires_at <= $1", at))
        .mapEmpty());
  }

  public Future<Void> putSubscription(StoredSubscription s) {
    return db.update(UPSERT_SUBSCRIPTION, Tuple.of(s.clientId(), s.filter(), s.options().encode())).mapEmpty();
  }

  public Future<Void> deleteSubscription(String clientId, String filter) {
    return db.update("DELETE FROM broker_subscriptions WHERE client_id = $1 AND filter = $2",
        Tuple.of(clientId, filter)).mapEmpty();
  }

  public Future<List<StoredSubscription>> subscriptions() {
    return subscriptions("SELECT client_id, filter, options FROM broker_subscriptions ORDER BY client_id, filter",
        Tuple.tuple());
  }

  /** The subscriptions of one session. */
  public Future<List<StoredSubscription>> subscriptions(String clientId) {
    return subscriptions("SELECT client_id, filter, options FROM broker_subscriptions WHERE client_id = $1"
        + " ORDER BY filter", Tuple.of(clientId));
  }

  private Future<List<StoredSubscription>> subscriptions(String sql, Tuple args) {
    return db.query(sql, args).map(rows -> {
      List<StoredSubscription> out = new ArrayList<>();
      rows.forEach(r -> out.add(new StoredSubscription(r.getString("client_id"), r.getString("filter"),
          new JsonObject(r.getString("options")))));
      return out;
    });
  }

  public Future<Void> enqueue(String clientId, JsonObject message) {
    return db.update("INSERT INTO broker_queue (client_id, message) VALUES ($1, $2)",
        Tuple.of(clientId, message.encode())).mapEmpty();
  }

  /** Replaces a session's queue by {@code messages}, in order, in one transaction. */
  public Future<Void> replaceQueue(String clientId, List<JsonObject> messages) {
    return db.transaction(tx -> replaceQueue(tx, clientId, messages));
  }

  /**
   * Saves a session and replaces its queue in one transaction: one commit (one fsync on the embedded
   * database) where a session going online or offline took two.
   */
  public Future<Void> saveSession(StoredSession s, Instant now, List<JsonObject> queue) {
    return db.transaction(tx -> tx.execute(UPSERT_SESSION, sessionRow(s, now))
        .compose(v -> replaceQueue(tx, s.clientId(), queue)));
  }

  private static Future<Void> replaceQueue(Database.Transaction tx, String clientId, List<JsonObject> messages) {
    Future<?> chain = tx.execute("DELETE FROM broker_queue WHERE client_id = $1", Tuple.of(clientId));
    if (!messages.isEmpty()) {
      List<Tuple> rows = messages.stream().map(m -> Tuple.of(clientId, m.encode())).toList();
      chain = chain.compose(v -> tx.batch("INSERT INTO broker_queue (client_id, message) VALUES ($1, $2)", rows));
    }
    return chain.mapEmpty();
  }

  /** Every queued message, by session and in order. */
  public Future<List<QueuedMessage>> queued() {
    return queued("SELECT seq, client_id, message FROM broker_queue ORDER BY client_id, seq", Tuple.tuple());
  }

  /** The queued messages of one session, in order. */
  public Future<List<QueuedMessage>> queued(String clientId) {
    return queued("SELECT seq, client_id, message FROM broker_queue WHERE client_id = $1 ORDER BY seq",
        Tuple.of(clientId));
  }

  private Future<List<QueuedMessage>> queued(String sql, Tuple args) {
    return db.query(sql, args).map(rows -> {
      List<QueuedMessage> out = new ArrayList<>();
      rows.forEach(r -> out.add(new QueuedMessage(r.getLong("seq"), r.getString("client_id"),
          new JsonObject(r.getString("message")))));
      return out;
    });
  }

  /** Stores a retained message, or clears the topic when {@code message} is null. */
  public Future<Void> retain(String topic, JsonObject message, Instant expiresAt) {
    if (message == null) {
      return db.update("DELETE FROM broker_retained WHERE topic = $1", Tuple.of(topic)).mapEmpty();
    }
    return db.update(UPSERT_RETAINED, Tuple.of(topic, message.encode(), Rows.millis(expiresAt))).mapEmpty();
  }

  /** Retained messages not expired at {@code now}. */
  public Future<List<JsonObject>> retained(Instant now) {
    return db.query("SELECT message FROM broker_retained WHERE expires_at IS NULL OR expires_at > $1 ORDER BY topic",
        Tuple.of(Rows.millis(now))).map(rows -> {
          List<JsonObject> out = new ArrayList<>();
          for (Row r : rows) {
            out.add(new JsonObject(r.getString("message")));
          }
          return out;
        });
  }
}
