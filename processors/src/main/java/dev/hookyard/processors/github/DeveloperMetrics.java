package dev.hookyard.processors.github;

import dev.hookyard.common.queue.Enqueue;
import dev.hookyard.common.Queues;
import dev.hookyard.common.queue.Job;
import dev.hookyard.common.queue.JobOutcome;
import dev.hookyard.common.queue.JobQueue;
import dev.hookyard.common.queue.PermanentJobFailure;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;

import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Developer metrics are rolled up per repository, user and day by a debounced job:
 * events that land within the debounce delay share one recomputation, which rebuilds
 * only the days whose facts changed (the fact tables' triggers list them; see migration
 * V16), every day on a repository's first run and after users changed. The API
 * reads only the rollup: pull requests merged, reviews, issues opened and closed, and
 * commits with their sizes (once the {@code commit-sizes} job has read them). Facts are
 * attributed to internal users by the id stored with them or, for facts stored before
 * the user existed, by GitHub id or login (commits: login, else email).
 */
final class DeveloperMetrics {

  /** A repository's rollups take at most this share of the time: the next waits this many times the last one's length. */
  static final int ROLLUP_SHARE = 10;
  /** The longest a rollup is put off for its cost (the configured debounce, when longer, still applies). */
  static final long MAX_COST_DELAY_MS = 300_000;

  private final Pool pool;
  private final long debounceMs;
  /** How long each repository's last rollup in this process took, in ms. */
  private final Map<Long, Long> lastRollupMs = new ConcurrentHashMap<>();

  DeveloperMetrics(Pool pool, long debounceMs) {
    this.pool = pool;
    this.debounceMs = debounceMs;
  }

  /**
   * Asks for a recomputation of the repository's metrics; call it after the facts are
   * committed. It waits the debounce delay, or ten times the repository's last rollup
   * when that is longer: a monorepo whose changed days hold a hundred thousand commits
   * takes a second or more per rollup, and would otherwise spend a fifth of the
   * database's time rolling up.
   */
  Future<Void> recomputeSoon(long repositoryId) {
    return Enqueue.debounced(pool, Queues.DEVELOPER_METRICS, new JsonObject().put("repository_id", repositoryId),
      "developer-metrics:" + repositoryId, delayMs(debounceMs, lastRollupMs.getOrDefault(repositoryId, 0L))).mapEmpty();
  }

  /** The delay before a rollup, given the debounce and how long the repository's last one took. */
  static long delayMs(long debounceMs, long lastRollupMs) {
    return Math.max(debounceMs, Math.min(MAX_COST_DELAY_MS, ROLLUP_SHARE * lastRollupMs));
  }

  /** The {@code developer-metrics} queue's handler. */
  Future<JobOutcome> recompute(Job job) {
    Object repo = job.payload() == null ? null : job.payload().getValue("repository_id");
    if (!(repo instanceof Number id)) {
      throw new PermanentJobFailure("developer-metrics job " + job.id() + " names no repository");
    }
    Tuple repository = Tuple.of(id.longValue());
    long started = System.nanoTime();
    return pool.withTransaction(conn -> conn.preparedQuery(MetricsQueries.START_RUN).execute(repository).compose(run -> {
        boolean full = run.iterator().next().getBoolean(0);
        return conn.preparedQuery(MetricsQueries.TAKE_DAYS).execute(repository).compose(taken -> {
          if (full) {
            return conn.preparedQuery(MetricsQueries.CLEAR).execute(repository).compose(v -> conn.preparedQuery(MetricsQueries.ROLL_UP).execute(repository))
              .compose(rolled -> conn.preparedQuery(MetricsQueries.END_RUN).execute(repository).map(rolled.rowCount() + " user-days"));
          }
          List<LocalDate> days = new ArrayList<>();
          taken.forEach(r -> days.add(r.getLocalDate(0)));
          if (days.isEmpty()) {
            return Future.succeededFuture("no changed days");
          }
          Tuple onDays = Tuple.tuple().addLong(id.longValue()).addArrayOfLocalDate(days.toArray(LocalDate[]::new));
          return conn.preparedQuery(MetricsQueries.CLEAR_DAYS).execute(onDays).compose(v -> conn.preparedQuery(MetricsQueries.ROLL_UP_DAYS).execute(onDays))
            .map(rolled -> rolled.rowCount() + " user-days of " + days.size() + " changed days");
        });
      }))
      .onSuccess(n -> lastRollupMs.put(id.longValue(), TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started)))
      .map(n -> JobOutcome.done(n + " for repository " + id));
  }
}
