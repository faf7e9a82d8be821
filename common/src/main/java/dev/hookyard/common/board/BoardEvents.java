package dev.hookyard.common.board;

import dev.hookyard.common.Addresses;
import dev.hookyard.common.logging.FailureCause;
import dev.hookyard.common.logging.RepeatedFailures;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import org.slf4j.LoggerFactory;
import org.slf4j.event.Level;

import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;

/**
 * An issue's history and the board's live messages are one thing: each change is
 * written as an {@code issue_history} row inside the transaction that makes it, and,
 * once that commits, published on {@code board.<workspace>} as
 * {@code {"id","type","workspace","identifier","from","to","pr_number","at","cause","text"}}
 * ({@code text}: the change in words, {@link BoardSentences}). The row id is the
 * message id, so a Server-Sent Events client resumes from it.
 */
public final class BoardEvents {

  public static final String CREATED = "issue.created";
  public static final String STATUS_CHANGED = "issue.status_changed";
  public static final String PRIORITY_CHANGED = "issue.priority_changed";
  public static final String TITLE_CHANGED = "issue.title_changed";
  public static final String LABELS_CHANGED = "issue.labels_changed";
  public static final String PR_LINKED = "issue.pr_linked";
  public static final String PR_LINK_CHANGED = "issue.pr_link_changed";
  public static final String SUGGESTED = "issue.suggested";
  public static final String COMMENTED = "issue.commented";
  public static final String FIX_STATUS_CHANGED = "issue.fix_status_changed";
  public static final String ALERT_RECEIVED = "issue.alert_received";

  /** One change to one issue; {@code cause} says who or what made it (actor, PR, layer, delivery…). */
  public record Change(long workspaceId, String workspace, long issueId, String identifier, String type,
                       String from, String to, Integer prNumber, JsonObject cause) {
  }

  /** Writes {@code changes} in order inside the caller's transaction; the messages to publish after commit. */
  public static Future<List<JsonObject>> record(SqlClient conn, List<Change> changes) {
    if (changes.isEmpty()) {
      return Future.succeededFuture(List.of());
    }
    List<Tuple> rows = new ArrayList<>();
    for (Change c : changes) {
      rows.add(Tuple.of(c.workspaceId(), c.issueId(), c.type(), c.from(), c.to(), c.prNumber(),
        c.cause() == null ? new JsonObject() : c.cause()));
    }
    return conn.preparedQuery(HistoryQueries.INSERT).executeBatch(rows).map(first -> {
      List<JsonObject> messages = new ArrayList<>();
      RowSet<Row> rs = first;
      for (Change c : changes) {
        Row r = rs.iterator().next();
        messages.add(message(r.getLong("id"), c.type(), c.workspace(), c.identifier(), c.from(), c.to(), c.prNumber(),
          r.getOffsetDateTime("at").withOffsetSameInstant(ZoneOffset.UTC).toInstant().toString(), c.cause()));
        rs = rs.next();
      }
      return messages;
    });
  }

  /** The message of a history row (the gateway reads them with {@code BoardQueries.HISTORY_SINCE} and {@code HISTORY_RECENT}). */
  public static JsonObject message(Row r) {
    Object cause = r.getValue("cause");
    return message(r.getLong("id"), r.getString("type"), r.getString("workspace"), r.getString("identifier"),
      r.getString("from_value"), r.getString("to_value"), r.getInteger("pr_number"),
      r.getOffsetDateTime("at").toInstant().toString(), cause instanceof JsonObject o ? o : new JsonObject());
  }

  private static JsonObject message(long id, String type, String workspace, String identifier, String from, String to,
                                    Integer prNumber, String at, JsonObject cause) {
    return new JsonObject().put("id", id).put("type", type).put("workspace", workspace).put("identifier", identifier)
      .put("from", from).put("to", to).put("pr_number", prNumber).put("at", at)
      .put("cause", cause == null ? new JsonObject() : cause)
      .put("text", BoardSentences.describe(type, identifier, from, to, prNumber, cause));
  }

  /** Publishes committed messages on each one's {@code board.<workspace>}. */
  public static void publish(Vertx vertx, List<JsonObject> messages) {
    for (JsonObject m : messages) {
      try {
        vertx.eventBus().publish(Addresses.board(m.getString("workspace")), m);
      } catch (RuntimeException e) {
        // The change is committed and in the history: subscribers catch up from there
        // (Server-Sent Events resume, the board reloads); a failed publish fails nothing.
        FailureCause cause = FailureCause.of(e);
        long id = m.getLong("id");
        RepeatedFailures.of(vertx, LoggerFactory.getLogger(BoardEvents.class), Level.WARN, "board messages not published")
          .record(cause, "message " + id, () -> "Board message " + id + " not published: " + cause.text());
      }
    }
  }

  private BoardEvents() {
  }
}
