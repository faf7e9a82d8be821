package dev.hookyard.processors.matching;

import io.vertx.core.json.JsonObject;

/** A {@code matching.request} message, checked: {@link #parse} names what is wrong. */
record MatchRequest(long workspaceId, String issuePrefix, String title, String body, String headRef, boolean semantic) {

  static final String TYPE = "matching.request";

  static MatchRequest parse(Object message) {
    if (!(message instanceof JsonObject m)) {
      throw new IllegalArgumentException("a matching request is a JSON object");
    }
    Object type = m.getValue("type");
    if (type != null && !TYPE.equals(type)) {
      throw new IllegalArgumentException("type must be " + TYPE + ", got " + type);
    }
    if (!(m.getValue("workspace_id") instanceof Number workspace)) {
      throw new IllegalArgumentException("workspace_id must be a number");
    }
    String prefix = text(m, "issue_prefix");
    if (prefix == null || prefix.isBlank()) {
      throw new IllegalArgumentException("issue_prefix is required");
    }
    Object semantic = m.getValue("semantic");
    if (semantic != null && !(semantic instanceof Boolean)) {
      throw new IllegalArgumentException("semantic must be true or false");
    }
    return new MatchRequest(workspace.longValue(), prefix, text(m, "title"), text(m, "body"), text(m, "head_ref"),
      Boolean.TRUE.equals(semantic));
  }

  private static String text(JsonObject m, String field) {
    Object v = m.getValue(field);
    if (v != null && !(v instanceof String)) {
      throw new IllegalArgumentException(field + " must be a string");
    }
    return (String) v;
  }

  /** What the pull request is embedded from: its title and description. */
  String text() {
    return (title == null ? "" : title) + "\n\n" + (body == null ? "" : body);
  }

  LlmVerifier.PullRequest pullRequest() {
    return new LlmVerifier.PullRequest(title, body, headRef);
  }
}
