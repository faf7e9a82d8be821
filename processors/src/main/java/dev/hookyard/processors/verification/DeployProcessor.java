package dev.hookyard.processors.verification;

import dev.hookyard.common.board.BoardEvents;
import dev.hookyard.common.logging.FailureCause;
import dev.hookyard.common.logging.RepeatedFailures;
import dev.hookyard.common.queue.Job;
import dev.hookyard.common.queue.JobHandler;
import dev.hookyard.common.queue.JobOutcome;
import dev.hookyard.common.queue.PermanentJobFailure;
import dev.hookyard.common.queue.RetryLater;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import org.slf4j.LoggerFactory;
import org.slf4j.event.Level;

import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * {@code workflow_run}: a successful production deploy (completed, conclusion success,
 * on a base branch, a workflow whose name contains one of the deploy fragments) starts
 * the verification window of every fix attempt of the repository it ships. Whether it
 * ships a merge: the same SHA; else GitHub's compare API when a token is set; else the
 * merge happened before the run started.
 */
final class DeployProcessor implements JobHandler {

  private final Vertx vertx;
  private final Pool pool;
  private final List<String> fragments;
  private final Set<String> branches;
  private final Duration window;
  private final VerificationDeployment.Ancestry ancestry;

  DeployProcessor(Vertx vertx, Pool pool, List<String> fragments, Set<String> branches, Duration window,
                  VerificationDeployment.Ancestry ancestry) {
    this.vertx = vertx;
    this.pool = pool;
    this.fragments = fragments.stream().map(f -> f.toLowerCase(Locale.ROOT)).toList();
    this.branches = branches;
    this.window = window;
    this.ancestry = ancestry;
  }

  @Override
  public Future<JobOutcome> handle(Job job) {
    JsonObject payload = job.json();
    String action = payload.getString("action");
    if (!(payload.getValue("workflow_run") instanceof JsonObject run)) {
      throw new PermanentJobFailure("workflow_run delivery " + job.deliveryId() + " has no workflow_run");
    }
    String name = run.getValue("name") instanceof String s ? s : "";
    String why = notADeploy(action, run, name);
    if (why != null) {
      return Future.succeededFuture(JobOutcome.ignored(why));
    }
    JsonObject repository = payload.getValue("repository") instanceof JsonObject r ? r : new JsonObject();
    Long githubId = repository.getValue("id") instanceof Number n ? n.longValue() : null;
    String fullName = repository.getString("full_name");
    long runId = run.getLong("id");
    String head = run.getString("head_sha");
    OffsetDateTime started = time(run, "run_started_at", time(run, "created_at", null));
    OffsetDateTime completed = time(run, "updated_at", OffsetDateTime.now());
    return pool.preparedQuery(VerificationQueries.REPOSITORY).execute(Tuple.of(githubId, fullName)).compose(repos -> {
      Row repo = repos.size() == 0 ? null : repos.iterator().next();
      if (repo == null || !repo.getBoolean("tracked")) {
        return Future.succeededFuture(JobOutcome.ignored("repository " + fullName + " is not tracked"));
      }
      long repoId = repo.getLong("id");
      return pool.preparedQuery(VerificationQueries.AWAITING).execute(Tuple.of(repoId))
        .compose(awaiting -> shipped(repo.getString("full_name"), awaiting, head, started))
        .compose(shipped -> pool.withTransaction(conn -> conn.preparedQuery(VerificationQueries.RECORD_DEPLOY)
            .execute(Tuple.of(runId, repoId, name, run.getString("head_branch"), head, started, completed, job.deliveryId()))
            .compose(recorded -> {
              List<BoardEvents.Change> changes = new ArrayList<>();
              Future<Void> chain = Future.succeededFuture();
              for (Row a : shipped) {
                chain = chain.compose(v -> FixAttempts.monitor(conn, a.getLong("id"), runId, head, completed, window).map(deadline -> {
                  if (deadline != null) {
                    FixAttempts.Fixed issue = new FixAttempts.Fixed(a.getLong("workspace_id"), a.getString("workspace"),
                      a.getLong("issue_id"), a.getString("identifier"));
                    changes.add(FixAttempts.change(issue, BoardEvents.FIX_STATUS_CHANGED, "awaiting_deploy", "monitoring",
                      a.getInteger("pr_number"), new JsonObject().put("actor", "fix-verification").put("run_id", runId)
                        .put("workflow", name).put("deployed_sha", head).put("delivery_id", job.deliveryId())
                        .put("verification_deadline", deadline.toInstant().toString())));
                  }
                  return null;
                }));
              }
              return chain.compose(v -> BoardEvents.record(conn, changes));
            }))
          .map(messages -> {
            BoardEvents.publish(vertx, messages);
            return JobOutcome.done("deploy run " + runId + " of " + fullName + " (" + name + "): "
              + messages.size() + " fix attempt(s) now monitored");
          }));
    });
  }

  /** Why this run is no production deploy, or null when it is one. */
  private String notADeploy(String action, JsonObject run, String name) {
    if (!"completed".equals(action)) {
      return "workflow run " + action + ", not completed";
    }
    if (!"success".equals(run.getString("conclusion"))) {
      return "workflow run concluded " + run.getString("conclusion") + ", not success";
    }
    String branch = run.getString("head_branch");
    if (branch == null || !branches.contains(branch)) {
      return "workflow run on branch " + branch + ", not " + String.join("/", branches);
    }
    String lower = name.toLowerCase(Locale.ROOT);
    if (fragments.stream().noneMatch(lower::contains)) {
      return "workflow '" + name + "' is not a production deploy (names containing " + String.join(", ", fragments) + ")";
    }
    if (run.getValue("id") == null || run.getString("head_sha") == null) {
      throw new PermanentJobFailure("workflow run without id or head_sha");
    }
    return null;
  }

  /** The awaiting attempts this deploy ships. */
  private Future<List<Row>> shipped(String fullName, Iterable<Row> awaiting, String head, OffsetDateTime started) {
    List<Future<Row>> checks = new ArrayList<>();
    for (Row a : awaiting) {
      String merged = a.getString("merged_sha");
      Future<Boolean> ships;
      if (head.equals(merged)) {
        ships = Future.succeededFuture(true);
      } else {
        boolean byTime = started != null && !a.getOffsetDateTime("merged_at").isAfter(started);
        ships = ancestry == null || merged == null ? Future.succeededFuture(byTime)
          : ancestry.contains(fullName, merged, head).recover(err -> {
            if (err instanceof RetryLater) {
              // Rate-limited: the job runs again once the limit lifts.
              return Future.failedFuture(err);
            }
            FailureCause cause = FailureCause.of(err);
            String example = merged + " in " + fullName + "@" + head;
            RepeatedFailures.of(vertx, LoggerFactory.getLogger(DeployProcessor.class), Level.WARN, "deploy ancestry checks failed")
              .record(cause, example, () -> "Whether the deploy of " + fullName + "@" + head + " ships " + merged
              + " was not asked of GitHub; judged by merge time: " + cause.text());
            return Future.succeededFuture(byTime);
          });
      }
      checks.add(ships.map(yes -> yes ? a : null));
    }
    return Future.all(checks).map(all -> checks.stream().map(Future::result).filter(r -> r != null).toList());
  }

  private static OffsetDateTime time(JsonObject o, String field, OffsetDateTime fallback) {
    try {
      String s = o.getString(field);
      return s == null ? fallback : OffsetDateTime.parse(s);
    } catch (DateTimeParseException | ClassCastException e) {
      return fallback;
    }
  }
}
