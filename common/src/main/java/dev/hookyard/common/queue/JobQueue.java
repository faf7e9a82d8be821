package dev.hookyard.common.queue;

import dev.hookyard.common.db.DatabaseFailures;
import dev.hookyard.common.db.PgText;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.Tuple;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;

/**
 * The workers' side of the durable queue: jobs are rows in PostgreSQL, claimed with
 * {@code FOR UPDATE SKIP LOCKED} under a lease, renewed while in hand and settled in
 * batches; a finished job moves to the history in the statement that settles it.
 * Producers add jobs with {@link Enqueue}; operators read and retry them with
 * {@link QueueAdmin}.
 */
public final class JobQueue {

  private static final Logger log = LoggerFactory.getLogger(JobQueue.class);

  private final Pool pool;

  public JobQueue(Pool pool) {
    this.pool = pool;
  }

  /** Claims up to {@code limit} runnable jobs of {@code queue}, with the delivery of each webhook job. */
  public Future<List<Job>> claim(String queue, String workerId, int limit, long leaseMs) {
    return pool.withTransaction(conn -> conn.query(QueueQueries.CLAIM_PLANNER).execute()
        .compose(planner -> conn.preparedQuery(QueueQueries.CLAIM).execute(Tuple.of(queue, limit, leaseMs, workerId))))
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

    /** Due again after {@code delayMs} with its attempt given back, the reason kept as its last error. */
    public static Settlement later(Job job, String reason, long delayMs) {
      return new Settlement(job.id(), job.attempt(), "queued", null, reason, delayMs);
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
      if (!DatabaseFailures.refusedValues(err)) {
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
          } else if (!DatabaseFailures.refusedValues(f.cause())) {
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

  private static String truncate(String s) {
    if (s == null || s.length() <= 2000) {
      return s;
    }
    // Never cut a surrogate pair in two: half of one is not text either.
    int end = Character.isHighSurrogate(s.charAt(1999)) ? 1999 : 2000;
    return s.substring(0, end);
  }

}
