package dev.hookyard.processors.github;

import dev.hookyard.common.Addresses;
import dev.hookyard.common.JsonDates;
import dev.hookyard.common.github.GitHubApi;
import dev.hookyard.common.github.GitHubApiException;
import dev.hookyard.common.github.NoGitHubCredentials;
import dev.hookyard.common.queue.Job;
import dev.hookyard.common.queue.JobOutcome;
import dev.hookyard.common.queue.PermanentJobFailure;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;

import java.time.OffsetDateTime;

/**
 * The {@code refresh-project} job: reads the project's plan at the pushed commit
 * through GitHub's contents API, counts its task lists ({@link PlanProgress}) and
 * stores a snapshot; when the progress differs from the snapshot before, publishes
 * {@code project.progress_changed} on the workspace's board address. Without GitHub
 * credentials for the repository the refresh is recorded {@code skipped}, and a plan
 * missing at that commit {@code not_found}, each with the reason; a rate limit
 * postpones the job until it lifts.
 */
final class ProjectRefresh {

  private final Vertx vertx;
  private final Pool pool;
  private final GitHubApi github;

  ProjectRefresh(Vertx vertx, Pool pool, GitHubApi github) {
    this.vertx = vertx;
    this.pool = pool;
    this.github = github;
  }

  Future<JobOutcome> refresh(Job job) {
    Object id = job.payload() == null ? null : job.payload().getValue("project_update_id");
    if (!(id instanceof Number updateId)) {
      throw new PermanentJobFailure(job.queue() + " job " + job.id() + " has no project_update_id");
    }
    long update = updateId.longValue();
    return pool.preparedQuery(ProjectQueries.UPDATE_TO_REFRESH).execute(Tuple.of(update)).compose(rows -> {
      if (rows.size() == 0) {
        return Future.succeededFuture(JobOutcome.ignored("project update " + update + " no longer exists"));
      }
      Row u = rows.iterator().next();
      if (!"pending".equals(u.getString("status"))) {
        return Future.succeededFuture(JobOutcome.ignored("project update " + update + " is already " + u.getString("status")));
      }
      String fullName = u.getString("full_name");
      String path = u.getString("plan_path");
      String sha = u.getString("commit_sha");
      if (!github.configured()) {
        return unread(update, "skipped", "no GitHub credentials: neither a GitHub App nor HOOKYARD_GITHUB_TOKEN is configured");
      }
      return github.fileAt(fullName, path, sha).transform(read -> {
        if (read.succeeded()) {
          return record(update, u, PlanProgress.read(read.result()));
        }
        Throwable err = read.cause();
        if (err instanceof NoGitHubCredentials) {
          return unread(update, "skipped", err.getMessage());
        }
        if (err instanceof GitHubApiException e && e.notFound()) {
          return unread(update, "not_found", path + " not found in " + fullName + " at " + sha + ": " + e.getMessage());
        }
        return Future.failedFuture(err);
      });
    });
  }

  private Future<JobOutcome> unread(long update, String status, String reason) {
    return pool.preparedQuery(ProjectQueries.MARK_UNREAD).execute(Tuple.of(update, status, reason))
      .map(JobOutcome.ignored("project update " + update + " " + status + ": " + reason));
  }

  private Future<JobOutcome> record(long update, Row u, PlanProgress progress) {
    long project = u.getLong("project_id");
    String sha = u.getString("commit_sha");
    JsonArray phases = progress.phasesJson();
    return pool.withTransaction(conn -> conn.preparedQuery(ProjectQueries.LOCK_PROJECT).execute(Tuple.of(project))
      .compose(locked -> conn.preparedQuery(ProjectQueries.LATEST_SNAPSHOT).execute(Tuple.of(project)))
      .compose(latest -> {
        Row before = latest.size() == 0 ? null : latest.iterator().next();
        return conn.preparedQuery(ProjectQueries.INSERT_SNAPSHOT)
          .execute(Tuple.of(project, update, sha, progress.total(), progress.done(), phases))
          .compose(inserted -> conn.preparedQuery(ProjectQueries.MARK_REFRESHED).execute(Tuple.of(update))
            .map(marked -> {
              if (inserted.size() == 0 || !changed(before, progress, phases)) {
                return (JsonObject) null;
              }
              OffsetDateTime at = inserted.iterator().next().getOffsetDateTime("created_at");
              return new JsonObject().put("type", Addresses.PROJECT_PROGRESS_CHANGED).put("workspace", u.getString("slug"))
                .put("project_id", project).put("repository", u.getString("full_name")).put("plan_path", u.getString("plan_path"))
                .put("commit_sha", sha).put("total", progress.total()).put("done", progress.done()).put("phases", phases)
                .put("previous", before == null ? null
                  : new JsonObject().put("total", before.getInteger("total")).put("done", before.getInteger("done")))
                .put("at", JsonDates.iso(at));
            }));
      }))
      .map(message -> {
        if (message != null) {
          vertx.eventBus().publish(Addresses.board(u.getString("slug")), message);
        }
        return JobOutcome.done("project " + project + " at " + sha + ": " + progress.done() + " of " + progress.total()
          + " tasks done" + (message != null ? ", progress changed" : ""));
      });
  }

  private static boolean changed(Row before, PlanProgress progress, JsonArray phases) {
    return before == null || before.getInteger("total") != progress.total() || before.getInteger("done") != progress.done()
      || !phases.equals(before.getJsonArray("phases"));
  }
}
