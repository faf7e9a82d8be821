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
    return batches(SchedulerQueries.EXPIRED_JOBS, cutoff, 0, 0).compose(jobs -> batches(SchedulerQueries.EXPIRED_DELIVERIES, cutoff, 0, 0)
      .compose(deliveries -> pool.preparedQuery(SchedulerQueries.EXPIRED_FIRINGS).execute(Tuple.of(now.minus(Duration.ofDays(2)).atOffset(ZoneOffset.UTC)))
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
