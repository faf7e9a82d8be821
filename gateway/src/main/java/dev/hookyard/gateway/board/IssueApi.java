package dev.hookyard.gateway.board;

import dev.hookyard.common.queue.Enqueue;
import dev.hookyard.common.Queues;
import dev.hookyard.common.board.BoardEvents;
import dev.hookyard.common.board.IssueStatus;
import dev.hookyard.gateway.http.AdminAuth;
import dev.hookyard.gateway.http.ApiErrors;
import dev.hookyard.gateway.http.QueryParams;
import dev.hookyard.gateway.http.Workspaces;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;

import java.util.ArrayList;
import java.util.List;

/**
 * The board's issues: create, read (with linked pull requests, suggestions, history and
 * comments), change by hand, list, comment. Every change is written to the issue's
 * history in the same transaction and published on {@code board.<workspace>} after it.
 */
public final class IssueApi {

  private final Vertx vertx;
  private final Pool pool;

  public IssueApi(Vertx vertx, Pool pool) {
    this.vertx = vertx;
    this.pool = pool;
  }

  public void mount(Router router, AdminAuth auth) {
    router.post("/api/v1/workspaces/:ws/issues").handler(auth).handler(this::create);
    router.get("/api/v1/workspaces/:ws/issues").handler(auth).handler(this::list);
    router.get("/api/v1/workspaces/:ws/issues/:identifier").handler(auth).handler(this::get);
    router.patch("/api/v1/workspaces/:ws/issues/:identifier").handler(auth).handler(this::patch);
    router.post("/api/v1/workspaces/:ws/issues/:identifier/comments").handler(auth).handler(this::comment);
  }

  private void create(RoutingContext ctx) {
    String slug = ctx.pathParam("ws");
    IssueRequest req = IssueRequest.forCreate(ctx);
    if (req == null) {
      return;
    }
    pool.withTransaction(conn -> conn.preparedQuery(IssueQueries.TAKE_NUMBER).execute(Tuple.of(slug)).compose(rows -> {
      if (rows.size() == 0) {
        return Future.succeededFuture((Created) null);
      }
      Row ws = rows.iterator().next();
      String identifier = ws.getString("issue_prefix") + "-" + ws.getInteger("number");
      JsonObject source = req.errorSource();
      Tuple row = Tuple.tuple().addLong(ws.getLong("id")).addInteger(ws.getInteger("number")).addString(identifier)
        .addString(req.title()).addString(req.description()).addString(req.status()).addString(req.priority())
        .addArrayOfString(req.labels().toArray(new String[0]))
        .addString(source == null ? null : source.getString("source"))
        .addString(source == null ? null : source.getString("external_id"));
      return conn.preparedQuery(IssueQueries.INSERT).execute(row)
        .compose(inserted -> {
          long issueId = inserted.iterator().next().getLong("id");
          BoardEvents.Change created = new BoardEvents.Change(ws.getLong("id"), slug, issueId, identifier, BoardEvents.CREATED,
            null, req.status(), null, new JsonObject().put("actor", "api").put("title", req.title()).put("priority", req.priority()));
          return BoardEvents.record(conn, List.of(created))
            .compose(messages -> IssueEdit.embedSoon(conn, issueId).map(v -> new Created(identifier, messages)));
        });
    })).onSuccess(created -> {
      if (created == null) {
        Workspaces.notFound(ctx, slug);
        return;
      }
      BoardEvents.publish(vertx, created.messages());
      Enqueue.wake(vertx, Queues.ISSUE_EMBEDDING);
      answer(ctx, slug, created.identifier(), 201);
    }).onFailure(err -> ApiErrors.failed(ctx, err));
  }

  private record Created(String identifier, List<JsonObject> messages) {
  }

  private void get(RoutingContext ctx) {
    answer(ctx, ctx.pathParam("ws"), ctx.pathParam("identifier"), 200);
  }

  private void answer(RoutingContext ctx, String slug, String identifier, int status) {
    IssueView.read(pool, slug, identifier).onSuccess(issue -> {
      if (issue == null) {
        noIssue(ctx, slug, identifier);
      } else {
        ApiErrors.json(ctx, status, issue);
      }
    }).onFailure(err -> ApiErrors.failed(ctx, err));
  }

  private void list(RoutingContext ctx) {
    String slug = ctx.pathParam("ws");
    String status = QueryParams.optional(ctx, "status");
    if (status != null && IssueStatus.parse(status) == null) {
      ApiErrors.send(ctx, 400, "bad_request", "status must be one of " + String.join(", ", IssueStatus.ORDER));
      return;
    }
    String priority = QueryParams.optional(ctx, "priority");
    if (priority != null && !IssueStatus.PRIORITIES.contains(priority.toUpperCase(java.util.Locale.ROOT))) {
      ApiErrors.send(ctx, 400, "bad_request", "priority must be one of " + String.join(", ", IssueStatus.PRIORITIES));
      return;
    }
    Integer limit = QueryParams.intParam(ctx, "limit", 100, 1, 1000);
    if (limit == null) {
      return;
    }
    Tuple args = Tuple.of(slug, IssueStatus.parse(status), priority == null ? null : priority.toUpperCase(java.util.Locale.ROOT),
      QueryParams.optional(ctx, "label"), QueryParams.optional(ctx, "q"), limit);
    Workspaces.id(pool, slug).compose(ws -> ws == null ? Future.succeededFuture((List<JsonObject>) null)
        : pool.preparedQuery(IssueQueries.LIST).execute(args).map(rows -> {
          List<JsonObject> out = new ArrayList<>();
          rows.forEach(r -> out.add(IssueView.summary(r)));
          return out;
        }))
      .onSuccess(issues -> {
        if (issues == null) {
          Workspaces.notFound(ctx, slug);
        } else {
          ApiErrors.json(ctx, 200, issues);
        }
      }).onFailure(err -> ApiErrors.failed(ctx, err));
  }

  private void patch(RoutingContext ctx) {
    String slug = ctx.pathParam("ws");
    String identifier = ctx.pathParam("identifier");
    IssueRequest req = IssueRequest.forPatch(ctx);
    if (req == null) {
      return;
    }
    pool.withTransaction(conn -> conn.preparedQuery(IssueQueries.GET_FOR_UPDATE).execute(Tuple.of(slug, identifier))
      .compose(rows -> rows.size() == 0 ? Future.succeededFuture(IssueEdit.Result.notFound())
        : new IssueEdit(conn, rows.iterator().next(), req).apply()))
      .onSuccess(result -> {
        if (result.missing()) {
          noIssue(ctx, slug, identifier);
        } else if (result.refusal() != null) {
          ApiErrors.send(ctx, 409, result.refusal().code(), result.refusal().message());
        } else {
          BoardEvents.publish(vertx, result.messages());
          if (result.retitled()) {
            Enqueue.wake(vertx, Queues.ISSUE_EMBEDDING);
          }
          answer(ctx, slug, identifier, 200);
        }
      }).onFailure(err -> ApiErrors.failed(ctx, err));
  }

  private void comment(RoutingContext ctx) {
    String slug = ctx.pathParam("ws");
    String identifier = ctx.pathParam("identifier");
    IssueRequest.Comment c = IssueRequest.comment(ctx);
    if (c == null) {
      return;
    }
    pool.withTransaction(conn -> conn.preparedQuery(IssueQueries.GET_FOR_UPDATE).execute(Tuple.of(slug, identifier)).compose(rows -> {
      if (rows.size() == 0) {
        return Future.succeededFuture((List<JsonObject>) null);
      }
      Row issue = rows.iterator().next();
      return conn.preparedQuery(IssueQueries.ADD_COMMENT).execute(Tuple.of(issue.getLong("id"), c.author(), c.body()))
        .compose(added -> BoardEvents.record(conn, List.of(new BoardEvents.Change(issue.getLong("workspace_id"), slug,
          issue.getLong("id"), issue.getString("identifier"), BoardEvents.COMMENTED, null, null, null,
          new JsonObject().put("actor", "api").put("author", c.author()).put("comment_id", added.iterator().next().getLong("id"))))));
    })).onSuccess(messages -> {
      if (messages == null) {
        noIssue(ctx, slug, identifier);
      } else {
        BoardEvents.publish(vertx, messages);
        answer(ctx, slug, identifier, 201);
      }
    }).onFailure(err -> ApiErrors.failed(ctx, err));
  }

  private static void noIssue(RoutingContext ctx, String slug, String identifier) {
    ApiErrors.send(ctx, 404, "not_found", "no issue " + identifier + " in workspace " + slug);
  }
}
