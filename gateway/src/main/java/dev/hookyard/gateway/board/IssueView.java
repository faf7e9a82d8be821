package dev.hookyard.gateway.board;

import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;

import java.util.Arrays;

import static dev.hookyard.common.queue.JobQueue.iso;

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
      Future<JsonArray> history = list(pool, IssueQueries.HISTORY, id, h -> new JsonObject()
        .put("id", h.getLong("id")).put("type", h.getString("type")).put("from", h.getString("from_value"))
        .put("to", h.getString("to_value")).put("pr_number", h.getInteger("pr_number"))
        .put("cause", h.getValue("cause")).put("at", iso(h.getOffsetDateTime("at"))));
      Future<JsonArray> comments = list(pool, IssueQueries.COMMENTS, id, c -> new JsonObject()
        .put("id", c.getLong("id")).put("author", c.getString("author")).put("body", c.getString("body"))
        .put("created_at", iso(c.getOffsetDateTime("created_at"))));
      return Future.all(prs, suggestions, history, comments).map(all -> issue
        .put("prs", prs.result()).put("suggestions", suggestions.result())
        .put("fix_attempts", new JsonArray())
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
