package dev.hookyard.gateway.board;

import dev.hookyard.common.board.BoardSentences;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;

import java.util.Arrays;
import java.util.List;

import static dev.hookyard.common.JsonDates.iso;

/** An issue as the API shows it: the row, and everything hanging off it. */
final class IssueView {

  /** The whole issue, or null when the workspace has none by that identifier. */
  static Future<JsonObject> read(Pool pool, String slug, String identifier) {
    return pool.preparedQuery(IssueQueries.GET).execute(Tuple.of(slug, identifier)).compose(rows -> {
      if (rows.size() == 0) {
        return Future.succeededFuture((JsonObject) null);
      }
      Row r = rows.iterator().next();
      Tuple id = Tuple.of(r.getLong("id"));
      JsonObject issue = summary(r).put("description", r.getString("description"));
      Future<JsonArray> prs = list(pool, IssueQueries.PRS, id, p -> new JsonObject()
        .put("repository", p.getString("repository")).put("number", p.getInteger("pr_number"))
        .put("title", p.getString("pr_title")).put("url", p.getString("pr_url")).put("status", p.getString("status"))
        .put("strength", p.getString("strength")).put("match_layer", p.getString("match_layer"))
        .put("match_confidence", p.getInteger("match_confidence")).put("head_ref", p.getString("head_ref"))
        .put("merged_sha", p.getString("merged_sha")).put("merged_at", iso(p.getOffsetDateTime("merged_at")))
        .put("linked_at", iso(p.getOffsetDateTime("linked_at"))));
      Future<JsonArray> suggestions = list(pool, IssueQueries.SUGGESTIONS, id, s -> new JsonObject()
        .put("repository", s.getString("repository")).put("number", s.getInteger("pr_number"))
        .put("title", s.getString("pr_title")).put("similarity", Math.round(s.getFloat("similarity") * 1000) / 1000.0)
        .put("confidence", s.getInteger("confidence")).put("reason", s.getString("reason"))
        .put("created_at", iso(s.getOffsetDateTime("created_at"))));
      String named = r.getString("identifier");
      Future<JsonArray> history = list(pool, IssueQueries.HISTORY, id, h -> new JsonObject()
        .put("id", h.getLong("id")).put("type", h.getString("type")).put("from", h.getString("from_value"))
        .put("to", h.getString("to_value")).put("pr_number", h.getInteger("pr_number"))
        .put("cause", h.getValue("cause")).put("at", iso(h.getOffsetDateTime("at")))
        .put("text", BoardSentences.describe(h.getString("type"), named, h.getString("from_value"),
          h.getString("to_value"), h.getInteger("pr_number"), h.getJsonObject("cause"))));
      Future<JsonArray> comments = list(pool, IssueQueries.COMMENTS, id, c -> new JsonObject()
        .put("id", c.getLong("id")).put("author", c.getString("author")).put("body", c.getString("body"))
        .put("created_at", iso(c.getOffsetDateTime("created_at"))));
      Future<JsonArray> attempts = list(pool, IssueQueries.FIX_ATTEMPTS, id, a -> new JsonObject()
        .put("id", a.getLong("id")).put("repository", a.getString("repository")).put("pr_number", a.getInteger("pr_number"))
        .put("pr_title", a.getString("pr_title")).put("pr_url", a.getString("pr_url"))
        .put("merged_sha", a.getString("merged_sha")).put("merged_at", iso(a.getOffsetDateTime("merged_at")))
        .put("verification_status", a.getString("status")).put("deployed_sha", a.getString("deployed_sha"))
        .put("deployed_at", iso(a.getOffsetDateTime("deployed_at")))
        .put("verification_deadline", iso(a.getOffsetDateTime("verification_deadline")))
        .put("verified_at", iso(a.getOffsetDateTime("verified_at"))).put("failed_at", iso(a.getOffsetDateTime("failed_at")))
        .put("failure_reason", a.getString("failure_reason")).put("failure_events", a.getInteger("failure_events")));
      Future<JsonArray> alerts = list(pool, IssueQueries.ALERTS, id, a -> new JsonObject()
        .put("id", a.getLong("id")).put("source", a.getString("source")).put("external_id", a.getString("external_id"))
        .put("delivery_id", a.getString("delivery_id")).put("title", a.getString("title")).put("events", a.getInteger("events"))
        .put("failed_fix_attempt", a.getLong("failed_attempt_id")).put("received_at", iso(a.getOffsetDateTime("received_at"))));
      return Future.all(List.of(prs, suggestions, history, comments, attempts, alerts)).map(all -> issue
        .put("prs", prs.result()).put("suggestions", suggestions.result())
        .put("fix_attempts", attempts.result()).put("alerts", alerts.result())
        .put("history", history.result()).put("comments", comments.result()));
    });
  }

  /** The issue's own fields, as lists show them. */
  static JsonObject summary(Row r) {
    String source = r.getString("error_source");
    return new JsonObject()
      .put("identifier", r.getString("identifier"))
      .put("workspace", r.getString("workspace"))
      .put("number", r.getInteger("number"))
      .put("title", r.getString("title"))
      .put("status", r.getString("status"))
      .put("priority", r.getString("priority"))
      .put("labels", new JsonArray(Arrays.asList((Object[]) r.getArrayOfStrings("labels"))))
      .put("error_source", source == null ? null
        : new JsonObject().put("source", source).put("external_id", r.getString("error_external_id")))
      .put("created_at", iso(r.getOffsetDateTime("created_at")))
      .put("updated_at", iso(r.getOffsetDateTime("updated_at")));
  }

  private static Future<JsonArray> list(Pool pool, String sql, Tuple args, java.util.function.Function<Row, JsonObject> map) {
    return pool.preparedQuery(sql).execute(args).map(rows -> {
      JsonArray out = new JsonArray();
      rows.forEach(row -> out.add(map.apply(row)));
      return out;
    });
  }

  private IssueView() {
  }
}
