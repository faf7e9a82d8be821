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

  private final Pool pool;
  private final long debounceMs;

  DeveloperMetrics(Pool pool, long debounceMs) {
    this.pool = pool;
    this.debounceMs = debounceMs;
  }

  /** Asks for a recomputation of the repository's metrics; call it after the facts are committed. */
  Future<Void> recomputeSoon(long repositoryId) {
    return Enqueue.debounced(pool, Queues.DEVELOPER_METRICS, new JsonObject().put("repository_id", repositoryId),
      "developer-metrics:" + repositoryId, debounceMs).mapEmpty();
  }

  /** The {@code developer-metrics} queue's handler. */
  Future<JobOutcome> recompute(Job job) {
    Object repo = job.payload() == null ? null : job.payload().getValue("repository_id");
    if (!(repo instanceof Number id)) {
      throw new PermanentJobFailure("developer-metrics job " + job.id() + " names no repository");
    }
    Tuple repository = Tuple.of(id.longValue());
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
      .map(n -> JobOutcome.done(n + " for repository " + id));
  }
}
