package io.zto.deploy;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.zto.shared.domain.AuditEvent;
import io.zto.shared.domain.Enrollment;
import io.zto.shared.store.AuditRepository;
import io.zto.shared.store.EnrollmentRepository;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * {@code POST /api/v1/enrollments:import}: many enrollments at once, as JSON lines or as CSV with a
 * header line naming the fields. Each line stands alone: a bad one is reported with its number and
 * reason, the others are imported.
 */
final class EnrollmentImport {

  static final Set<String> JSON_LINES = Set.of("application/x-ndjson", "application/jsonl", "application/json-lines");
  static final String CSV = "text/csv";
  private static final Set<String> NUMBER_FIELDS = Set.of("maxProvisionings");

  private final EnrollmentRepository enrollments;
  private final AuditRepository audit;

  EnrollmentImport(EnrollmentRepository enrollments, AuditRepository audit) {
    this.enrollments = enrollments;
    this.audit = audit;
  }

  void handle(RoutingContext ctx) {
    String type = mediaType(ctx.request().getHeader("Content-Type"));
    List<Line> lines;
    if (JSON_LINES.contains(type)) {
      lines = jsonLines(ctx.body().asString());
    } else if (CSV.equals(type)) {
      lines = csvLines(ctx.body().asString());
    } else {
      ApiErrors.send(ctx, 415, "unsupported_media_type", "send JSON lines (application/x-ndjson) or CSV (text/csv),"
          + " not '" + type + "'");
      return;
    }
    Result result = new Result();
    importAll(lines, 0, result)
        .compose(ignored -> audit.append(AuditEvent.succeeded(ApiRequests.actor(ctx), "enrollment.import", null)
            .withDetails(new JsonObject().put("imported", result.imported).put("failed", result.errors.size()))))
        .onSuccess(ignored -> ApiResponses.json(ctx, 200, result.toJson()))
        .onFailure(failure -> ApiResponses.fail(ctx, failure));
  }

  /** One line at a time, so each failure is reported on its own and nothing is half-imported. */
  private Future<Void> importAll(List<Line> lines, int index, Result result) {
    Promise<Void> done = Promise.promise();
    importFrom(lines, index, result, done);
    return done.future();
  }

  private void importFrom(List<Line> lines, int index, Result result, Promise<Void> done) {
    if (index == lines.size()) {
      done.complete();
      return;
    }
    Line line = lines.get(index);
    Future<Enrollment> created;
    try {
      if (line.problem() != null) {
        throw new IllegalArgumentException(line.problem());
      }
      created = enrollments.create(Enrollment.fromJson(line.json()));
    } catch (RuntimeException e) {
      created = Future.failedFuture(e);
    }
    created.onComplete(outcome -> {
      if (outcome.succeeded()) {
        result.imported++;
      } else {
        result.errors.add(new JsonObject().put("line", line.number()).put("message", outcome.cause().getMessage()));
      }
      importFrom(lines, index + 1, result, done);
    });
  }

  private record Line(int number, JsonObject json, String problem) {}

  private static final class Result {
    int imported;
    final JsonArray errors = new JsonArray();

    JsonObject toJson() {
      return new JsonObject().put("imported", imported).put("failed", errors.size()).put("errors", errors);
    }
  }

  private static List<Line> jsonLines(String text) {
    List<Line> lines = new ArrayList<>();
    String[] raw = text.split("\\R", -1);
    for (int i = 0; i < raw.length; i++) {
      if (raw[i].isBlank()) {
        continue;
      }
      try {
        lines.add(new Line(i + 1, new JsonObject(raw[i]), null));
      } catch (DecodeException | ClassCastException e) {
        lines.add(new Line(i + 1, null, "not a JSON object: " + e.getMessage()));
      }
    }
    return lines;
  }

  private static List<Line> csvLines(String text) {
    List<Line> lines = new ArrayList<>();
    String[] raw = text.split("\\R", -1);
    List<String> header = null;
    for (int i = 0; i < raw.length; i++) {
      if (raw[i].isBlank()) {
        continue;
      }
      List<String> fields = Csv.split(raw[i]);
      if (header == null) {
        header = fields;
        continue;
      }
      lines.add(csvLine(i + 1, header, fields));
    }
    return lines;
  }

  private static Line csvLine(int number, List<String> header, List<String> fields) {
    if (fields.size() != header.size()) {
      return new Line(number, null, "has " + fields.size() + " fields, the header names " + header.size());
    }
    JsonObject json = new JsonObject();
    for (int i = 0; i < header.size(); i++) {
      String name = header.get(i).strip();
      String value = fields.get(i).strip();
      if (value.isEmpty()) {
        continue;
      }
      try {
        json.put(name, "application".equals(name) ? new JsonObject(value)
            : NUMBER_FIELDS.contains(name) ? Integer.valueOf(value) : value);
      } catch (RuntimeException e) {
        return new Line(number, null, "field " + name + " is not valid: " + e.getMessage());
      }
    }
    return new Line(number, json, null);
  }

  private static String mediaType(String header) {
    if (header == null) {
      return "";
    }
    int semicolon = header.indexOf(';');
    return (semicolon < 0 ? header : header.substring(0, semicolon)).strip().toLowerCase();
  }
}
