package dev.hookyard.processors.github;

import dev.hookyard.common.queue.Job;
import dev.hookyard.common.queue.JobOutcome;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.SqlConnection;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
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

  /**
   * Writes the facts of one kind that a batch of jobs asks for, together inside the
   * transaction: a statement per table for the batch, not one per job. The facts come
   * in claim order and the answer is one {@link Stored} per fact in that order; two
   * facts of one row must apply as they would one after the other (see {@link FactRounds}).
   */
  @FunctionalInterface
  interface BatchWrite<F> {
    Future<List<Stored>> applyAll(SqlConnection conn, List<Fact<F>> facts, Map<UserDirectory.Person, Long> users);
  }

  /** One job's fact for a {@link BatchWrite}, with the tracked repository it belongs to. */
  record Fact<F>(Repositories.Known repository, F fact) {
  }

  /**
   * A fact waiting for its batch's transaction: written by its own {@code write}, or by
   * {@code batch} together with the other facts of the batch that name the same one.
   */
  private record Pending(Repositories.Named repository, List<UserDirectory.Person> people, Write write,
                         BatchWrite<Object> batch, Object fact, Promise<JobOutcome> outcome) {
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
    return collect(new Pending(Repositories.Named.of(repository), people, write, null, null, Promise.promise()));
  }

  /** Stores {@code fact} with the other facts of the batch that {@code batch} writes (alone, outside a batch). */
  @SuppressWarnings("unchecked")
  <F> Future<JobOutcome> store(JsonObject repository, List<UserDirectory.Person> people, BatchWrite<F> batch, F fact) {
    return collect(new Pending(Repositories.Named.of(repository), people, null, (BatchWrite<Object>) batch, fact,
      Promise.promise()));
  }

  private Future<JobOutcome> collect(Pending pending) {
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
   * one transaction: one lookup of their repositories, each job's own statements in
   * claim order, then each {@link BatchWrite}'s facts together (in claim order among
   * themselves, so two events of one pull request apply as they would one after
   * another), one commit, and one developer-metrics request per repository changed. A
   * job that fails fails the batch, which its worker then runs job by job.
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
        Stored[] stored = new Stored[batch.size()];
        Map<BatchWrite<Object>, List<Integer>> together = new LinkedHashMap<>();
        Future<Void> written = Future.succeededFuture();
        for (int i = 0; i < batch.size(); i++) {
          Pending p = batch.get(i);
          Repositories.Known known = found.get(p.repository());
          int at = i;
          if (known == null || !known.tracked()) {
            stored[at] = Stored.ignored(Repositories.untracked(p.repository(), known));
          } else if (p.batch() != null) {
            together.computeIfAbsent(p.batch(), b -> new ArrayList<>()).add(at);
          } else {
            written = written.compose(v -> p.write().apply(conn, known, userIds).map(s -> {
              stored[at] = s;
              return null;
            }));
          }
        }
        for (Map.Entry<BatchWrite<Object>, List<Integer>> e : together.entrySet()) {
          List<Integer> at = e.getValue();
          List<Fact<Object>> facts = at.stream().map(i -> new Fact<>(found.get(batch.get(i).repository()), batch.get(i).fact())).toList();
          written = written.compose(v -> e.getKey().applyAll(conn, facts, userIds).map(all -> {
            for (int k = 0; k < at.size(); k++) {
              stored[at.get(k)] = all.get(k);
            }
            return null;
          }));
        }
        return written.map(v -> Arrays.asList(stored));
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
