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

import java.util.List;
import java.util.regex.Pattern;

import static dev.hookyard.common.JsonDates.iso;

/** Admin routes over projects (a plan file in a tracked repository) and their refreshes. */
final class ProjectApi {

  /** A relative path inside the repository: no leading slash, no {@code ..} segment. */
  static final Pattern PLAN_PATH = Pattern.compile("(?!/)(?!.*(^|/)\\.\\.(/|$))[^\\x00-\\x1f]{1,500}");

  private final Pool pool;

  ProjectApi(Pool pool) {
    this.pool = pool;
  }

  void mount(Router router, AdminAuth auth) {
    router.post("/api/v1/workspaces/:ws/projects").handler(auth).handler(this::create);
    router.get("/api/v1/workspaces/:ws/projects/:id/updates").handler(auth).handler(this::updates);
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
      .onFailure(err -> ApiErrors.conflictOrUnavailable(ctx, err, "workspace " + slug + " already has a project for "
        + planPath + " in " + repository));
  }

  private void updates(RoutingContext ctx) {
    String slug = ctx.pathParam("ws");
    long id;
    try {
      id = Long.parseLong(ctx.pathParam("id"));
    } catch (NumberFormatException e) {
      ApiErrors.send(ctx, 400, "bad_request", "project id must be a number");
      return;
    }
    Integer limit = QueryParams.intParam(ctx, "limit", 100, 1, 1000);
    if (limit == null) {
      return;
    }
    pool.preparedQuery(TrackingQueries.PROJECT_EXISTS).execute(Tuple.of(slug, id)).compose(found -> {
      if (found.size() == 0) {
        ApiErrors.send(ctx, 404, "not_found", "workspace " + slug + " has no project " + id);
        return Future.succeededFuture();
      }
      return pool.preparedQuery(TrackingQueries.PROJECT_UPDATES).execute(Tuple.of(slug, id, limit)).map(rows -> {
        JsonArray out = new JsonArray();
        for (Row r : rows) {
          out.add(new JsonObject()
            .put("id", r.getLong("id"))
            .put("commit_sha", r.getString("commit_sha"))
            .put("ref", r.getString("ref"))
            .put("reason", r.getString("reason"))
            .put("files", new JsonArray(List.of((Object[]) r.getArrayOfStrings("files"))))
            .put("status", r.getString("status"))
            .put("created_at", iso(r.getOffsetDateTime("created_at")))
            .put("refreshed_at", iso(r.getOffsetDateTime("refreshed_at"))));
        }
        ApiErrors.json(ctx, 200, out);
        return null;
      });
    }).onFailure(err -> ApiErrors.unavailable(ctx, err));
  }
}
