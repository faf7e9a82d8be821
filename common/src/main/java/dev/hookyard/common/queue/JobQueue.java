package dev.hookyard.common.queue;

import dev.hookyard.common.Addresses;
import dev.hookyard.common.db.PgText;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.PgException;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The durable job queue: jobs are rows in PostgreSQL, claimed with
 * {@code FOR UPDATE SKIP LOCKED} under a lease and settled in batches.
 */
public final class JobQueue {

  /** Job statuses as stored. */
  public static final List<String> STATUSES = List.of("queued", "running", "done", "ignored", "failed", "dead");

  private static final Logger log = LoggerFactory.getLogger(JobQueue.class);

  private final Pool pool;

  public JobQueue(Pool pool) {
    this.pool = pool;
  }

  public Pool pool() {
    return pool;
  }

  /** Claims up to {@code limit} runnable jobs of {@code queue}, with the delivery of each webhook job. */
  public Future<List<Job>> claim(String queue, String workerId, int limit, long leaseMs) {
    return pool.preparedQuery(QueueQueries.CLAIM)
      .execute(Tuple.of(queue, limit, leaseMs, workerId))
      .map(JobQueue::toJobs);
  }

  private static List<Job> toJobs(RowSet<Row> rows) {
    if (rows.size() == 0) {
      return List.of();
    }
    List<Job> jobs = new ArrayList<>(rows.size());
    for (Row r : rows) {
      Object payload = r.getValue(3);
      jobs.add(new Job(
        r.getLong(0),
        r.getString(1),
        r.getString(2),
        payload instanceof JsonObject o ? o : null,
        r.getInteger(4),
        r.getInteger(5),
        "running".equals(r.getString(6)),
        r.getString(7),
        r.getString(8),
        r.getString(9),
        r.getBuffer(10)));
    }
    return jobs;
  }

  /** A job's settlement: its new status, a note, an error, and for a retry the delay. */
  public record Settlement(long jobId, int attempt, String status, String result, String error, Long delayMs) {

    public static Settlement of(Job job, JobOutcome outcome) {
      return new Settlement(job.id(), job.attempt(), outcome.status(), outcome.reason(), null, null);
    }

    public static Settlement retry(Job job, String error, long delayMs) {
      return new Settlement(job.id(), job.attempt(), "failed", null, error, delayMs);
    }

    /** Back to the queue untouched: the job never started, so its attempt is given back. */
    public static Settlement release(Job job) {
      return new Settlement(job.id(), job.attempt(), "queued", null, null, 0L);
    }

    public static Settlement dead(Job job, String error) {
      return new Settlement(job.id(), job.attempt(), "dead", null, error, null);
    }
  }

  /**
   * Settles a batch of this worker's jobs in one statement; returns how many rows it
   * changed. Texts are cleaned of NUL first (a handler's message can carry one from a
   * payload, and PostgreSQL would refuse the whole statement). Should the statement still
   * be refused for its values (an SQL error, not a lost connection), each job is settled
   * alone, so one bad settlement cannot hold back the others; a job whose own settlement
   * is refused is settled once more without its texts.
   */
  public Future<Integer> settle(String workerId, List<Settlement> settlements) {
    if (settlements.isEmpty()) {
      return Future.succeededFuture(0);
    }
    return complete(workerId, settlements).recover(err -> {
      if (!refusedValues(err)) {
        return Future.failedFuture(err);
      }
      if (settlements.size() == 1) {
        Settlement s = settlements.get(0);
        log.warn("Job {}: settlement refused ({}); settling it without its texts", s.jobId(), err.getMessage());
        return complete(workerId, List.of(new Settlement(s.jobId(), s.attempt(), s.status(), null,
          s.error() == null ? null : "error text not storable: " + err.getMessage(), s.delayMs())));
      }
      log.warn("A batch of {} settlements was refused ({}); settling them one by one", settlements.size(), err.getMessage());
      List<Future<Integer>> each = new ArrayList<>(settlements.size());
      for (Settlement s : settlements) {
        each.add(settle(workerId, List.of(s)));
      }
      // A settlement refused on its own is left to its lease (logged above); a lost
      // connection fails the call, so the caller tries the batch again.
      return Future.join(each).transform(ar -> {
        int changed = 0;
        for (Future<Integer> f : each) {
          if (f.succeeded()) {
            changed += f.result();
          } else if (!refusedValues(f.cause())) {
            return Future.failedFuture(f.cause());
          } else {
            log.warn("Job settlement not written, left to lease expiry: {}", f.cause().getMessage());
          }
        }
        return Future.succeededFuture(changed);
      });
    });
  }

  private Future<Integer> complete(String workerId, List<Settlement> settlements) {
    int n = settlements.size();
    Long[] ids = new Long[n];
    Integer[] attempts = new Integer[n];
    String[] statuses = new String[n];
    String[] results = new String[n];
    String[] errors = new String[n];
    Long[] delays = new Long[n];
    for (int i = 0; i < n; i++) {
      Settlement s = settlements.get(i);
      ids[i] = s.jobId();
      attempts[i] = s.attempt();
      statuses[i] = s.status();
      results[i] = truncate(PgText.clean(s.result()));
      errors[i] = truncate(PgText.clean(s.error()));
      delays[i] = s.delayMs();
    }
    return pool.preparedQuery(QueueQueries.COMPLETE)
      .execute(Tuple.of(ids, attempts, statuses, results, errors, delays, workerId))
      .map(rows -> rows.iterator().next().getLong(0).intValue());
  }

  /** PostgreSQL refused the statement's values (an SQL state other than a connection or resource problem). */
  private static boolean refusedValues(Throwable err) {
    if (!(err instanceof PgException pg) || pg.getSqlState() == null) {
      return false;
    }
    String state = pg.getSqlState();
    return !(state.startsWith("08") || state.startsWith("53") || state.startsWith("57") || state.startsWith("58"));
  }

  /** Renews the lease of jobs this worker still holds; returns how many it still held. */
  public Future<Integer> renew(String workerId, List<Job> jobs, long leaseMs) {
    if (jobs.isEmpty()) {
      return Future.succeededFuture(0);
    }
    Long[] ids = new Long[jobs.size()];
    Integer[] attempts = new Integer[jobs.size()];
    for (int i = 0; i < ids.length; i++) {
      ids[i] = jobs.get(i).id();
      attempts[i] = jobs.get(i).attempt();
    }
    return pool.preparedQuery(QueueQueries.RENEW).execute(Tuple.of(ids, attempts, workerId, leaseMs)).map(RowSet::rowCount);
  }

  /**
   * Adds a job; with a dedupe key, a second job with the same key is not created
   * (empty result). Runs on {@code client}, so it joins the caller's transaction.
   */
  public static Future<Optional<Long>> enqueue(SqlClient client, String queue, JsonObject payload, String dedupeKey, int priority) {
    return client.preparedQuery(QueueQueries.ENQUEUE)
      .execute(Tuple.of(queue, payload, dedupeKey, priority, null))
      .map(rows -> rows.size() == 0 ? Optional.<Long>empty() : Optional.of(rows.iterator().next().getLong("id")));
  }

  /**
   * Adds many jobs to one queue in one statement, each with its dedupe key (keys
   * already present are skipped); returns how many were created.
   */
  public static Future<Integer> enqueueAll(SqlClient client, String queue, List<JsonObject> payloads, List<String> dedupeKeys, int priority) {
    if (payloads.isEmpty()) {
      return Future.succeededFuture(0);
    }
    return client.preparedQuery(QueueQueries.ENQUEUE_ALL)
      .execute(Tuple.of(queue, payloads.toArray(new JsonObject[0]), dedupeKeys.toArray(new String[0]), priority))
      .map(RowSet::rowCount);
  }

  /**
   * Asks for a job to run in {@code delayMs} unless one with the same pending key is
   * still queued: events that land within the delay share one job. Call it after the
   * facts the job reads are committed; a job already claimed does not absorb the call,
   * so nothing committed before it is missed.
   */
  public static Future<Optional<Long>> enqueueDebounced(SqlClient client, String queue, JsonObject payload, String pendingKey, long delayMs) {
    return client.preparedQuery(QueueQueries.ENQUEUE_DEBOUNCED)
      .execute(Tuple.of(queue, payload, pendingKey, delayMs))
      .map(rows -> rows.size() == 0 ? Optional.<Long>empty() : Optional.of(rows.iterator().next().getLong("id")));
  }

  /** Queues a webhook delivery again (a replay): a new job on the delivery's queue. */
  public Future<Long> enqueueDelivery(String queue, String deliveryId) {
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
          .put("created_at", iso(r.getOffsetDateTime("created_at")))
          .put("dead_at", iso(r.getOffsetDateTime("finished_at"))));
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

  /**
   * Tells the workers of {@code queue}, on every node, that committed jobs are waiting.
   * Call it only after the commit: a worker woken earlier would find nothing to claim.
   */
  public static void wake(Vertx vertx, String queue) {
    try {
      vertx.eventBus().publish(Addresses.wake(queue), new JsonObject().put("type", "jobs.wake"));
    } catch (RuntimeException e) {
      // A wake-up is an optimisation (workers poll); a member leaving the cluster can make
      // a publish throw, and that must not fail the work whose commit it announces.
      LoggerFactory.getLogger(JobQueue.class).debug("Wake-up for {} not published: {}", queue, e.toString());
    }
  }

  public static String iso(OffsetDateTime t) {
    return t == null ? null : t.toInstant().toString();
  }

  private static String truncate(String s) {
    if (s == null || s.length() <= 2000) {
      return s;
    }
    // Never cut a surrogate pair in two: half of one is not text either.
    int end = Character.isHighSurrogate(s.charAt(1999)) ? 1999 : 2000;
    return s.substring(0, end);
  }

}
