package dev.hookyard.processors.board;

import dev.hookyard.common.queue.PermanentJobFailure;
import io.vertx.core.json.JsonObject;

import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;

/** A stored pull-request state, as one workspace's board automation receives it. */
record PullRequestChange(long workspaceId, String workspace, long repositoryId, String repository, int number,
                         String action, String state, String title, String body, String headRef, String baseRef,
                         String url, String mergeCommitSha, OffsetDateTime at, String deliveryId) {

  static PullRequestChange from(long jobId, JsonObject p) {
    try {
      return new PullRequestChange(p.getLong("workspace_id"), require(p, "workspace"), p.getLong("repository_id"),
        require(p, "repository"), p.getInteger("number"), require(p, "action"), require(p, "state"),
        p.getString("title", ""), p.getString("body"), p.getString("head_ref"), p.getString("base_ref"),
        p.getString("url"), p.getString("merge_commit_sha"), OffsetDateTime.parse(require(p, "at")), p.getString("delivery_id"));
    } catch (NullPointerException | ClassCastException | DateTimeParseException | IllegalArgumentException e) {
      throw new PermanentJobFailure("board automation job " + jobId + " lacks a pull request: " + e.getMessage());
    }
  }

  private static String require(JsonObject p, String field) {
    String v = p.getString(field);
    if (v == null) {
      throw new IllegalArgumentException("no " + field);
    }
    return v;
  }

  boolean merged() {
    return state.equals("MERGED");
  }

  boolean closedUnmerged() {
    return state.equals("CLOSED");
  }

  /** The link's status for this PR state: open, closed (unmerged) or merged. */
  String linkStatus() {
    return merged() ? "merged" : closedUnmerged() ? "closed" : "open";
  }

  /** Ordering of states carrying the same {@code updated_at}: the later state wins. */
  static int stateRank(String state) {
    return switch (state) {
      case "MERGED" -> 2;
      case "CLOSED" -> 1;
      default -> 0;
    };
  }

  /** Whether this event puts the PR up for review (so its issues move to In Review). */
  boolean opensReview() {
    return state.equals("OPEN") && (action.equals("opened") || action.equals("reopened") || action.equals("ready_for_review"));
  }
}
