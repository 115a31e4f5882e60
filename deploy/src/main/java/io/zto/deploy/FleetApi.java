package io.zto.deploy;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import io.zto.shared.bus.Addresses;
import io.zto.shared.config.Role;
import io.zto.shared.domain.Device;
import io.zto.shared.store.Database;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code GET /api/v1/fleet/summary}: the onboarding funnel (registered, provision requested, provisioned,
 * enrolled, connected), devices by state, the approval queues' lengths, and certificates issued and
 * refusals per minute over the last {@value #MINUTES} minutes. Counts are read in one go from the
 * database; {@code connected} is the MQTT connections of the broker on the node that answers (null on a
 * node without the broker role).
 */
final class FleetApi {

  static final int MINUTES = 15;
  private static final long MINUTE_MS = 60_000;
  private static final long HEALTH_TIMEOUT_MS = 1_000;

  private static final String BY_STATE = "SELECT state, COUNT(*) AS n FROM devices GROUP BY state";
  private static final String ENROLLED_INDIVIDUALLY = "SELECT COUNT(*) AS n FROM enrollments";
  private static final String ADMITTED_BY_GROUP = "SELECT COUNT(*) AS n FROM devices"
      + " WHERE enrollment_id IS NULL AND group_id IS NOT NULL";
  private static final String PROVISIONED = "SELECT COUNT(*) AS n FROM devices WHERE provisioned_at IS NOT NULL";
  private static final String HOLDING_CERTIFICATE = "SELECT COUNT(DISTINCT device_id) AS n FROM certificates"
      + " WHERE status = 'VALID' AND not_after > $1";
  private static final String PENDING_PROVISIONING = "SELECT COUNT(*) AS n FROM provisioning_requests"
      + " WHERE status = 'PENDING'";
  private static final String PENDING_EST = "SELECT COUNT(*) AS n FROM est_requests WHERE status = 'PENDING'";
  private static final String ISSUED_PER_MINUTE = "SELECT created_at / 60000 AS minute, COUNT(*) AS n"
      + " FROM certificates WHERE created_at >= $1 GROUP BY created_at / 60000";
  private static final String REFUSED_PER_MINUTE = "SELECT at / 60000 AS minute, COUNT(*) AS n"
      + " FROM audit_log WHERE at >= $1 AND outcome = 'REFUSED' GROUP BY at / 60000";

  private final Vertx vertx;
  private final Database db;

  FleetApi(Vertx vertx, Database db) {
    this.vertx = vertx;
    this.db = db;
  }

  void summary(RoutingContext ctx) {
    Instant now = Instant.now();
    long firstMinute = now.toEpochMilli() / MINUTE_MS - (MINUTES - 1);
    Tuple since = Tuple.of(firstMinute * MINUTE_MS);
    Future<Map<String, Long>> byState = db.query(BY_STATE, Tuple.tuple()).map(rows -> {
      Map<String, Long> counts = new HashMap<>();
      rows.forEach(row -> counts.put(row.getString("state"), count(row)));
      return counts;
    });
    Future<Long> individual = single(ENROLLED_INDIVIDUALLY, Tuple.tuple());
    Future<Long> byGroup = single(ADMITTED_BY_GROUP, Tuple.tuple());
    Future<Long> provisioned = single(PROVISIONED, Tuple.tuple());
    Future<Long> enrolled = single(HOLDING_CERTIFICATE, Tuple.of(now.toEpochMilli()));
    Future<Long> pendingProvisioning = single(PENDING_PROVISIONING, Tuple.tuple());
    Future<Long> pendingEst = single(PENDING_EST, Tuple.tuple());
    Future<Map<Long, Long>> issued = perMinute(ISSUED_PER_MINUTE, since);
    Future<Map<Long, Long>> refused = perMinute(REFUSED_PER_MINUTE, since);
    Future<Integer> connected = connections();
    ApiResponses.reply(ctx, 200, Future.all(List.of(byState, individual, byGroup, provisioned, enrolled,
        pendingProvisioning, pendingEst, issued, refused, connected)).map(all -> {
          JsonObject states = new JsonObject();
          for (Device.State state : Device.State.values()) {
            states.put(state.name().toLowerCase(Locale.ROOT), byState.result().getOrDefault(state.name(), 0L));
          }
          long requested = byState.result().values().stream().mapToLong(Long::longValue).sum();
          JsonObject funnel = new JsonObject().put("registered", individual.result() + byGroup.result())
              .put("provisionRequested", requested).put("provisioned", provisioned.result())
              .put("enrolled", enrolled.result()).put("connected", connected.result());
          JsonArray minutes = new JsonArray();
          for (long minute = firstMinute; minute < firstMinute + MINUTES; minute++) {
            minutes.add(new JsonObject().put("minute", Instant.ofEpochMilli(minute * MINUTE_MS).toString())
                .put("certificatesIssued", issued.result().getOrDefault(minute, 0L))
                .put("refusals", refused.result().getOrDefault(minute, 0L)));
          }
          return new JsonObject().put("at", now.toString()).put("funnel", funnel).put("devicesByState", states)
              .put("pending", new JsonObject().put("provisioning", pendingProvisioning.result())
                  .put("est", pendingEst.result()))
              .put("perMinute", minutes);
        }));
  }

  private Future<Long> single(String sql, Tuple args) {
    return db.query(sql, args).map(rows -> count(rows.iterator().next()));
  }

  private Future<Map<Long, Long>> perMinute(String sql, Tuple args) {
    return db.query(sql, args).map(rows -> {
      Map<Long, Long> counts = new HashMap<>();
      rows.forEach(row -> counts.put(((Number) row.getValue("minute")).longValue(), count(row)));
      return counts;
    });
  }

  /** COUNT(*) is a bigint in PostgreSQL and an integer through SQLite's JDBC driver. */
  private static long count(Row row) {
    return ((Number) row.getValue("n")).longValue();
  }

  /** Live MQTT connections of this node's broker, from its health report; null without a broker here. */
  private Future<Integer> connections() {
    return vertx.eventBus().<JsonObject>request(Addresses.health(Role.BROKER.label()), null,
            new DeliveryOptions().setSendTimeout(HEALTH_TIMEOUT_MS))
        .map(reply -> reply.body().getJsonObject("details", new JsonObject()).getInteger("connections"))
        .otherwise((Integer) null);
  }
}
