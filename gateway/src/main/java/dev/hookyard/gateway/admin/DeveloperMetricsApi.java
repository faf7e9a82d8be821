package dev.hookyard.gateway.admin;

import dev.hookyard.common.JsonDates;
import dev.hookyard.gateway.http.ApiErrors;
import dev.hookyard.gateway.http.AdminAuth;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;

import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;

import static dev.hookyard.common.JsonDates.iso;

/**
 * {@code GET /api/v1/metrics/developers?repository=&since=}: per user, from the
 * {@code developer_activity} rollup the debounced developer-metrics job maintains;
 * a request never reads the facts themselves. {@code since} has day granularity (UTC).
 */
final class DeveloperMetricsApi {

  private final Pool pool;

  DeveloperMetricsApi(Pool pool) {
    this.pool = pool;
  }

  void mount(Router router, AdminAuth auth) {
    router.get("/api/v1/metrics/developers").handler(auth).handler(this::developers);
  }

  private void developers(RoutingContext ctx) {
    String repository = blankToNull(ctx.request().getParam("repository"));
    String sinceParam = blankToNull(ctx.request().getParam("since"));
    LocalDate since;
    try {
      since = sinceParam == null ? null : day(sinceParam);
    } catch (DateTimeParseException e) {
      ApiErrors.send(ctx, 400, "bad_request", "since must be a date (2026-11-01) or an ISO-8601 instant");
      return;
    }
    Future<Row> repo = repository == null ? Future.succeededFuture()
      : pool.preparedQuery(TrackingQueries.METRICS_REPOSITORY).execute(Tuple.of(repository)).map(rows -> rows.size() == 0 ? null : rows.iterator().next());
    repo.compose(r -> {
      if (repository != null && r == null) {
        ApiErrors.notFound(ctx, "repository " + repository);
        return Future.succeededFuture();
      }
      Long repositoryId = r == null ? null : r.getLong("id");
      return pool.preparedQuery(TrackingQueries.DEVELOPER_METRICS).execute(Tuple.of(repositoryId, since))
        .compose(rows -> pool.preparedQuery(TrackingQueries.METRICS_COMPUTED_AT).execute(Tuple.of(repositoryId)).map(computed -> {
          JsonArray developers = new JsonArray();
          for (Row d : rows) {
            developers.add(new JsonObject()
              .put("user_id", d.getLong("user_id"))
              .put("login", d.getString("login"))
              .put("name", d.getString("name"))
              .put("prs_merged", d.getLong("prs_merged"))
              .put("median_pr_cycle_time_s", d.getLong("median_pr_cycle_time_s"))
              .put("median_review_turnaround_s", d.getLong("median_review_turnaround_s"))
              .put("issues_closed", d.getLong("issues_closed"))
              .put("median_issue_resolution_s", d.getLong("median_issue_resolution_s"))
              .put("issues_opened", d.getLong("issues_opened"))
              .put("commits", d.getLong("commits"))
              .put("commit_additions", d.getLong("commit_additions"))
              .put("commit_deletions", d.getLong("commit_deletions")));
          }
          ApiErrors.json(ctx, 200, new JsonObject()
            .put("repository", r == null ? null : r.getString("full_name"))
            .put("since", since == null ? null : since.toString())
            .put("computed_at", iso(computed.iterator().next().getOffsetDateTime("computed_at")))
            .put("developers", developers));
          return null;
        }));
    }).onFailure(err -> ApiErrors.failed(ctx, err));
  }

  private static LocalDate day(String s) {
    if (s.length() == 10) {
      return LocalDate.parse(s);
    }
    return Instant.parse(s).atZone(ZoneOffset.UTC).toLocalDate();
  }

  private static String blankToNull(String s) {
    return s == null || s.isBlank() ? null : s.trim();
  }
}
