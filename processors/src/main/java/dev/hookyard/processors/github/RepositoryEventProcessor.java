package dev.hookyard.processors.github;

import dev.hookyard.common.queue.Job;
import dev.hookyard.common.queue.JobOutcome;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;

/**
 * {@code repository}: follows renames and transfers (by GitHub id, so tracking
 * survives them), default-branch changes, archiving and deletion of repositories
 * hookyard knows. Other actions, and repositories it has never heard of, are ignored.
 */
final class RepositoryEventProcessor {

  private final Pool pool;

  RepositoryEventProcessor(Pool pool) {
    this.pool = pool;
  }

  Future<JobOutcome> process(Job job, JsonObject payload) {
    String action = GitHubPayload.requireString(payload, "action");
    JsonObject repository = GitHubPayload.requireObject(payload, "repository");
    String fullName = GitHubPayload.requireString(repository, "full_name");
    JsonObject changes = GitHubPayload.object(payload, "changes");
    if (action.equals("edited") && GitHubPayload.object(changes, "default_branch") == null) {
      return Future.succeededFuture(JobOutcome.ignored("repository edit does not change the default branch"));
    }
    if (!java.util.Set.of("renamed", "transferred", "edited", "deleted", "archived", "unarchived").contains(action)) {
      return Future.succeededFuture(JobOutcome.ignored("repository action '" + action + "' changes nothing hookyard tracks"));
    }
    java.time.OffsetDateTime at = GitHubPayload.time(repository, "updated_at");
    return pool.withTransaction(conn -> find(conn, repository, action, changes).compose(known -> {
      if (known == null) {
        return Future.succeededFuture(JobOutcome.ignored("repository " + fullName + " is not known"));
      }
      return conn.preparedQuery(RepositoryQueries.CLAIM_REPOSITORY_EVENT).execute(Tuple.of(known.id(), at))
        .compose(claimed -> claimed.size() == 0
          ? Future.succeededFuture(JobOutcome.ignored("repository " + action + " of " + at + " is older than the last applied event"))
          : apply(conn, known, action, repository, fullName));
    }));
  }

  private static Future<JobOutcome> apply(SqlClient conn, Repositories.Known known, String action, JsonObject repository,
                                          String fullName) {
    return switch (action) {
      case "renamed", "transferred" -> conn.preparedQuery(RepositoryQueries.RELEASE_NAMES)
        .execute(Tuple.of(new Long[] {GitHubPayload.requireNumber(repository, "id")}, (Object) new String[] {fullName}))
        .compose(v -> update(conn, RepositoryQueries.ABSORB_NAME_HOLDER, known.id(), fullName))
        .compose(v -> update(conn, RepositoryQueries.RENAME, known.id(), fullName))
        .map(JobOutcome.done(known.fullName() + " is now " + fullName));
      case "edited" -> {
        String branch = GitHubPayload.requireString(repository, "default_branch");
        yield update(conn, RepositoryQueries.SET_DEFAULT_BRANCH, known.id(), branch)
          .map(JobOutcome.done(fullName + " default branch is now " + branch));
      }
      case "deleted" -> conn.preparedQuery(RepositoryQueries.MARK_DELETED).execute(Tuple.of(known.id()))
        .map(JobOutcome.done(fullName + " deleted; no longer tracked"));
      default -> update(conn, RepositoryQueries.SET_ARCHIVED, known.id(), action.equals("archived"))
        .map(JobOutcome.done(fullName + " " + action));
    };
  }

  /** By GitHub id; a rename seen before the id was learnt is found by the old name. */
  private static Future<Repositories.Known> find(SqlClient conn, JsonObject repository, String action, JsonObject changes) {
    return Repositories.find(conn, repository).compose(known -> {
      String oldName = GitHubPayload.string(GitHubPayload.object(GitHubPayload.object(changes, "repository"), "name"), "from");
      if (known != null || !action.equals("renamed") || oldName == null) {
        return Future.succeededFuture(known);
      }
      String owner = GitHubPayload.string(GitHubPayload.object(repository, "owner"), "login");
      JsonObject before = repository.copy().put("full_name", owner + "/" + oldName);
      return Repositories.find(conn, before);
    });
  }

  private static Future<Void> update(SqlClient conn, String sql, long id, Object value) {
    return conn.preparedQuery(sql).execute(Tuple.of(id, value)).mapEmpty();
  }
}
