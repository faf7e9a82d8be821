package dev.hookyard.gateway.admin;

import dev.hookyard.common.Queues;
import dev.hookyard.common.operations.OperationFilter;
import dev.hookyard.common.operations.Operations;
import dev.hookyard.gateway.http.AdminAuth;
import dev.hookyard.gateway.http.Fields;
import dev.hookyard.gateway.http.ApiErrors;
import dev.hookyard.gateway.http.Times;
import dev.hookyard.gateway.http.Workspaces;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.sqlclient.Pool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Bulk operations over stored history: reprocess deliveries into facts, replay
 * deliveries, retry dead letters — each by filter, with a dry run that answers the plan,
 * and progress and cancellation by id.
 */
final class OperationsApi {

  private static final Logger log = LoggerFactory.getLogger(OperationsApi.class);
  private static final Pattern EVENT = Pattern.compile("[a-z_.]{1,64}");

  private final Pool pool;
  private final Operations operations;

  OperationsApi(Pool pool, Operations operations) {
    this.pool = pool;
    this.operations = operations;
  }

  /** Mount before {@code /api/v1/jobs/:id/retry}, which would otherwise take {@code dead} for a job id. */
  void mount(Router router, AdminAuth auth) {
    router.post("/api/v1/reprocess").handler(auth).handler(ctx -> start(ctx, Operations.REPROCESS,
      Set.of("repository", "workspace", "events", "since", "until", "dry_run")));
    router.post("/api/v1/deliveries/replay").handler(auth).handler(ctx -> start(ctx, Operations.REPLAY,
      Set.of("queue", "event", "events", "repository", "workspace", "reason", "since", "until", "dry_run")));
    router.post("/api/v1/jobs/dead/retry").handler(auth).handler(ctx -> start(ctx, Operations.RETRY,
      Set.of("queue", "event", "repository", "reason", "since", "until", "dry_run")));
    router.get("/api/v1/reprocess/:id").handler(auth).handler(this::get);
    router.post("/api/v1/reprocess/:id/cancel").handler(auth).handler(this::cancel);
    router.get("/api/v1/operations/:id").handler(auth).handler(this::get);
    router.post("/api/v1/operations/:id/cancel").handler(auth).handler(this::cancel);
  }

  private void start(RoutingContext ctx, String kind, Set<String> fields) {
    JsonObject body;
    try {
      body = ctx.body().isEmpty() ? new JsonObject() : ctx.body().asJsonObject();
    } catch (RuntimeException e) {
      body = null;
    }
    if (body == null) {
      ApiErrors.send(ctx, 400, "bad_request", "the request body must be a JSON object");
      return;
    }
    for (String name : body.fieldNames()) {
      if (!fields.contains(name)) {
        ApiErrors.send(ctx, 400, "bad_request", "unknown field " + name + "; " + kind + " takes " + String.join(", ", fields.stream().sorted().toList()));
        return;
      }
    }
    String problem = null;
    OperationFilter filter = null;
    try {
      filter = filter(kind, body);
    } catch (IllegalArgumentException e) {
      problem = e.getMessage();
    }
    Object dryRun = body.getValue("dry_run");
    if (problem == null && dryRun != null && !(dryRun instanceof Boolean)) {
      problem = "dry_run must be true or false";
    }
    if (problem != null) {
      ApiErrors.send(ctx, 400, "bad_request", problem);
      return;
    }
    OperationFilter selected = filter;
    boolean dry = Boolean.TRUE.equals(dryRun);
    Future<Boolean> workspaceKnown = selected.workspace() == null ? Future.succeededFuture(true)
      : Workspaces.id(pool, selected.workspace()).map(id -> id != null);
    workspaceKnown.compose(known -> {
      if (!known) {
        Workspaces.notFound(ctx, selected.workspace());
        return Future.succeededFuture();
      }
      if (dry) {
        return operations.plan(kind, selected).map(plan -> {
          ApiErrors.json(ctx, 200, plan);
          return null;
        });
      }
      return operations.start(kind, selected).map(op -> {
        log.info("Operation {} ({}) started: {} selected by {}", op.getLong("id"), kind, op.getInteger("total"), selected.toJson().encode());
        ctx.response().putHeader("Location", path(kind, op.getLong("id")));
        ApiErrors.json(ctx, 202, op);
        return null;
      });
    }).onFailure(err -> ApiErrors.failed(ctx, err));
  }

  private static String path(String kind, long id) {
    return (kind.equals(Operations.REPROCESS) ? "/api/v1/reprocess/" : "/api/v1/operations/") + id;
  }

  /** The body's filter; throws {@link IllegalArgumentException} naming the first bad field. */
  private static OperationFilter filter(String kind, JsonObject body) {
    String queue = string(body, "queue", null);
    if (queue != null && !Queues.all().contains(queue)) {
      throw new IllegalArgumentException("queue must be one of " + String.join(", ", Queues.all()));
    }
    List<String> events = null;
    String event = string(body, "event", EVENT);
    if (event != null) {
      events = List.of(event);
    }
    Object list = body.getValue("events");
    if (list != null) {
      if (!(list instanceof JsonArray array) || array.isEmpty()) {
        throw new IllegalArgumentException("events must be a non-empty array of event names");
      }
      events = new ArrayList<>(events == null ? List.of() : events);
      for (Object e : array) {
        if (!(e instanceof String s) || !EVENT.matcher(s).matches()) {
          throw new IllegalArgumentException("events must be a non-empty array of event names such as \"push\"");
        }
        events.add(s);
      }
    }
    OffsetDateTime since = time(body, "since");
    OffsetDateTime until = time(body, "until");
    if (kind.equals(Operations.REPROCESS) && (since == null || until == null)) {
      throw new IllegalArgumentException("a reprocess needs since and until (" + Times.EXPECTED + ")");
    }
    if (since != null && until != null && !since.isBefore(until)) {
      throw new IllegalArgumentException("since must be before until");
    }
    return new OperationFilter(queue, events, string(body, "repository", Fields.FULL_NAME), string(body, "workspace", Fields.SLUG),
      string(body, "reason", null), since, until);
  }

  private static String string(JsonObject body, String field, Pattern pattern) {
    Object v = body.getValue(field);
    if (v == null) {
      return null;
    }
    if (!(v instanceof String s) || s.isBlank() || s.length() > 200 || (pattern != null && !pattern.matcher(s).matches())) {
      throw new IllegalArgumentException(field + " must be " + switch (field) {
        case "repository" -> "a repository's full name, owner/name";
        case "workspace" -> "a workspace's slug";
        case "event" -> "an event name such as \"push\"";
        default -> "a non-empty text of at most 200 characters";
      });
    }
    return s;
  }

  private static OffsetDateTime time(JsonObject body, String field) {
    Object v = body.getValue(field);
    if (v == null) {
      return null;
    }
    try {
      if (v instanceof String s) {
        return Times.parse(s);
      }
    } catch (DateTimeParseException e) {
      // answered below
    }
    throw new IllegalArgumentException(field + " must be " + Times.EXPECTED);
  }

  private void get(RoutingContext ctx) {
    Long id = id(ctx);
    if (id != null) {
      answer(ctx, id, operations.get(id));
    }
  }

  private void cancel(RoutingContext ctx) {
    Long id = id(ctx);
    if (id != null) {
      answer(ctx, id, operations.cancel(id).onSuccess(op -> op.ifPresent(o -> log.info("Operation {} is {}", id, o.getString("status")))));
    }
  }

  private static void answer(RoutingContext ctx, long id, Future<Optional<JsonObject>> op) {
    op.onSuccess(o -> {
      if (o.isEmpty()) {
        ApiErrors.send(ctx, 404, "not_found", "no operation " + id);
      } else {
        ApiErrors.json(ctx, 200, o.get());
      }
    }).onFailure(err -> ApiErrors.failed(ctx, err));
  }

  private static Long id(RoutingContext ctx) {
    try {
      return Long.parseLong(ctx.pathParam("id"));
    } catch (NumberFormatException e) {
      ApiErrors.send(ctx, 400, "bad_request", "an operation id is a number");
      return null;
    }
  }
}
