package dev.hookyard.common.board;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * A board message in words, as a person reads it on the board ("ACME-1 moved to Done:
 * PR #2 merged"): what changed, and what made it — the PR and what it did, how it was
 * matched and how sure the matcher was, a person, or fix verification. Every message
 * carries it as {@code text}, so the page, Server-Sent Events clients and the history
 * say the same thing.
 */
public final class BoardSentences {

  /** The sentence for one message ({@code type, identifier, from, to, pr_number, cause}). */
  public static String describe(String type, String identifier, String from, String to, Integer prNumber, JsonObject cause) {
    JsonObject c = cause == null ? new JsonObject() : cause;
    String id = identifier == null ? "An issue" : identifier;
    String pr = prNumber == null ? "a PR" : "PR #" + prNumber;
    if (type == null) {
      return id + " changed";
    }
    return switch (type) {
      case BoardEvents.CREATED -> id + " created in " + or(to, IssueStatus.BACKLOG);
      case BoardEvents.STATUS_CHANGED -> id + (backwards(from, to) ? " moved back to " : " moved to ") + to + because(c, pr, prNumber);
      case BoardEvents.PRIORITY_CHANGED -> id + " is now " + to + " (was " + from + ")" + because(c, pr, prNumber);
      case BoardEvents.TITLE_CHANGED -> id + " renamed “" + to + "”";
      case BoardEvents.LABELS_CHANGED -> id + " labels: " + labels(to) + because(c, pr, prNumber);
      case BoardEvents.PR_LINKED -> pr + " linked to " + id + matched(c) + ("draft".equals(to) ? " (a draft)" : "");
      case BoardEvents.PR_LINK_CHANGED -> switch (c.getString("field", "status")) {
        case "strength" -> "closes".equals(to) ? pr + " now closes " + id : pr + " now only refers to " + id;
        case "title" -> pr + " of " + id + " renamed “" + to + "”";
        default -> pr + " of " + id + " is now " + linkState(to);
      };
      case BoardEvents.SUGGESTED -> pr + " may concern " + id + similarity(c) + ": a suggestion for a person to judge";
      case BoardEvents.COMMENTED -> "Comment on " + id + ("fix-verification".equals(c.getString("actor")) ? " from fix verification" : "");
      case BoardEvents.FIX_STATUS_CHANGED -> fix(id, pr, to, c);
      case BoardEvents.ALERT_RECEIVED -> "An alert from " + or(to, "monitoring") + " for " + id;
      default -> id + ": " + type + (from != null || to != null ? " " + or(from, "–") + " → " + or(to, "–") : "");
    };
  }

  private static String because(JsonObject c, String pr, Integer prNumber) {
    String actor = c.getString("actor");
    if ("api".equals(actor)) {
      return " by hand";
    }
    if ("fix-verification".equals(actor)) {
      return ": its fix failed in production";
    }
    if (!"automation".equals(actor)) {
      return "";
    }
    String what = switch (c.getString("action", "")) {
      case "closed" -> "merged";
      case "opened" -> c.getBoolean("draft", false) ? "opened as a draft" : "opened";
      case "reopened" -> "reopened";
      case "ready_for_review" -> "ready for review";
      case "review_requested" -> "up for review";
      case "converted_to_draft" -> "turned into a draft";
      case "edited" -> "now names it";
      case "synchronize" -> "updated";
      default -> c.getString("action", "changed");
    };
    String layer = c.getString("layer");
    String how = layer == null || layer.equals("explicit") ? "" : matchedAs(layer, c.getInteger("confidence"));
    return ": " + pr + " " + what + (how.isEmpty() ? "" : " (" + how + ")");
  }

  private static String matched(JsonObject c) {
    String layer = c.getString("layer");
    return layer == null ? "" : ": " + matchedAs(layer, c.getInteger("confidence"));
  }

  private static String matchedAs(String layer, Integer confidence) {
    return switch (layer) {
      case "explicit" -> "it names the issue";
      case "release" -> "a release that includes it";
      case "llm" -> "matched by meaning, the LLM " + (confidence == null ? "agreeing" : confidence + "% sure");
      case "semantic" -> "matched by meaning";
      default -> "matched (" + layer + ")";
    };
  }

  private static String similarity(JsonObject c) {
    Object s = c.getValue("similarity");
    return s instanceof Number n ? " (similarity " + Math.round(n.doubleValue() * 100) + "%)" : "";
  }

  private static String fix(String id, String pr, String to, JsonObject c) {
    String fix = id + "'s fix (" + pr + ")";
    return switch (or(to, "")) {
      case "awaiting_deploy" -> fix + " merged; awaiting a production deploy";
      case "monitoring" -> fix + " is in production; monitoring until " + or(c.getString("verification_deadline"), "its deadline");
      case "verified" -> fix + " is verified: no error while it was monitored";
      case "failed" -> fix + " failed" + (c.getString("reason") == null ? "" : ": " + c.getString("reason"));
      default -> fix + " is " + to;
    };
  }

  private static String linkState(String status) {
    return switch (or(status, "")) {
      case "merged" -> "merged";
      case "closed" -> "closed without merging";
      case "draft" -> "a draft";
      case "open" -> "open";
      default -> status;
    };
  }

  private static String labels(String encoded) {
    try {
      JsonArray a = new JsonArray(or(encoded, "[]"));
      return a.isEmpty() ? "none" : String.join(", ", a.stream().map(String::valueOf).toList());
    } catch (RuntimeException e) {
      return encoded;
    }
  }

  private static boolean backwards(String from, String to) {
    return from != null && to != null && IssueStatus.rank(to) < IssueStatus.rank(from);
  }

  private static String or(String s, String otherwise) {
    return s == null ? otherwise : s;
  }

  private BoardSentences() {
  }
}
