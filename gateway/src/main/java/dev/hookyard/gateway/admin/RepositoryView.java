package dev.hookyard.gateway.admin;

import dev.hookyard.gateway.http.ApiErrors;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;

import java.util.List;

import static dev.hookyard.common.JsonDates.iso;

/** A repository as the admin API shows it: read by its routes and by tracking it in a workspace. */
final class RepositoryView {

  /** Answers with the repository's JSON and {@code status}, or 404 when it is unknown. */
  static void answer(Pool pool, RoutingContext ctx, String fullName, int status) {
    pool.preparedQuery(TrackingQueries.REPOSITORY).execute(Tuple.of(fullName)).onSuccess(rows -> {
      if (rows.size() == 0) {
        ApiErrors.notFound(ctx, "repository " + fullName);
        return;
      }
      Row r = rows.iterator().next();
      ApiErrors.json(ctx, status, new JsonObject()
        .put("id", r.getLong("id"))
        .put("github_id", r.getLong("github_id"))
        .put("full_name", r.getString("full_name"))
        .put("default_branch", r.getString("default_branch"))
        .put("tracked", r.getBoolean("tracked"))
        .put("installation_id", r.getLong("installation_id"))
        .put("archived", r.getBoolean("archived"))
        .put("deleted", r.getBoolean("deleted"))
        .put("last_push_at", iso(r.getOffsetDateTime("last_push_at")))
        .put("indexed_sha", r.getString("indexed_sha"))
        .put("workspaces", new JsonArray(List.of((Object[]) r.getArrayOfStrings("workspaces")))));
    }).onFailure(err -> ApiErrors.failed(ctx, err));
  }

  private RepositoryView() {
  }
}
