package io.zto.deploy;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.zto.shared.domain.AuditEvent;
import io.zto.shared.domain.Enrollment;
import io.zto.shared.domain.EnrollmentGroup;
import io.zto.shared.domain.EnrollmentStatus;
import io.zto.shared.domain.TrustAnchor;
import io.zto.shared.store.AuditRepository;
import io.zto.shared.store.EnrollmentRepository;
import io.zto.shared.store.TrustAnchorRepository;
import java.time.Instant;
import java.util.Optional;
import java.util.function.Function;

/** {@code /api/v1/enrollments} and {@code /api/v1/enrollment-groups}: who may be provisioned. */
final class EnrollmentApi {

  private final EnrollmentRepository enrollments;
  private final TrustAnchorRepository anchors;
  private final AuditRepository audit;

  EnrollmentApi(EnrollmentRepository enrollments, TrustAnchorRepository anchors, AuditRepository audit) {
    this.enrollments = enrollments;
    this.anchors = anchors;
    this.audit = audit;
  }

  void create(RoutingContext ctx) {
    Future<Enrollment> created;
    try {
      created = enrollments.create(Enrollment.fromJson(ApiRequests.body(ctx)));
    } catch (IllegalArgumentException e) {
      created = Future.failedFuture(e);
    }
    ApiResponses.reply(ctx, 201, created.compose(e -> audited(ctx, "enrollment.create", e.id()).map(e.toJson())));
  }

  void list(RoutingContext ctx) {
    enrollments.list(ApiRequests.enumQuery(ctx, "status", EnrollmentStatus.class), ApiRequests.cursor(ctx),
            ApiRequests.limit(ctx))
        .onSuccess(page -> ApiResponses.page(ctx, page, Enrollment::toJson))
        .onFailure(failure -> ApiResponses.fail(ctx, failure));
  }

  void get(RoutingContext ctx) {
    String id = ApiRequests.id(ctx);
    ApiResponses.reply(ctx, 200, enrollments.get(id).map(found -> found
        .orElseThrow(() -> ApiResponses.notFound("no enrollment with id '" + id + "'")).toJson()));
  }

  void delete(RoutingContext ctx) {
    String id = ApiRequests.id(ctx);
    deleted(ctx, enrollments.delete(id), "enrollment", id);
  }

  void enable(RoutingContext ctx) {
    setStatus(ctx, EnrollmentStatus.ENABLED);
  }

  void disable(RoutingContext ctx) {
    setStatus(ctx, EnrollmentStatus.DISABLED);
  }

  private void setStatus(RoutingContext ctx, EnrollmentStatus status) {
    switched(ctx, "enrollment", status, enrollments::setStatus, id -> enrollments.get(id).map(e -> e.map(Enrollment::toJson)));
  }

  void createGroup(RoutingContext ctx) {
    JsonObject body = ApiRequests.body(ctx);
    Future<EnrollmentGroup> created = anchors.get(body.getString("trustAnchor")).compose(anchor -> {
      if (anchor.isEmpty() || anchor.get().purpose() != TrustAnchor.Purpose.LDEVID) {
        return Future.failedFuture(new IllegalArgumentException("trustAnchor must be the id of a trust anchor of"
            + " purpose ldevid; '" + body.getString("trustAnchor") + "' is " + (anchor.isEmpty() ? "unknown" : "idevid")));
      }
      return enrollments.createGroup(EnrollmentGroup.fromJson(body));
    });
    ApiResponses.reply(ctx, 201, created.compose(g -> audited(ctx, "enrollment-group.create", g.id()).map(g.toJson())));
  }

  void listGroups(RoutingContext ctx) {
    enrollments.listGroups(ApiRequests.enumQuery(ctx, "status", EnrollmentStatus.class), ApiRequests.cursor(ctx),
            ApiRequests.limit(ctx))
        .onSuccess(page -> ApiResponses.page(ctx, page, EnrollmentGroup::toJson))
        .onFailure(failure -> ApiResponses.fail(ctx, failure));
  }

  void getGroup(RoutingContext ctx) {
    String id = ApiRequests.id(ctx);
    ApiResponses.reply(ctx, 200, enrollments.getGroup(id).map(found -> found
        .orElseThrow(() -> ApiResponses.notFound("no enrollment group with id '" + id + "'")).toJson()));
  }

  void deleteGroup(RoutingContext ctx) {
    String id = ApiRequests.id(ctx);
    deleted(ctx, enrollments.deleteGroup(id), "enrollment group", id);
  }

  void enableGroup(RoutingContext ctx) {
    setGroupStatus(ctx, EnrollmentStatus.ENABLED);
  }

  void disableGroup(RoutingContext ctx) {
    setGroupStatus(ctx, EnrollmentStatus.DISABLED);
  }

  private void setGroupStatus(RoutingContext ctx, EnrollmentStatus status) {
    switched(ctx, "enrollment group", status, enrollments::setGroupStatus,
        id -> enrollments.getGroup(id).map(g -> g.map(EnrollmentGroup::toJson)));
  }

  /** Enables or disables an enrollment or a group, audits it, and answers its new state. */
  private void switched(RoutingContext ctx, String what, EnrollmentStatus status, StatusSetter setter,
                        Function<String, Future<Optional<JsonObject>>> reader) {
    String id = ApiRequests.id(ctx);
    ApiResponses.reply(ctx, 200, setter.set(id, status, Instant.now())
        .compose(found -> found ? audited(ctx, what.replace(' ', '-') + "." + status.name().toLowerCase(), id)
            : Future.failedFuture(ApiResponses.notFound("no " + what + " with id '" + id + "'")))
        .compose(ignored -> reader.apply(id))
        .map(found -> found.orElseThrow()));
  }

  private interface StatusSetter {
    Future<Boolean> set(String id, EnrollmentStatus status, Instant now);
  }

  private void deleted(RoutingContext ctx, Future<Boolean> deletion, String what, String id) {
    deletion.compose(found -> found ? audited(ctx, what.replace(' ', '-') + ".delete", id)
            : Future.failedFuture(ApiResponses.notFound("no " + what + " with id '" + id + "'")))
        .onSuccess(ignored -> ctx.response().setStatusCode(204).end())
        .onFailure(failure -> ApiResponses.fail(ctx, failure));
  }

  private Future<Void> audited(RoutingContext ctx, String action, String subject) {
    return audit.append(AuditEvent.succeeded(ApiRequests.actor(ctx), action, subject)).mapEmpty();
  }
}
