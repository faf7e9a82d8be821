package dev.hookyard.processors.github;

import dev.hookyard.common.queue.Job;
import dev.hookyard.common.queue.JobOutcome;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.SqlConnection;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Map;

/**
 * The shape every activity processor shares: map the people a payload names to users,
 * then in one transaction find the payload's repository and, if it is tracked, write
 * the fact. After the commit come the write's own follow-ups and, for a fact that was
 * stored, a debounced recomputation of the repository's developer metrics.
 */
final class TrackedFacts {

  /** What one transaction stored: the outcome, the repository whose facts changed (null: none), what to do after commit. */
  record Stored(JobOutcome outcome, Long repositoryId, Runnable afterCommit) {

    static Stored ignored(String reason) {
      return new Stored(JobOutcome.ignored(reason), null, () -> { });
    }

    static Stored done(String note, long repositoryId) {
      return new Stored(JobOutcome.done(note), repositoryId, () -> { });
    }
  }

  /** Writes a fact of a tracked repository inside the transaction. */
  @FunctionalInterface
  interface Write {
    Future<Stored> apply(SqlConnection conn, Repositories.Known repository, Map<UserDirectory.Person, Long> users);
  }

  /** A fact waiting for its batch's transaction. */
  private record Pending(Repositories.Named repository, List<UserDirectory.Person> people, Write write,
                         Promise<JobOutcome> outcome) {
  }

  private final Pool pool;
  private final UserDirectory users;
  private final DeveloperMetrics metrics;
  /**
   * While {@link #storeAll} runs the processors on this thread: the facts they ask to
   * store, written together after. Per thread, because the processors of several queues
   * share this instance and run at once on different threads.
   */
  private final ThreadLocal<List<Pending>> collecting = new ThreadLocal<>();

  TrackedFacts(Pool pool, UserDirectory users, DeveloperMetrics metrics) {
    this.pool = pool;
    this.users = users;
    this.metrics = metrics;
  }

  Future<JobOutcome> store(JsonObject repository, List<UserDirectory.Person> people, Write write) {
    Pending pending = new Pending(Repositories.Named.of(repository), people, write, Promise.promise());
    List<Pending> batch = collecting.get();
    if (batch != null) {
      batch.add(pending);
    } else {
      flush(List.of(pending));
    }
    return pending.outcome().future();
  }

  /**
   * Runs an event's processing for several jobs and writes the facts they ask for in
   * one transaction: one lookup of their repositories, each job's statements in claim
   * order (so two events of one pull request apply as they would one after another),
   * one commit, and one developer-metrics request per repository changed. A job that
   * fails fails the batch, which its worker then runs job by job.
   */
  Future<List<JobOutcome>> storeAll(List<Job> jobs, List<JsonObject> payloads, WebhookEventHandler.EventProcessing processing) {
    List<Pending> batch = new ArrayList<>();
    List<Future<JobOutcome>> outcomes = new ArrayList<>(jobs.size());
    collecting.set(batch);
    try {
      for (int i = 0; i < jobs.size(); i++) {
        outcomes.add(processing.process(jobs.get(i), payloads.get(i)));
      }
    } catch (RuntimeException e) {
      return Future.failedFuture(e);
    } finally {
      collecting.remove();
    }
    if (!batch.isEmpty()) {
      flush(batch);
    }
    return Future.all(outcomes).map(all -> outcomes.stream().map(Future::result).toList());
  }

  private void flush(List<Pending> batch) {
    List<UserDirectory.Person> people = batch.stream().flatMap(p -> p.people().stream()).toList();
    users.resolve(people).compose(userIds -> pool.withTransaction(conn ->
      Repositories.findAll(conn, batch.stream().map(Pending::repository).toList()).compose(found -> {
        List<Stored> stored = new ArrayList<>(batch.size());
        Future<Void> written = Future.succeededFuture();
        for (Pending p : batch) {
          Repositories.Known known = found.get(p.repository());
          written = written.compose(v -> (known == null || !known.tracked()
              ? Future.succeededFuture(Stored.ignored(Repositories.untracked(p.repository(), known)))
              : p.write().apply(conn, known, userIds))
            .map(s -> {
              stored.add(s);
              return null;
            }));
        }
        return written.map(stored);
      })))
      .compose(stored -> {
        stored.forEach(s -> s.afterCommit().run());
        List<Future<Void>> recomputed = stored.stream().map(Stored::repositoryId).filter(Objects::nonNull).distinct()
          .map(metrics::recomputeSoon).toList();
        return Future.all(recomputed).map(stored);
      })
      .onComplete(ar -> {
        for (int i = 0; i < batch.size(); i++) {
          if (ar.succeeded()) {
            batch.get(i).outcome().complete(ar.result().get(i).outcome());
          } else {
            batch.get(i).outcome().fail(ar.cause());
          }
        }
      });
  }
}
