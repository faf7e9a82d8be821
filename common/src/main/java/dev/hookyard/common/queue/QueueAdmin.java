package dev.hookyard.common.queue;

import dev.hookyard.common.JsonDates;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.Tuple;

import java.time.OffsetDateTime;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/** The operators' side of the queue: counts per queue and status, pauses, dead letters, retries and replays. */
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

  /**
   * Per queue: queued, running, done, ignored, failed, dead, oldest_queued_age_s and
   * paused; a paused queue is listed even when it holds no job.
   */
  public Future<JsonObject> stats() {
    return Future.all(pool.query(QueueQueries.STATS).execute(), paused()).map(both -> {
      RowSet<Row> rows = both.resultAt(0);
      Set<String> paused = both.<Map<String, OffsetDateTime>>resultAt(1).keySet();
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
      paused.forEach(q -> byQueue.computeIfAbsent(q, k -> emptyStats()));
      JsonObject out = new JsonObject();
      byQueue.forEach((q, o) -> out.put(q, o.put("paused", paused.contains(q))));
      return out;
    });
  }

  /**
   * Pauses a queue: its jobs stay queued (deliveries are still stored and their jobs
   * added) and no worker of any process claims one until it is resumed. True when it
   * was not paused before.
   */
  public Future<Boolean> pause(String queue) {
    return pool.preparedQuery(QueueQueries.PAUSE).execute(Tuple.of(queue)).map(rows -> rows.rowCount() > 0);
  }

  /** Resumes a paused queue; true when it was paused. The caller wakes its workers. */
  public Future<Boolean> resume(String queue) {
    return pool.preparedQuery(QueueQueries.RESUME).execute(Tuple.of(queue)).map(rows -> rows.rowCount() > 0);
  }

  /** The paused queues and when each was paused. */
  public Future<Map<String, OffsetDateTime>> paused() {
    return pool.query(QueueQueries.PAUSED).execute().map(rows -> {
      Map<String, OffsetDateTime> m = new TreeMap<>();
      rows.forEach(r -> m.put(r.getString("queue"), r.getOffsetDateTime("paused_at")));
      return m;
    });
  }

  private static JsonObject emptyStats() {
    JsonObject o = new JsonObject();
    STATUSES.forEach(s -> o.put(s, 0L));
    o.put("oldest_queued_age_s", 0.0);
    return o;
  }

  /** One queue's gauges: jobs waiting or running, the oldest due job's wait in seconds, whether it is paused. */
  public record Depth(long jobs, double oldestSeconds, boolean paused) {
  }

  /** Per queue with jobs or a pause: its {@link Depth}. */
  public Future<Map<String, Depth>> depth() {
    return Future.all(pool.query(QueueQueries.DEPTH).execute(), paused()).map(both -> {
      RowSet<Row> rows = both.resultAt(0);
      Set<String> paused = both.<Map<String, OffsetDateTime>>resultAt(1).keySet();
      Map<String, Depth> m = new HashMap<>();
      for (Row r : rows) {
        Object oldest = r.getValue("oldest_s");
        String q = r.getString("queue");
        m.put(q, new Depth(r.getLong("n"), oldest == null ? 0 : ((Number) oldest).doubleValue(), paused.contains(q)));
      }
      paused.forEach(q -> m.putIfAbsent(q, new Depth(0, 0, true)));
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
