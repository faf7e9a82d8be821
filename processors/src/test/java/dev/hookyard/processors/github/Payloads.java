package dev.hookyard.processors.github;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/** Small webhook payloads in GitHub's shapes, for one repository. */
final class Payloads {

  static final long REPO_ID = 4242;
  static final String REPO = "acme/widgets";

  private Payloads() {
  }

  static JsonObject repository(long id, String fullName) {
    return new JsonObject().put("id", id).put("full_name", fullName).put("name", fullName.substring(fullName.indexOf('/') + 1))
      .put("owner", new JsonObject().put("login", fullName.substring(0, fullName.indexOf('/'))).put("id", 1))
      .put("default_branch", "main").put("pushed_at", 1_790_000_000L);
  }

  static JsonObject account(String login, long id) {
    return new JsonObject().put("login", login).put("id", id).put("type", "User");
  }

  static String sha(long n) {
    return String.format("%040x", n);
  }

  static JsonObject commit(long n, String username, String email, String... modified) {
    JsonObject author = new JsonObject().put("name", username).put("email", email).put("username", username);
    return new JsonObject().put("id", sha(n)).put("message", "change " + n).put("timestamp", "2026-11-20T10:00:00Z")
      .put("author", author).put("committer", author)
      .put("added", new JsonArray()).put("removed", new JsonArray()).put("modified", new JsonArray(java.util.List.of((Object[]) modified)));
  }

  static JsonObject push(String ref, String after, JsonArray commits) {
    return new JsonObject().put("ref", ref).put("before", sha(1)).put("after", after)
      .put("created", false).put("deleted", false).put("forced", false)
      .put("commits", commits).put("head_commit", commits.isEmpty() ? null : commits.getJsonObject(commits.size() - 1))
      .put("repository", repository(REPO_ID, REPO)).put("pusher", new JsonObject().put("name", "dev"))
      .put("sender", account("dev", 77));
  }

  static JsonObject pullRequest(String action, long id, int number, String state, boolean merged,
                                String createdAt, String updatedAt, String closedAt, String mergedAt) {
    JsonObject pr = new JsonObject().put("id", id).put("number", number).put("title", "Fix HY-1 crash").put("body", "Fixes HY-1")
      .put("state", state).put("merged", merged).put("draft", false)
      .put("user", account("alice", 1001))
      .put("head", new JsonObject().put("ref", "fix/hy-1").put("sha", sha(99)))
      .put("base", new JsonObject().put("ref", "main"))
      .put("additions", 10).put("deletions", 2).put("changed_files", 3).put("commits", 1)
      .put("created_at", createdAt).put("updated_at", updatedAt).put("closed_at", closedAt).put("merged_at", mergedAt);
    return new JsonObject().put("action", action).put("number", number).put("pull_request", pr)
      .put("repository", repository(REPO_ID, REPO)).put("sender", account("alice", 1001));
  }

  static JsonObject review(String action, long reviewId, long prId, String reviewer, long reviewerId, String submittedAt, String prCreatedAt) {
    JsonObject review = new JsonObject().put("id", reviewId).put("user", account(reviewer, reviewerId)).put("state", "approved")
      .put("submitted_at", submittedAt);
    JsonObject pr = new JsonObject().put("id", prId).put("number", 1).put("created_at", prCreatedAt).put("user", account("alice", 1001));
    return new JsonObject().put("action", action).put("review", review).put("pull_request", pr)
      .put("repository", repository(REPO_ID, REPO)).put("sender", account(reviewer, reviewerId));
  }

  static JsonObject issue(String action, long id, int number, String state, String createdAt, String updatedAt, String closedAt,
                          JsonObject assignee) {
    JsonObject issue = new JsonObject().put("id", id).put("number", number).put("title", "Crash on save").put("state", state)
      .put("user", account("carol", 3003)).put("assignee", assignee)
      .put("created_at", createdAt).put("updated_at", updatedAt).put("closed_at", closedAt);
    return new JsonObject().put("action", action).put("issue", issue)
      .put("repository", repository(REPO_ID, REPO)).put("sender", account("dave", 4004));
  }
}
