package dev.hookyard.common.operations;

import dev.hookyard.common.Queues;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Tuple;

import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * What a bulk operation selects. Deliveries (replay, reprocess) by repository, workspace,
 * events, the queue they land in, a text of their latest job's result or error, and when
 * they arrived; dead letters (retry) by queue, their delivery's event and repository,
 * a text of their reason, and when they died. Absent fields select everything; times are
 * instants, {@code since} inclusive, {@code until} exclusive.
 */
public record OperationFilter(String queue, List<String> events, String repository, String workspace, String reason,
                              OffsetDateTime since, OffsetDateTime until) {

  private static final OffsetDateTime MIN = OffsetDateTime.of(1970, 1, 1, 0, 0, 0, 0, ZoneOffset.UTC);
  private static final OffsetDateTime MAX = OffsetDateTime.of(9999, 1, 1, 0, 0, 0, 0, ZoneOffset.UTC);

  public JsonObject toJson() {
    return new JsonObject().put("queue", queue).put("events", events == null ? null : new JsonArray(events))
      .put("repository", repository).put("workspace", workspace).put("reason", reason)
      .put("since", since == null ? null : since.toInstant().toString())
      .put("until", until == null ? null : until.toInstant().toString());
  }

  public static OperationFilter fromJson(JsonObject o) {
    JsonArray events = o.getJsonArray("events");
    List<String> list = null;
    if (events != null) {
      list = new ArrayList<>();
      for (Object e : events) {
        list.add((String) e);
      }
    }
    return new OperationFilter(o.getString("queue"), list, o.getString("repository"), o.getString("workspace"),
      o.getString("reason"), time(o.getString("since")), time(o.getString("until")));
  }

  private static OffsetDateTime time(String s) {
    return s == null ? null : OffsetDateTime.parse(s);
  }

  /**
   * The delivery selection's parameters $1–$7 (see {@link OperationQueries}). A queue
   * narrows the events: {@code webhook.<event>} to that event, the alert queues to their
   * alert event, {@code webhook.unhandled} to every event no processor handles.
   */
  Tuple deliveryParams() {
    List<String> include = events == null ? null : events.stream().map(e -> e.toLowerCase(Locale.ROOT)).toList();
    List<String> exclude = null;
    if (queue != null) {
      if (queue.equals(Queues.UNHANDLED)) {
        exclude = new ArrayList<>(Queues.PROCESSED_EVENTS);
        exclude.add(Queues.SENTRY_EVENT);
        exclude.add(Queues.LOKI_EVENT);
      } else {
        String event = queue.equals(Queues.SENTRY_ALERTS) ? Queues.SENTRY_EVENT
          : queue.equals(Queues.LOKI_ALERTS) ? Queues.LOKI_EVENT
          : queue.startsWith(Queues.WEBHOOK_PREFIX) ? queue.substring(Queues.WEBHOOK_PREFIX.length()) : "";
        // A queue no delivery lands in selects nothing.
        include = include == null ? List.of(event) : include.stream().filter(event::equals).toList();
      }
    }
    return Tuple.of(repository, workspace, include == null ? null : include.toArray(new String[0]),
      exclude == null ? null : exclude.toArray(new String[0]), reason, since == null ? MIN : since, until == null ? MAX : until);
  }

  /** The dead-letter selection's parameters $1–$6. */
  Tuple deadParams() {
    String event = events == null || events.isEmpty() ? null : events.get(0);
    return Tuple.of(queue, event, repository, reason, since == null ? MIN : since, until == null ? MAX : until);
  }

  /** The earliest keyset position: before every delivery. */
  static OffsetDateTime start() {
    return MIN;
  }
}
