package dev.hookyard.scheduler;

import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;

/**
 * Retention: done and ignored jobs finished more than {@code HOOKYARD_RETENTION_DAYS}
 * ago, then deliveries received before then that have no job left (so a delivery with
 * a dead letter, or a job still to run, stays), then old scheduler firings. Deleted in
 * bounded batches so a large backlog never holds many locks for long; what is left is
 * taken at the next firing.
 */
final class RetentionTask implements ScheduledTask {

  static final int BATCH = 5_000;
  static final int BATCHES_PER_RUN = 5;

  /** Finished jobs out of the history, and their dedupe keys with them. */
  private static final String JOBS = """
    WITH gone AS (
      DELETE FROM job_history WHERE id IN (
        SELECT id FROM job_history WHERE finished_at < $1 AND status IN ('done', 'ignored') LIMIT $2)
      RETURNING dedupe_key
    ), keys AS (
      DELETE FROM job_keys WHERE key IN (SELECT dedupe_key FROM gone WHERE dedupe_key IS NOT NULL)
    )
    SELECT count(*) FROM gone
    """;
  private static final String DELIVERIES = """
    WITH gone AS (
      DELETE FROM deliveries WHERE id IN (
        SELECT d.id FROM deliveries d
         WHERE d.received_at < $1 AND NOT EXISTS (SELECT 1 FROM jobs j WHERE j.delivery_id = d.id)
         LIMIT $2)
      RETURNING 1
    )
    SELECT count(*) FROM gone
    """;
  private static final String FIRINGS = "DELETE FROM scheduler_firings WHERE fired_at < $1";

  private final Pool pool;
  private final Duration keep;
  private final Duration every;

  RetentionTask(Pool pool, Duration keep, Duration every) {
    this.pool = pool;
    this.keep = keep;
    this.every = every;
  }

  @Override
  public String name() {
    return "retention";
  }

  @Override
  public Duration every() {
    return every;
  }

  @Override
  public Future<String> run(Instant now) {
    var cutoff = now.minus(keep).atOffset(ZoneOffset.UTC);
    return batches(JOBS, cutoff, 0, 0).compose(jobs -> batches(DELIVERIES, cutoff, 0, 0)
      .compose(deliveries -> pool.preparedQuery(FIRINGS).execute(Tuple.of(now.minus(Duration.ofDays(2)).atOffset(ZoneOffset.UTC)))
        .map(f -> "deleted " + jobs + " jobs and " + deliveries + " deliveries older than " + cutoff.toInstant())));
  }

  private Future<Integer> batches(String sql, Object cutoff, int done, int batch) {
    return pool.preparedQuery(sql).execute(Tuple.of(cutoff, BATCH)).compose(rows -> {
      int deleted = rows.iterator().next().getLong(0).intValue();
      int total = done + deleted;
      return deleted < BATCH || batch + 1 >= BATCHES_PER_RUN ? Future.succeededFuture(total)
        : batches(sql, cutoff, total, batch + 1);
    });
  }
}
