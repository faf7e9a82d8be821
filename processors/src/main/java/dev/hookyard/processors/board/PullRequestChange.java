package dev.hookyard.processors.board;

import dev.hookyard.common.board.PullRequestStates;
import dev.hookyard.common.queue.PermanentJobFailure;
import io.vertx.core.json.JsonObject;

import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;

/** A stored pull-request state, as one workspace's board automation receives it. */
record PullRequestChange(long workspaceId, String workspace, long repositoryId, String repository, int number,
                         String action, String state, boolean draft, String phase, String title, String body,
                         String headRef, String baseRef, String url, String mergeCommitSha, OffsetDateTime at,
                         String deliveryId) {

  static PullRequestChange from(long jobId, JsonObject p) {
    try {
      String state = require(p, "state");
      boolean draft = p.getBoolean("draft", false);
      String action = require(p, "action");
      // Jobs queued before phases were recorded carry none: the state and action give it.
      String phase = p.getString("phase", PullRequestStates.phase(state, draft, action));
      return new PullRequestChange(p.getLong("workspace_id"), require(p, "workspace"), p.getLong("repository_id"),
        require(p, "repository"), p.getInteger("number"), action, state, draft, phase,
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
    return state.equals(PullRequestStates.MERGED);
  }

  boolean closedUnmerged() {
    return state.equals(PullRequestStates.CLOSED);
  }

  /** The link's status for this PR state: open, draft, closed (unmerged) or merged. */
  String linkStatus() {
    return merged() ? "merged" : closedUnmerged() ? "closed" : draft ? "draft" : "open";
  }

  /**
   * Which workspace setting ({@link PullRequestStates#DEFAULT_STATUSES}) says where this
   * event takes a closing PR's issues, or null when it takes them nowhere.
   * {@code newlyOpen}: the link is new, or was closed until now.
   */
  String statusSetting(boolean newlyOpen) {
    if (merged()) {
      return PullRequestStates.ON_MERGED;
    }
    if (!state.equals(PullRequestStates.OPEN)) {
      return null;
    }
    if (draft) {
      boolean opens = newlyOpen || action.equals("opened") || action.equals("reopened") || action.equals("converted_to_draft");
      return opens ? PullRequestStates.ON_DRAFT : null;
    }
    return switch (action) {
      case "ready_for_review" -> PullRequestStates.ON_READY_FOR_REVIEW;
      case "review_requested" -> PullRequestStates.ON_REVIEW_REQUESTED;
      case "opened", "reopened" -> PullRequestStates.ON_OPENED;
      default -> newlyOpen ? PullRequestStates.ON_OPENED : null;
    };
  }
}
