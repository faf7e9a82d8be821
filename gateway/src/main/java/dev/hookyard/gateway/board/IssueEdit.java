package dev.hookyard.gateway.board;

import dev.hookyard.common.Queues;
import dev.hookyard.common.board.BoardEvents;
import dev.hookyard.common.board.IssueStatus;
import dev.hookyard.common.queue.Enqueue;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * A change by hand to one locked issue: the new values, one history row per field
 * that changed, and the embedding asked for again when the text changed.
 */
final class IssueEdit {

  /** Why a change was refused ({@code 409}). */
  record Refusal(String code, String message) {
  }

  record Result(boolean missing, Refusal refusal, List<JsonObject> messages, boolean retitled) {

    static Result notFound() {
      return new Result(true, null, List.of(), false);
    }

    static Result refused(String code, String message) {
      return new Result(false, new Refusal(code, message), List.of(), false);
    }
  }

  private final SqlConnection conn;
  private final Row issue;
  private final IssueRequest req;

  IssueEdit(SqlConnection conn, Row issue, IssueRequest req) {
    this.conn = conn;
    this.issue = issue;
    this.req = req;
  }

  /**
   * An error-sourced issue is closed by hand only once its latest fix is verified in
   * production (automation's own moves are not gated: a merge is not a verified fix,
   * and the issue reopens by itself if the error returns).
   */
  Future<Result> apply() {
    String source = issue.getString("error_source");
    if (!IssueStatus.DONE.equals(req.status()) || IssueStatus.DONE.equals(issue.getString("status")) || source == null) {
      return change();
    }
    String named = issue.getString("identifier") + " is tracked by " + source + " error " + issue.getString("error_external_id");
    return conn.preparedQuery(IssueQueries.LATEST_ATTEMPT).execute(Tuple.of(issue.getLong("id"))).compose(rows -> {
      if (rows.size() == 0) {
        return Future.succeededFuture(Result.refused("close_gated", named + " and has no fix attempt yet; "
          + "it can be closed once a merged fix has been verified in production"));
      }
      Row latest = rows.iterator().next();
      if (!"verified".equals(latest.getString("status"))) {
        return Future.succeededFuture(Result.refused("close_gated", named + " and its latest fix (PR #"
          + latest.getInteger("pr_number") + ") is " + latest.getString("status") + ", not verified"));
      }
      return change();
    });
  }

  private Future<Result> change() {
    String title = or(req.title(), issue.getString("title"));
    String description = or(req.description(), issue.getString("description"));
    String status = or(req.status(), issue.getString("status"));
    String priority = or(req.priority(), issue.getString("priority"));
    List<String> before = Arrays.asList(issue.getArrayOfStrings("labels"));
    List<String> labels = req.labels() == null ? before : req.labels();

    List<BoardEvents.Change> changes = new ArrayList<>();
    change(changes, BoardEvents.STATUS_CHANGED, issue.getString("status"), status);
    change(changes, BoardEvents.PRIORITY_CHANGED, issue.getString("priority"), priority);
    change(changes, BoardEvents.TITLE_CHANGED, issue.getString("title"), title);
    if (!before.equals(labels)) {
      change(changes, BoardEvents.LABELS_CHANGED, new JsonArray(before).encode(), new JsonArray(labels).encode());
    }
    boolean retext = !title.equals(issue.getString("title")) || !Objects.equals(description, issue.getString("description"));
    if (changes.isEmpty() && !retext) {
      return Future.succeededFuture(new Result(false, null, List.of(), false));
    }
    long id = issue.getLong("id");
    return conn.preparedQuery(IssueQueries.UPDATE)
      .execute(Tuple.of(id, title, description, status, priority, labels.toArray(new String[0])))
      .compose(v -> BoardEvents.record(conn, changes))
      .compose(messages -> (retext ? embedSoon(conn, id) : Future.<Void>succeededFuture())
        .map(v -> new Result(false, null, messages, retext)));
  }

  private void change(List<BoardEvents.Change> changes, String type, String from, String to) {
    if (!Objects.equals(from, to)) {
      changes.add(new BoardEvents.Change(issue.getLong("workspace_id"), issue.getString("workspace"), issue.getLong("id"),
        issue.getString("identifier"), type, from, to, null, new JsonObject().put("actor", "api")));
    }
  }

  private static String or(String wanted, String current) {
    return wanted == null ? current : wanted;
  }

  /** Asks for the issue's embedding to be computed, in the caller's transaction. */
  static Future<Void> embedSoon(SqlConnection conn, long issueId) {
    return Enqueue.debounced(conn, Queues.ISSUE_EMBEDDING, new JsonObject().put("issue_id", issueId),
      "embed:" + issueId, 0).mapEmpty();
  }
}
