package dev.hookyard.processors.github;

import dev.hookyard.common.queue.JobOutcome;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.SqlConnection;

import java.util.List;
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

  private final Pool pool;
  private final UserDirectory users;
  private final DeveloperMetrics metrics;

  TrackedFacts(Pool pool, UserDirectory users, DeveloperMetrics metrics) {
    this.pool = pool;
    this.users = users;
    this.metrics = metrics;
  }

  Future<JobOutcome> store(JsonObject repository, List<UserDirectory.Person> people, Write write) {
    return users.resolve(people).compose(userIds -> pool.withTransaction(conn ->
      Repositories.find(conn, repository).compose(known -> known == null || !known.tracked()
        ? Future.succeededFuture(Stored.ignored("repository " + repository.getString("full_name") + " is not tracked"))
        : write.apply(conn, known, userIds))))
      .compose(stored -> {
        stored.afterCommit().run();
        return stored.repositoryId() == null ? Future.succeededFuture(stored.outcome())
          : metrics.recomputeSoon(stored.repositoryId()).map(stored.outcome());
      });
  }
}
