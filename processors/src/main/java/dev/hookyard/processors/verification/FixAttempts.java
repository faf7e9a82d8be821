package dev.hookyard.processors.verification;

import dev.hookyard.common.board.BoardEvents;
import dev.hookyard.common.board.IssueStatus;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;

import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Fix attempts of error-sourced issues: opened when a PR that closes one merges
 * ({@code awaiting_deploy}, or straight to {@code monitoring} when its deploy was seen
 * first), and failed when the error comes back. Every step is a history row.
 */
public final class FixAttempts {

  public static final String FIX_FAILED_LABEL = "Fix Failed";

  /** The issue a merged PR closes. */
  public record Fixed(long workspaceId, String workspace, long issueId, String identifier) {
  }

  /** The merged PR. */
  public record Merge(long repositoryId, int prNumber, String title, String url, String mergedSha, OffsetDateTime mergedAt,
                      String deliveryId) {
  }

  /** Opens an attempt for {@code merge} on {@code issue} (once per PR); the history changes it made. */
  public static Future<List<BoardEvents.Change>> open(SqlConnection conn, Fixed issue, Merge merge, Duration window) {
    return conn.preparedQuery(VerificationQueries.CREATE_ATTEMPT).execute(Tuple.tuple().addLong(issue.issueId())
        .addLong(merge.repositoryId()).addInteger(merge.prNumber()).addString(merge.title()).addString(merge.url())
        .addString(merge.mergedSha()).addOffsetDateTime(merge.mergedAt()))
      .compose(rows -> {
        if (rows.size() == 0) {
          return Future.succeededFuture(List.<BoardEvents.Change>of());
        }
        long attempt = rows.iterator().next().getLong("id");
        List<BoardEvents.Change> changes = new ArrayList<>();
        JsonObject cause = new JsonObject().put("actor", "fix-verification").put("pr_number", merge.prNumber())
          .put("merged_sha", merge.mergedSha()).put("delivery_id", merge.deliveryId()).put("attempt_id", attempt);
        changes.add(change(issue, BoardEvents.FIX_STATUS_CHANGED, null, "awaiting_deploy", merge.prNumber(), cause));
        return conn.preparedQuery(VerificationQueries.COVERING_DEPLOY)
          .execute(Tuple.of(merge.repositoryId(), merge.mergedSha(), merge.mergedAt()))
          .compose(deploys -> {
            if (deploys.size() == 0) {
              return Future.succeededFuture(changes);
            }
            Row deploy = deploys.iterator().next();
            return monitor(conn, attempt, deploy.getLong("run_id"), deploy.getString("head_sha"),
              deploy.getOffsetDateTime("completed_at"), window).map(deadline -> {
                changes.add(change(issue, BoardEvents.FIX_STATUS_CHANGED, "awaiting_deploy", "monitoring", merge.prNumber(),
                  cause.copy().put("run_id", deploy.getLong("run_id")).put("workflow", deploy.getString("workflow"))
                    .put("deployed_sha", deploy.getString("head_sha")).put("verification_deadline", deadline.toInstant().toString())));
                return changes;
              });
          });
      });
  }

  /** Moves an awaiting attempt to monitoring; its verification deadline. */
  static Future<OffsetDateTime> monitor(SqlConnection conn, long attempt, long runId, String sha, OffsetDateTime deployedAt,
                                        Duration window) {
    return conn.preparedQuery(VerificationQueries.MONITOR)
      .execute(Tuple.of(attempt, runId, sha, deployedAt, (double) window.toSeconds()))
      .map(rows -> rows.size() == 0 ? null : rows.iterator().next().getOffsetDateTime("verification_deadline"));
  }

  /** An alert matched to a locked issue row: the fix fails when one is in flight, otherwise it is recorded. */
  static Future<List<BoardEvents.Change>> alert(SqlConnection conn, Row issue, Alert alert) {
    long issueId = issue.getLong("id");
    Fixed fixed = new Fixed(issue.getLong("workspace_id"), issue.getString("workspace"), issueId, issue.getString("identifier"));
    return conn.preparedQuery(VerificationQueries.RECORD_ALERT).execute(Tuple.of(issueId, alert.source(), alert.externalId(),
        alert.deliveryId(), alert.title(), alert.events()))
      .compose(recorded -> {
        if (recorded.size() == 0) {
          return Future.succeededFuture(List.<BoardEvents.Change>of());
        }
        long alertId = recorded.iterator().next().getLong("id");
        return conn.preparedQuery(VerificationQueries.LATEST_ATTEMPT).execute(Tuple.of(issueId)).compose(attempts -> {
          Row attempt = attempts.size() == 0 ? null : attempts.iterator().next();
          return inFlight(conn, attempt).compose(failing -> failing
            ? fail(conn, issue, fixed, attempt, alert, alertId)
            : Future.succeededFuture(List.of(change(fixed, BoardEvents.ALERT_RECEIVED, null, alert.source(), null,
              alert.cause().put("attempt_status", attempt == null ? null : attempt.getString("status"))))));
        });
      });
  }

  /** Monitoring, or awaiting a deploy that has in fact already shipped it. */
  private static Future<Boolean> inFlight(SqlConnection conn, Row attempt) {
    if (attempt == null) {
      return Future.succeededFuture(false);
    }
    String status = attempt.getString("status");
    if (status.equals("monitoring")) {
      return Future.succeededFuture(true);
    }
    if (!status.equals("awaiting_deploy")) {
      return Future.succeededFuture(false);
    }
    return conn.preparedQuery(VerificationQueries.COVERING_DEPLOY).execute(Tuple.of(attempt.getLong("repository_id"),
      attempt.getString("merged_sha"), attempt.getOffsetDateTime("merged_at"))).map(rows -> rows.size() > 0);
  }

  private static Future<List<BoardEvents.Change>> fail(SqlConnection conn, Row issue, Fixed fixed, Row attempt, Alert alert,
                                                       long alertId) {
    long attemptId = attempt.getLong("id");
    int pr = attempt.getInteger("pr_number");
    String reason = alert.source() + " alert " + alert.externalId() + (alert.title() == null ? "" : " (" + alert.title() + ")")
      + ": " + alert.events() + " event" + (alert.events() == 1 ? "" : "s") + " after the fix in PR #" + pr + " was deployed";
    String status = issue.getString("status");
    String priority = issue.getString("priority");
    String escalated = IssueStatus.escalate(priority);
    List<String> labels = new ArrayList<>(Arrays.asList(issue.getArrayOfStrings("labels")));
    List<String> before = List.copyOf(labels);
    if (!labels.contains(FIX_FAILED_LABEL)) {
      labels.add(FIX_FAILED_LABEL);
    }
    String comment = "Fix failed: " + reason + ". Moved back to " + IssueStatus.BACKLOG
      + (escalated.equals(priority) ? "" : " and escalated from " + priority + " to " + escalated) + " (delivery " + alert.deliveryId() + ").";
    JsonObject cause = alert.cause().put("attempt_id", attemptId).put("pr_number", pr);
    List<BoardEvents.Change> changes = new ArrayList<>();
    changes.add(change(fixed, BoardEvents.FIX_STATUS_CHANGED, attempt.getString("status"), "failed", pr, cause.copy().put("reason", reason)));
    if (!status.equals(IssueStatus.BACKLOG)) {
      changes.add(change(fixed, BoardEvents.STATUS_CHANGED, status, IssueStatus.BACKLOG, pr, cause));
    }
    if (!escalated.equals(priority)) {
      changes.add(change(fixed, BoardEvents.PRIORITY_CHANGED, priority, escalated, pr, cause));
    }
    if (!before.equals(labels)) {
      changes.add(change(fixed, BoardEvents.LABELS_CHANGED, new JsonArray(before).encode(), new JsonArray(labels).encode(), pr, cause));
    }
    return conn.preparedQuery(VerificationQueries.FAIL_ATTEMPT).execute(Tuple.of(attemptId, reason, alert.events()))
      .compose(v -> conn.preparedQuery(VerificationQueries.REOPEN_ISSUE)
        .execute(Tuple.of(fixed.issueId(), IssueStatus.BACKLOG, escalated, labels.toArray(new String[0]))))
      .compose(v -> conn.preparedQuery(VerificationQueries.ALERT_FAILED).execute(Tuple.of(alertId, attemptId)))
      .compose(v -> conn.preparedQuery(VerificationQueries.COMMENT).execute(Tuple.of(fixed.issueId(), "hookyard", comment)))
      .map(rows -> {
        changes.add(change(fixed, BoardEvents.COMMENTED, null, null, pr,
          cause.copy().put("comment_id", rows.iterator().next().getLong("id"))));
        return changes;
      });
  }

  static BoardEvents.Change change(Fixed issue, String type, String from, String to, Integer pr, JsonObject cause) {
    return new BoardEvents.Change(issue.workspaceId(), issue.workspace(), issue.issueId(), issue.identifier(), type, from, to,
      pr, cause);
  }

  /** One alert as read from a Sentry or Loki delivery. */
  record Alert(String source, String externalId, String deliveryId, String title, int events) {

    JsonObject cause() {
      return new JsonObject().put("actor", "fix-verification").put("source", source).put("external_id", externalId)
        .put("delivery_id", deliveryId).put("events", events);
    }
  }

  private FixAttempts() {
  }
}
