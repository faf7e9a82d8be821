package dev.hookyard.processors.verification;

import dev.hookyard.common.board.BoardEvents;
import dev.hookyard.common.queue.Job;
import dev.hookyard.common.queue.JobHandler;
import dev.hookyard.common.queue.JobOutcome;
import dev.hookyard.common.queue.PermanentJobFailure;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;

import java.util.ArrayList;
import java.util.List;

/**
 * The {@code alerts.sentry} and {@code alerts.loki} queues: a firing alert is matched to
 * the issues whose error source it names and fails the fix in flight, if any; resolved
 * alerts and hooks about anything else are kept and ignored with the reason.
 */
final class AlertProcessor implements JobHandler {

  /** An alert as read from one delivery, with every id it may be known by. */
  record Firing(String source, List<String> ids, String title, int events) {
  }

  private final Vertx vertx;
  private final Pool pool;
  private final String source;

  AlertProcessor(Vertx vertx, Pool pool, String source) {
    this.vertx = vertx;
    this.pool = pool;
    this.source = source;
  }

  @Override
  public Future<JobOutcome> handle(Job job) {
    JsonObject payload = job.json();
    List<Firing> firing = new ArrayList<>();
    String ignored = source.equals("sentry") ? sentry(job.action(), payload, firing) : loki(payload, firing);
    if (ignored != null) {
      return Future.succeededFuture(JobOutcome.ignored(ignored));
    }
    List<String> notes = new ArrayList<>();
    return pool.withTransaction(conn -> {
      Future<List<BoardEvents.Change>> chain = Future.succeededFuture(new ArrayList<>());
      for (Firing f : firing) {
        chain = chain.compose(changes -> conn.preparedQuery(VerificationQueries.ISSUES_OF_ALERT)
          .execute(Tuple.tuple().addString(source).addArrayOfString(f.ids().toArray(new String[0])))
          .compose(issues -> {
            Future<List<BoardEvents.Change>> perIssue = Future.succeededFuture(changes);
            for (Row issue : issues) {
              FixAttempts.Alert alert = new FixAttempts.Alert(source, issue.getString("error_external_id"), job.deliveryId(),
                f.title(), f.events());
              perIssue = perIssue.compose(all -> FixAttempts.alert(conn, issue, alert).map(made -> {
                all.addAll(made);
                boolean failed = made.stream().anyMatch(c -> "failed".equals(c.to()));
                notes.add(issue.getString("identifier") + (failed ? " fix failed" : made.isEmpty() ? " already had this alert" : " alert recorded"));
                return all;
              }));
            }
            return perIssue;
          }));
      }
      return chain.compose(changes -> BoardEvents.record(conn, changes));
    }).map(messages -> {
      BoardEvents.publish(vertx, messages);
      return notes.isEmpty()
        ? JobOutcome.ignored("no issue has " + source + " error source " + firing.stream().flatMap(f -> f.ids().stream()).toList())
        : JobOutcome.done(String.join("; ", notes));
    });
  }

  /** Sentry issue and event-alert hooks; null when firing (filled in {@code out}), else why ignored. */
  static String sentry(String action, JsonObject payload, List<Firing> out) {
    String stored = action == null ? "" : action;
    int dot = stored.indexOf('.');
    String resource = dot < 0 ? "" : stored.substring(0, dot);
    String verb = dot < 0 ? stored : stored.substring(dot + 1);
    JsonObject data = payload.getValue("data") instanceof JsonObject d ? d : null;
    if (data == null) {
      throw new PermanentJobFailure("Sentry hook without data");
    }
    if (data.getValue("issue") instanceof JsonObject issue && (resource.isEmpty() || resource.equals("issue"))) {
      if (!verb.equals("created") && !verb.equals("unresolved")) {
        return "Sentry issue " + verb + " is not a firing alert";
      }
      out.add(new Firing("sentry", ids(issue.getValue("shortId"), issue.getValue("id")), issue.getString("title"),
        count(issue.getValue("count"))));
      return null;
    }
    Object event = data.getValue("event") instanceof JsonObject e ? e : data.getValue("error");
    if (event instanceof JsonObject e && (resource.isEmpty() || resource.equals("event_alert") || resource.equals("error"))) {
      out.add(new Firing("sentry", ids(e.getValue("issue_id"), e.getValue("groupID")), e.getString("title"), 1));
      return null;
    }
    return "Sentry hook " + stored + " is not an issue or event alert";
  }

  /** Alertmanager notifications from Loki's ruler; firing alerts only. */
  static String loki(JsonObject payload, List<Firing> out) {
    if (!(payload.getValue("alerts") instanceof JsonArray alerts)) {
      throw new PermanentJobFailure("Alertmanager notification without alerts");
    }
    String overall = payload.getValue("status") instanceof String s ? s : "firing";
    for (Object a : alerts) {
      if (!(a instanceof JsonObject alert)) {
        continue;
      }
      String status = alert.getValue("status") instanceof String s ? s : overall;
      if (!status.equals("firing")) {
        continue;
      }
      JsonObject labels = alert.getValue("labels") instanceof JsonObject l ? l : new JsonObject();
      JsonObject annotations = alert.getValue("annotations") instanceof JsonObject n ? n : new JsonObject();
      List<String> ids = ids(labels.getValue("error_source_id"), alert.getValue("fingerprint"));
      if (!ids.isEmpty()) {
        Object title = annotations.getValue("summary") != null ? annotations.getValue("summary") : labels.getValue("alertname");
        out.add(new Firing("loki", ids, title == null ? null : String.valueOf(title), 1));
      }
    }
    return out.isEmpty() ? "no firing alert with an error_source_id label or fingerprint (status " + overall + ")" : null;
  }

  private static List<String> ids(Object... values) {
    List<String> ids = new ArrayList<>();
    for (Object v : values) {
      if (v instanceof String s && !s.isBlank()) {
        ids.add(s.strip());
      } else if (v instanceof Number n) {
        ids.add(String.valueOf(n.longValue()));
      }
    }
    return ids;
  }

  private static int count(Object v) {
    try {
      int n = v instanceof Number num ? num.intValue() : v instanceof String s ? Integer.parseInt(s.trim()) : 1;
      return Math.max(1, n);
    } catch (NumberFormatException e) {
      return 1;
    }
  }
}
