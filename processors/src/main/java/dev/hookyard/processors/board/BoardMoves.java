package dev.hookyard.processors.board;

import dev.hookyard.common.board.BoardEvents;
import dev.hookyard.common.board.IssueReferences;
import dev.hookyard.common.board.IssueStatus;
import dev.hookyard.common.board.PullRequestStates;
import dev.hookyard.processors.verification.FixAttempts;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * One pull-request state applied to one workspace's board, inside one transaction:
 * links created or updated, issues moved (only ever forward), suggestions kept, and a
 * history row for each — which become the board's messages after the commit.
 */
final class BoardMoves {

  /** What the transaction did: the messages to publish and a one-line summary. */
  record Applied(boolean stale, List<JsonObject> messages, String summary) {
  }

  /** A link this PR should have to an issue, and why. */
  private record Wanted(String strength, String layer, int confidence) {
  }

  private final SqlConnection conn;
  private final PullRequestChange pr;
  private final Matches matches;
  private final JsonObject statuses;
  private final Duration window;
  private final List<BoardEvents.Change> changes = new ArrayList<>();
  private final List<String> notes = new ArrayList<>();

  /** {@code statuses}: the workspace's pull-request settings ({@code PullRequestStates.effective}). */
  BoardMoves(SqlConnection conn, PullRequestChange pr, Matches matches, JsonObject statuses, Duration window) {
    this.conn = conn;
    this.statuses = statuses;
    this.pr = pr;
    this.matches = matches;
    this.window = window;
  }

  Future<Applied> apply() {
    return conn.preparedQuery(AutomationQueries.CLAIM)
      .execute(Tuple.of(pr.workspaceId(), pr.repositoryId(), pr.number(), pr.phase(), pr.at(), PullRequestStates.phaseArray()))
      .compose(claimed -> claimed.size() == 0
        ? Future.succeededFuture(new Applied(true, List.of(), "PR #" + pr.number() + " " + pr.action()
          + " is not newer than what the board already shows"))
        : applyClaimed());
  }

  private Future<Applied> applyClaimed() {
    Map<String, Wanted> byIdentifier = new LinkedHashMap<>();
    for (IssueReferences.Reference ref : matches.explicit()) {
      byIdentifier.put(ref.identifier().toUpperCase(Locale.ROOT), new Wanted(ref.strength(), matches.layerOfExplicit(), 100));
    }
    Map<Long, Wanted> byId = new LinkedHashMap<>();
    List<Long> candidateIds = new ArrayList<>();
    for (Matches.Candidate c : matches.candidates()) {
      candidateIds.add(c.issueId());
      if (c.linked() && !byIdentifier.containsKey(c.identifier().toUpperCase(Locale.ROOT))) {
        byId.put(c.issueId(), new Wanted(IssueReferences.CLOSES, "llm", c.confidence() == null ? 0 : c.confidence()));
      }
    }
    List<Long> linkedIds = new ArrayList<>(byId.keySet());
    return conn.preparedQuery(AutomationQueries.ISSUES).execute(Tuple.of(pr.workspaceId(), pr.repositoryId(), pr.number(),
        byIdentifier.keySet().toArray(new String[0]), linkedIds.toArray(new Long[0])))
      .compose(rows -> {
        Future<Void> chain = Future.succeededFuture();
        Map<Long, Row> issues = new LinkedHashMap<>();
        for (Row issue : rows) {
          issues.put(issue.getLong("id"), issue);
          Wanted wanted = byIdentifier.getOrDefault(issue.getString("identifier").toUpperCase(Locale.ROOT),
            byId.get(issue.getLong("id")));
          chain = chain.compose(v -> applyToIssue(issue, wanted));
        }
        for (Matches.Candidate c : matches.candidates()) {
          Row issue = issues.get(c.issueId());
          boolean linkedNow = issue != null && (issue.getString("link_status") != null || byId.containsKey(c.issueId()));
          if (!linkedNow) {
            chain = chain.compose(v -> suggest(c));
          }
        }
        return chain;
      })
      .compose(v -> BoardEvents.record(conn, changes))
      .map(messages -> new Applied(false, messages, "PR #" + pr.number() + " " + pr.action()
        + (notes.isEmpty() ? ": no issue concerned" : ": " + String.join("; ", notes))));
  }

  /** Links or updates the link to one issue, then moves the issue if the PR says so. */
  private Future<Void> applyToIssue(Row issue, Wanted wanted) {
    long issueId = issue.getLong("id");
    String identifier = issue.getString("identifier");
    String before = issue.getString("link_status");
    String status = pr.linkStatus();
    Future<Void> linked;
    String strength;
    String layer;
    int confidence;
    boolean newLink = before == null;
    if (newLink) {
      if (wanted == null) {
        return Future.succeededFuture();
      }
      strength = wanted.strength();
      layer = wanted.layer();
      confidence = wanted.confidence();
      linked = conn.preparedQuery(AutomationQueries.LINK).execute(Tuple.tuple().addLong(issueId).addLong(pr.repositoryId())
          .addInteger(pr.number()).addString(pr.title()).addString(pr.url()).addString(pr.headRef())
          .addString(pr.merged() ? pr.mergeCommitSha() : null).addOffsetDateTime(pr.merged() ? pr.at() : null)
          .addString(status).addString(strength).addString(layer).addInteger(confidence))
        .map(r -> {
          change(issue, BoardEvents.PR_LINKED, null, status, cause(layer, confidence).put("strength", strength));
          notes.add("linked " + identifier + " (" + layer + ", " + strength + ")");
          return null;
        });
    } else {
      String oldStrength = issue.getString("strength");
      // A PR that now says "fixes" where it only referred before closes the issue from here on.
      strength = wanted != null && wanted.strength().equals(IssueReferences.CLOSES) ? IssueReferences.CLOSES : oldStrength;
      layer = issue.getString("match_layer");
      confidence = issue.getInteger("match_confidence");
      String oldTitle = issue.getString("pr_title");
      boolean changed = !before.equals(status) || !strength.equals(oldStrength) || !Objects.equals(oldTitle, pr.title());
      linked = !changed ? Future.succeededFuture() : conn.preparedQuery(AutomationQueries.UPDATE_LINK)
        .execute(Tuple.tuple().addLong(issueId).addLong(pr.repositoryId()).addInteger(pr.number()).addString(status)
          .addString(strength).addString(pr.title()).addString(pr.url())
          .addString(pr.merged() ? pr.mergeCommitSha() : null).addOffsetDateTime(pr.merged() ? pr.at() : null))
        .map(r -> {
          if (!before.equals(status)) {
            change(issue, BoardEvents.PR_LINK_CHANGED, before, status, cause(layer, confidence).put("field", "status"));
            notes.add(identifier + " link " + before + " → " + status);
          }
          if (!strength.equals(oldStrength)) {
            change(issue, BoardEvents.PR_LINK_CHANGED, oldStrength, strength, cause(layer, confidence).put("field", "strength"));
          }
          if (!Objects.equals(oldTitle, pr.title())) {
            change(issue, BoardEvents.PR_LINK_CHANGED, oldTitle, pr.title(), cause(layer, confidence).put("field", "title"));
          }
          return null;
        });
    }
    String target = target(strength, newLink || "closed".equals(before));
    String current = issue.getString("status");
    Future<Void> moved = target == null || !IssueStatus.isForward(current, target) ? linked
      : linked.compose(v -> conn.preparedQuery(AutomationQueries.MOVE).execute(Tuple.of(issueId, target))).map(r -> {
        change(issue, BoardEvents.STATUS_CHANGED, current, target, cause(layer, confidence));
        notes.add(identifier + " " + current + " → " + target);
        return null;
      });
    // A merged fix of an error-sourced issue is verified against production before it counts.
    if (!pr.merged() || !IssueReferences.CLOSES.equals(strength) || issue.getString("error_source") == null) {
      return moved;
    }
    return moved.compose(v -> FixAttempts.open(conn,
        new FixAttempts.Fixed(pr.workspaceId(), pr.workspace(), issueId, identifier),
        new FixAttempts.Merge(pr.repositoryId(), pr.number(), pr.title(), pr.url(), pr.mergeCommitSha(), pr.at(), pr.deliveryId()),
        window))
      .map(made -> {
        changes.addAll(made);
        made.forEach(c -> notes.add(identifier + " fix " + c.to()));
        return null;
      });
  }

  /**
   * Where a closing link takes its issue: the workspace's status for this event (by
   * default In Progress for a draft, In Review when opened or up for review, Done on merge).
   */
  private String target(String strength, boolean newlyOpen) {
    if (!IssueReferences.CLOSES.equals(strength)) {
      return null;
    }
    String setting = pr.statusSetting(newlyOpen);
    return setting == null ? null : IssueStatus.parse(statuses.getString(setting));
  }

  private Future<Void> suggest(Matches.Candidate c) {
    return conn.preparedQuery(AutomationQueries.SUGGEST).execute(Tuple.tuple().addLong(c.issueId()).addLong(pr.repositoryId())
        .addInteger(pr.number()).addString(pr.title()).addFloat((float) c.similarity()).addInteger(c.confidence())
        .addString(c.reason()))
      .map(rows -> {
        if (rows.iterator().next().getBoolean("inserted")) {
          changes.add(new BoardEvents.Change(pr.workspaceId(), pr.workspace(), c.issueId(), c.identifier(), BoardEvents.SUGGESTED,
            null, "#" + pr.number(), pr.number(), cause("semantic", c.confidence() == null ? 0 : c.confidence())
              .put("similarity", Math.round(c.similarity() * 1000) / 1000.0).put("verifier", matches.verifier())));
          notes.add("suggested " + c.identifier());
        }
        return null;
      });
  }

  private void change(Row issue, String type, String from, String to, JsonObject cause) {
    changes.add(new BoardEvents.Change(pr.workspaceId(), pr.workspace(), issue.getLong("id"), issue.getString("identifier"),
      type, from, to, pr.number(), cause));
  }

  private JsonObject cause(String layer, int confidence) {
    return new JsonObject().put("actor", "automation").put("repository", pr.repository()).put("pr_number", pr.number())
      .put("action", pr.action()).put("draft", pr.draft()).put("layer", layer).put("confidence", confidence)
      .put("delivery_id", pr.deliveryId());
  }
}
