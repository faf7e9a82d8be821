package dev.hookyard.gateway.admin;

import dev.hookyard.common.JsonDates;
import dev.hookyard.gateway.http.ApiErrors;
import dev.hookyard.gateway.http.QueryParams;
import dev.hookyard.gateway.http.AdminAuth;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;

import static dev.hookyard.common.JsonDates.iso;

/** Admin routes over one repository: its tracking state and its index jobs. */
final class RepositoryApi {

  private final Pool pool;

  RepositoryApi(Pool pool) {
    this.pool = pool;
  }

  void mount(Router router, AdminAuth auth) {
    router.get("/api/v1/repositories/:owner/:repo").handler(auth).handler(this::get);
    router.get("/api/v1/repositories/:owner/:repo/index-jobs").handler(auth).handler(this::indexJobs);
  }

  private void get(RoutingContext ctx) {
    RepositoryView.answer(pool, ctx, fullName(ctx), 200);
  }

  private void indexJobs(RoutingContext ctx) {
    String fullName = fullName(ctx);
    Integer limit = QueryParams.intParam(ctx, "limit", 100, 1, 1000);
    if (limit == null) {
      return;
    }
    pool.preparedQuery(TrackingQueries.REPOSITORY).execute(Tuple.of(fullName)).compose(rows -> {
      if (rows.size() == 0) {
        ApiErrors.notFound(ctx, "repository " + fullName);
        return io.vertx.core.Future.succeededFuture();
      }
      return pool.preparedQuery(TrackingQueries.INDEX_JOBS).execute(Tuple.of(rows.iterator().next().getLong("id"), limit)).map(jobs -> {
        JsonArray out = new JsonArray();
        for (Row j : jobs) {
          out.add(new JsonObject()
            .put("id", j.getLong("id"))
            .put("commit_sha", j.getString("commit_sha"))
            .put("ref", j.getString("ref"))
            .put("status", j.getString("status"))
            .put("created_at", iso(j.getOffsetDateTime("created_at")))
            .put("finished_at", iso(j.getOffsetDateTime("finished_at"))));
        }
        ApiErrors.json(ctx, 200, out);
        return null;
      });
    }).onFailure(err -> ApiErrors.failed(ctx, err));
  }

  private static String fullName(RoutingContext ctx) {
    return ctx.pathParam("owner") + "/" + ctx.pathParam("repo");
  }
}
