package dev.hookyard.common.queue;

import dev.hookyard.common.JsonDates;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/** The operators' side of the queue: counts per queue and status, dead letters, retries and replays. */
public final class QueueAdmin {

  /** Job statuses as reported: waiting ones from the queue, finished ones from the history. */
  public static final List<String> STATUSES = List.of("queued", "running", "done", "ignored", "failed", "dead");

  private final Pool pool;

  public QueueAdmin(Pool pool) {
    this.pool = pool;
  }

  /** Queues a webhook delivery again (a replay): a new job on the delivery's queue. */
  public Future<Long> replay(String queue, String deliveryId) {
    return pool.preparedQuery(QueueQueries.ENQUEUE)
      .execute(Tuple.of(queue, null, null, 0, deliveryId))
      .map(rows -> rows.iterator().next().getLong("id"));
  }

  /** Per queue: queued, running, done, ignored, failed, dead, oldest_queued_age_s. */
  public Future<JsonObject> stats() {
    return pool.query(QueueQueries.STATS).execute().map(rows -> {
      Map<String, JsonObject> byQueue = new TreeMap<>();
      for (Row r : rows) {
        JsonObject q = byQueue.computeIfAbsent(r.getString("queue"), k -> emptyStats());
        q.put(r.getString("status"), r.getLong("n"));
        Object oldest = r.getValue("oldest_s");
        if (oldest != null) {
          double age = ((Number) oldest).doubleValue();
          q.put("oldest_queued_age_s", Math.max(q.getDouble("oldest_queued_age_s"), Math.round(age * 10) / 10.0));
        }
      }
      JsonObject out = new JsonObject();
      byQueue.forEach(out::put);
      return out;
    });
  }

  private static JsonObject emptyStats() {
    JsonObject o = new JsonObject();
    STATUSES.forEach(s -> o.put(s, 0L));
    o.put("oldest_queued_age_s", 0.0);
    return o;
  }

  /** Jobs waiting or running, per queue. */
  public Future<Map<String, Long>> depth() {
    return pool.query(QueueQueries.DEPTH).execute().map(rows -> {
      Map<String, Long> m = new HashMap<>();
      rows.forEach(r -> m.put(r.getString("queue"), r.getLong("n")));
      return m;
    });
  }

  /** The newest dead letters with their reasons. */
  public Future<JsonArray> dead(int limit) {
    return pool.preparedQuery(QueueQueries.DEAD).execute(Tuple.of(limit)).map(rows -> {
      JsonArray out = new JsonArray();
      for (Row r : rows) {
        out.add(new JsonObject()
          .put("id", r.getLong("id"))
          .put("queue", r.getString("queue"))
          .put("delivery_id", r.getString("delivery_id"))
          .put("payload", r.getValue("payload"))
          .put("attempts", r.getInteger("attempts"))
          .put("reason", r.getString("last_error"))
          .put("created_at", JsonDates.iso(r.getOffsetDateTime("created_at")))
          .put("dead_at", JsonDates.iso(r.getOffsetDateTime("finished_at"))));
      }
      return out;
    });
  }

  /**
   * Puts a dead (or failed) job back in its queue with a fresh attempt count.
   * Empty when the job does not exist or is not dead or failed.
   */
  public Future<Optional<String>> retry(long jobId) {
    return pool.preparedQuery(QueueQueries.RETRY).execute(Tuple.of(jobId))
      .map(rows -> rows.size() == 0 ? Optional.<String>empty() : Optional.of(rows.iterator().next().getString("queue")));
  }

  /** The stored status of one job, empty if there is no such job. */
  public Future<Optional<String>> status(long jobId) {
    return pool.preparedQuery(QueueQueries.JOB_STATUS).execute(Tuple.of(jobId))
      .map(rows -> rows.size() == 0 ? Optional.<String>empty() : Optional.of(rows.iterator().next().getString("status")));
  }

}
