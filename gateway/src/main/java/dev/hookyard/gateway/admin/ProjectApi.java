package dev.hookyard.gateway.admin;

import dev.hookyard.common.JsonDates;
import dev.hookyard.gateway.http.ApiErrors;
import dev.hookyard.gateway.http.QueryParams;
import dev.hookyard.gateway.http.Fields;
import dev.hookyard.gateway.http.Workspaces;
import dev.hookyard.gateway.http.JsonRequest;
import dev.hookyard.gateway.http.AdminAuth;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;

import java.time.OffsetDateTime;
import java.util.List;
import java.util.function.Function;
import java.util.regex.Pattern;

import static dev.hookyard.common.JsonDates.iso;

/** Admin routes over projects (a plan file in a tracked repository), their refreshes and progress snapshots. */
final class ProjectApi {

  /** A relative path inside the repository: no leading slash, no {@code ..} segment. */
  static final Pattern PLAN_PATH = Pattern.compile("(?!/)(?!.*(^|/)\\.\\.(/|$))[^\\x00-\\x1f]{1,500}");

  private final Pool pool;

  ProjectApi(Pool pool) {
    this.pool = pool;
  }

  void mount(Router router, AdminAuth auth) {
    router.post("/api/v1/workspaces/:ws/projects").handler(auth).handler(this::create);
    router.get("/api/v1/workspaces/:ws/projects/:id").handler(auth).handler(this::project);
    router.get("/api/v1/workspaces/:ws/projects/:id/updates").handler(auth).handler(this::updates);
    router.get("/api/v1/workspaces/:ws/projects/:id/snapshots").handler(auth).handler(this::snapshots);
  }

  private void create(RoutingContext ctx) {
    String slug = ctx.pathParam("ws");
    JsonRequest req = JsonRequest.of(ctx);
    String repository = req.string("repository", Fields.FULL_NAME, "owner/repository", false);
    String planPath = req.string("plan_path", PLAN_PATH, "a path relative to the repository root", false);
    if (!req.ok()) {
      return;
    }
    pool.withTransaction(conn -> conn.preparedQuery(TrackingQueries.CREATE_PROJECT).execute(Tuple.of(slug, repository, planPath))
      .compose(rows -> rows.size() == 1 ? Future.succeededFuture(rows.iterator().next())
        : Workspaces.id(conn, slug).map(ws -> {
          if (ws == null) {
            Workspaces.notFound(ctx, slug);
          } else {
            ApiErrors.send(ctx, 404, "not_found", "workspace " + slug + " does not track " + repository);
          }
          return (Row) null;
        })))
      .onSuccess(r -> {
        if (r != null) {
          ApiErrors.json(ctx, 201, new JsonObject().put("id", r.getLong("id")).put("workspace", slug)
            .put("repository", r.getString("repository")).put("plan_path", r.getString("plan_path"))
            .put("created_at", iso(r.getOffsetDateTime("created_at"))));
        }
      })
      .onFailure(err -> ApiErrors.conflictOrFailed(ctx, err, "workspace " + slug + " already has a project for "
        + planPath + " in " + repository));
  }

  /** The project with its latest progress ({@code progress} null until a refresh has read its plan). */
  private void project(RoutingContext ctx) {
    String slug = ctx.pathParam("ws");
    Long id = projectId(ctx);
    if (id == null) {
      return;
    }
    pool.preparedQuery(TrackingQueries.PROJECT).execute(Tuple.of(slug, id)).onSuccess(rows -> {
      if (rows.size() == 0) {
        noProject(ctx, slug, id);
        return;
      }
      Row r = rows.iterator().next();
      JsonObject progress = r.getString("s_commit_sha") == null ? null : progress(r.getString("s_commit_sha"),
        r.getInteger("s_total"), r.getInteger("s_done"), r.getJsonArray("s_phases"), r.getOffsetDateTime("s_created_at"));
      ApiErrors.json(ctx, 200, new JsonObject().put("id", r.getLong("id")).put("workspace", slug)
        .put("repository", r.getString("repository")).put("plan_path", r.getString("plan_path"))
        .put("created_at", iso(r.getOffsetDateTime("created_at")))
        .put("last_refreshed_sha", r.getString("last_refreshed_sha"))
        .put("last_refreshed_at", iso(r.getOffsetDateTime("last_refreshed_at")))
        .put("progress", progress));
    }).onFailure(err -> ApiErrors.failed(ctx, err));
  }

  private void snapshots(RoutingContext ctx) {
    listOfProject(ctx, TrackingQueries.PROJECT_SNAPSHOTS, r -> progress(r.getString("commit_sha"), r.getInteger("total"),
      r.getInteger("done"), r.getJsonArray("phases"), r.getOffsetDateTime("created_at")).put("id", r.getLong("id")));
  }

  /**
   * Answers one of a project's lists: {@code sql} takes the workspace slug, the project
   * id and the {@code limit} query parameter; 404 when the workspace has no such project.
   */
  private void listOfProject(RoutingContext ctx, String sql, Function<Row, JsonObject> item) {
    String slug = ctx.pathParam("ws");
    Long id = projectId(ctx);
    if (id == null) {
      return;
    }
    Integer limit = QueryParams.intParam(ctx, "limit", 100, 1, 1000);
    if (limit == null) {
      return;
    }
    pool.preparedQuery(TrackingQueries.PROJECT_EXISTS).execute(Tuple.of(slug, id)).compose(found -> {
      if (found.size() == 0) {
        noProject(ctx, slug, id);
        return Future.succeededFuture();
      }
      return pool.preparedQuery(sql).execute(Tuple.of(slug, id, limit)).map(rows -> {
        JsonArray out = new JsonArray();
        for (Row r : rows) {
          out.add(item.apply(r));
        }
        ApiErrors.json(ctx, 200, out);
        return null;
      });
    }).onFailure(err -> ApiErrors.failed(ctx, err));
  }

  /** {@code {commit_sha,total,done,phases:[{name,total,done}],at}}: one snapshot of a plan's task lists. */
  private static JsonObject progress(String sha, int total, int done, JsonArray phases, OffsetDateTime at) {
    return new JsonObject().put("commit_sha", sha).put("total", total).put("done", done).put("phases", phases)
      .put("at", iso(at));
  }

  private static Long projectId(RoutingContext ctx) {
    try {
      return Long.parseLong(ctx.pathParam("id"));
    } catch (NumberFormatException e) {
      ApiErrors.send(ctx, 400, "bad_request", "project id must be a number");
      return null;
    }
  }

  private static void noProject(RoutingContext ctx, String slug, long id) {
    ApiErrors.send(ctx, 404, "not_found", "workspace " + slug + " has no project " + id);
  }

  private void updates(RoutingContext ctx) {
    listOfProject(ctx, TrackingQueries.PROJECT_UPDATES, r -> new JsonObject()
      .put("id", r.getLong("id"))
      .put("commit_sha", r.getString("commit_sha"))
      .put("ref", r.getString("ref"))
      .put("reason", r.getString("reason"))
      .put("files", new JsonArray(List.of((Object[]) r.getArrayOfStrings("files"))))
      .put("status", r.getString("status"))
      .put("status_reason", r.getString("status_reason"))
      .put("created_at", iso(r.getOffsetDateTime("created_at")))
      .put("refreshed_at", iso(r.getOffsetDateTime("refreshed_at"))));
  }
}
