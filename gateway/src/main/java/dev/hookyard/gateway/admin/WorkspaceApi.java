package dev.hookyard.gateway.admin;

import dev.hookyard.common.JsonDates;
import dev.hookyard.common.board.IssueStatus;
import dev.hookyard.common.board.PullRequestStates;
import dev.hookyard.gateway.http.ApiErrors;
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
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;


import static dev.hookyard.common.JsonDates.iso;

/**
 * Admin routes over workspaces and what they track: create a workspace, track and
 * untrack repositories in it, link a GitHub App installation to it.
 */
final class WorkspaceApi {

  private final Pool pool;

  WorkspaceApi(Pool pool) {
    this.pool = pool;
  }

  void mount(Router router, AdminAuth auth) {
    router.post("/api/v1/workspaces").handler(auth).handler(this::create);
    router.get("/api/v1/workspaces/:ws").handler(auth).handler(this::get);
    router.patch("/api/v1/workspaces/:ws").handler(auth).handler(this::update);
    router.post("/api/v1/workspaces/:ws/repositories").handler(auth).handler(this::track);
    router.delete("/api/v1/workspaces/:ws/repositories/:owner/:repo").handler(auth).handler(this::untrack);
    router.post("/api/v1/workspaces/:ws/installations").handler(auth).handler(this::linkInstallation);
  }

  private void create(RoutingContext ctx) {
    JsonRequest req = JsonRequest.of(ctx);
    String slug = req.string("slug", Fields.SLUG, "lowercase letters, digits and dashes (at most 63)", false);
    String name = req.string("name", Fields.NAME, "a non-blank name", false);
    String prefix = req.string("issue_prefix", Fields.PREFIX, "an uppercase letter followed by up to 9 uppercase letters or digits", false);
    if (!req.ok()) {
      return;
    }
    pool.preparedQuery(TrackingQueries.CREATE_WORKSPACE).execute(Tuple.of(slug, name.strip(), prefix))
      .onSuccess(rows -> ApiErrors.json(ctx, 201, workspace(rows.iterator().next())))
      .onFailure(err -> ApiErrors.conflictOrFailed(ctx, err, "workspace " + slug + " already exists"));
  }

  private void get(RoutingContext ctx) {
    String slug = ctx.pathParam("ws");
    pool.preparedQuery(TrackingQueries.WORKSPACE).execute(Tuple.of(slug)).onSuccess(rows -> {
      if (rows.size() == 0) {
        Workspaces.notFound(ctx, slug);
        return;
      }
      Row r = rows.iterator().next();
      ApiErrors.json(ctx, 200, workspace(r).put("repositories", new JsonArray(java.util.List.of((Object[]) r.getArrayOfStrings("repositories")))));
    }).onFailure(err -> ApiErrors.failed(ctx, err));
  }

  /** {@code {name?, pr_statuses?: {draft|opened|ready_for_review|review_requested|merged: status or null}}}. */
  private void update(RoutingContext ctx) {
    String slug = ctx.pathParam("ws");
    JsonRequest req = JsonRequest.of(ctx);
    String name = req.string("name", Fields.NAME, "a non-blank name", true);
    JsonObject given = req.object("pr_statuses", true);
    JsonObject statuses = new JsonObject();
    if (given != null) {
      for (String key : given.fieldNames()) {
        Object value = given.getValue(key);
        String status = value instanceof String text ? IssueStatus.parse(text) : null;
        if (!PullRequestStates.DEFAULT_STATUSES.containsKey(key)) {
          req.reject("pr_statuses." + key + " is not a setting; the settings are "
            + String.join(", ", PullRequestStates.DEFAULT_STATUSES.keySet()));
        } else if (value != null && status == null) {
          req.reject("pr_statuses." + key + " must be a status (" + String.join(", ", IssueStatus.ORDER)
            + ") or null for no move");
        }
        statuses.put(key, status);
      }
    }
    if (req.ok() && name == null && given == null) {
      req.reject("nothing to change: give name or pr_statuses");
    }
    if (!req.ok()) {
      return;
    }
    pool.preparedQuery(TrackingQueries.UPDATE_WORKSPACE).execute(Tuple.of(slug, name == null ? null : name.strip(), statuses))
      .onSuccess(rows -> {
        if (rows.size() == 0) {
          Workspaces.notFound(ctx, slug);
        } else {
          get(ctx);
        }
      })
      .onFailure(err -> ApiErrors.failed(ctx, err));
  }

  private void track(RoutingContext ctx) {
    String slug = ctx.pathParam("ws");
    JsonRequest req = JsonRequest.of(ctx);
    String fullName = req.string("full_name", Fields.FULL_NAME, "owner/repository", false);
    String branch = req.string("default_branch", Fields.BRANCH, "a branch name", true);
    if (!req.ok()) {
      return;
    }
    pool.withTransaction(conn -> Workspaces.id(conn, slug).compose(ws -> {
      if (ws == null) {
        return Future.succeededFuture((Boolean) null);
      }
      return conn.preparedQuery(TrackingQueries.UPSERT_REPOSITORY).execute(Tuple.of(fullName, branch))
        .compose(rows -> conn.preparedQuery(TrackingQueries.TRACK).execute(Tuple.of(rows.iterator().next().getLong("id"), ws)))
        .map(rows -> rows.size() == 1);
    })).onSuccess(created -> {
      if (created == null) {
        Workspaces.notFound(ctx, slug);
      } else {
        RepositoryView.answer(pool, ctx, fullName, created ? 201 : 200);
      }
    }).onFailure(err -> ApiErrors.failed(ctx, err));
  }

  private void untrack(RoutingContext ctx) {
    String slug = ctx.pathParam("ws");
    String fullName = ctx.pathParam("owner") + "/" + ctx.pathParam("repo");
    pool.preparedQuery(TrackingQueries.UNTRACK).execute(Tuple.of(slug, fullName)).onSuccess(rows -> {
      if (rows.size() == 0) {
        ApiErrors.send(ctx, 404, "not_found", "workspace " + slug + " does not track " + fullName);
      } else {
        ctx.response().setStatusCode(204).end();
      }
    }).onFailure(err -> ApiErrors.failed(ctx, err));
  }

  private void linkInstallation(RoutingContext ctx) {
    String slug = ctx.pathParam("ws");
    JsonRequest req = JsonRequest.of(ctx);
    Long installation = req.positive("installation_id", false);
    if (!req.ok()) {
      return;
    }
    pool.withTransaction(conn -> Workspaces.id(conn, slug).compose(ws -> {
      if (ws == null) {
        return Future.succeededFuture((JsonObject) null);
      }
      Tuple both = Tuple.of(installation, ws);
      return conn.preparedQuery(TrackingQueries.LINK_INSTALLATION).execute(both).compose(linked ->
        conn.preparedQuery(TrackingQueries.TRACK_INSTALLED).execute(both)
          .compose(v -> conn.preparedQuery(TrackingQueries.INSTALLED_IN_WORKSPACE).execute(both))
          .map(rows -> {
            JsonArray names = new JsonArray();
            rows.forEach(r -> names.add(r.getString("full_name")));
            return new JsonObject().put("workspace", slug).put("installation_id", installation).put("repositories", names)
              .put("created", linked.size() == 1);
          }));
    })).onSuccess(out -> {
      if (out == null) {
        Workspaces.notFound(ctx, slug);
      } else {
        ApiErrors.json(ctx, (Boolean) out.remove("created") ? 201 : 200, out);
      }
    }).onFailure(err -> ApiErrors.failed(ctx, err));
  }

  private static JsonObject workspace(Row r) {
    return new JsonObject().put("id", r.getLong("id")).put("slug", r.getString("slug")).put("name", r.getString("name"))
      .put("issue_prefix", r.getString("issue_prefix")).put("created_at", iso(r.getOffsetDateTime("created_at")))
      .put("pr_statuses", PullRequestStates.effective(r.getJsonObject("pr_statuses")));
  }
}
