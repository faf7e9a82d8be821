package dev.hookyard.processors.github;

import dev.hookyard.common.queue.Job;
import dev.hookyard.common.queue.JobOutcome;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;

import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code installation} and {@code installation_repositories}: which repositories a
 * GitHub App installation covers. Repositories it adds are tracked in every workspace
 * linked to it; repositories it loses, or all of them when it is uninstalled, are no
 * longer tracked through it. A suspended installation's repositories stay linked but
 * are not tracked until it is unsuspended.
 */
final class InstallationProcessor {

  private final Pool pool;

  InstallationProcessor(Pool pool) {
    this.pool = pool;
  }

  Future<JobOutcome> installation(Job job, JsonObject payload) {
    String action = GitHubPayload.requireString(payload, "action");
    JsonObject installation = GitHubPayload.requireObject(payload, "installation");
    long id = GitHubPayload.requireNumber(installation, "id");
    String account = GitHubPayload.string(GitHubPayload.object(installation, "account"), "login");
    List<Repositories.Named> repos = named(GitHubPayload.array(payload, "repositories"));
    OffsetDateTime at = GitHubPayload.time(installation, "updated_at");
    JobOutcome stale = JobOutcome.ignored("installation " + action + " of " + at + " is older than the last applied event");
    return switch (action) {
      case "created" -> pool.withTransaction(conn -> upsertInstallation(conn, id, account, GitHubPayload.time(installation, "suspended_at"), null, at)
        .compose(applied -> !applied ? Future.succeededFuture(stale) : add(conn, id, repos)
          .map(n -> JobOutcome.done("installation " + id + " created with " + n + " repositories"))));
      case "deleted" -> pool.withTransaction(conn -> upsertInstallation(conn, id, account, null, now(), at)
        .compose(applied -> !applied ? Future.succeededFuture(stale)
          : conn.preparedQuery(RepositoryQueries.IDS_OF_INSTALLATION).execute(Tuple.of(id)).compose(rows -> {
            List<Long> ids = new ArrayList<>();
            rows.forEach(r -> ids.add(r.getLong("id")));
            return remove(conn, id, ids).map(v -> JobOutcome.done("installation " + id + " deleted; " + ids.size()
              + " repositories no longer tracked through it"));
          })));
      case "suspend" -> pool.withTransaction(conn -> upsertInstallation(conn, id, account,
          GitHubPayload.time(installation, "suspended_at") == null ? now() : GitHubPayload.time(installation, "suspended_at"), null, at))
        .map(applied -> applied ? JobOutcome.done("installation " + id + " suspended") : stale);
      case "unsuspend" -> pool.withTransaction(conn -> upsertInstallation(conn, id, account, null, null, at))
        .map(applied -> applied ? JobOutcome.done("installation " + id + " unsuspended") : stale);
      default -> Future.succeededFuture(JobOutcome.ignored("installation action '" + action + "' changes nothing hookyard tracks"));
    };
  }

  Future<JobOutcome> repositories(Job job, JsonObject payload) {
    String action = GitHubPayload.requireString(payload, "action");
    long id = GitHubPayload.requireNumber(GitHubPayload.requireObject(payload, "installation"), "id");
    List<Repositories.Named> added = named(GitHubPayload.array(payload, "repositories_added"));
    List<Repositories.Named> removed = named(GitHubPayload.array(payload, "repositories_removed"));
    if (added.isEmpty() && removed.isEmpty()) {
      return Future.succeededFuture(JobOutcome.ignored("installation_repositories '" + action + "' names no repositories"));
    }
    return pool.withTransaction(conn -> add(conn, id, added)
      .compose(n -> Repositories.idsOf(conn, removed))
      .compose(ids -> remove(conn, id, ids))
      .map(v -> JobOutcome.done("installation " + id + ": " + added.size() + " added, " + removed.size() + " removed")));
  }

  private static Future<Integer> add(SqlClient conn, long installationId, List<Repositories.Named> repos) {
    return Repositories.record(conn, repos, installationId)
      .compose(ids -> conn.preparedQuery(RepositoryQueries.TRACK_FOR_INSTALLATION)
        .execute(Tuple.of(ids.toArray(new Long[0]), installationId))
        .map(ids.size()));
  }

  private static Future<Void> remove(SqlClient conn, long installationId, List<Long> repositoryIds) {
    if (repositoryIds.isEmpty()) {
      return Future.succeededFuture();
    }
    return conn.preparedQuery(RepositoryQueries.UNTRACK_FOR_INSTALLATION)
      .execute(Tuple.of(repositoryIds.toArray(new Long[0]), installationId)).mapEmpty();
  }

  /** Whether the event was applied (false: a newer one already was). */
  private static Future<Boolean> upsertInstallation(SqlClient conn, long id, String account, OffsetDateTime suspendedAt,
                                                    OffsetDateTime deletedAt, OffsetDateTime eventAt) {
    return conn.preparedQuery(RepositoryQueries.UPSERT_INSTALLATION)
      .execute(Tuple.of(id, account, suspendedAt, deletedAt, eventAt)).map(rows -> rows.size() == 1);
  }

  private static List<Repositories.Named> named(JsonArray repositories) {
    List<Repositories.Named> out = new ArrayList<>();
    for (Object o : repositories) {
      if (o instanceof JsonObject r) {
        out.add(Repositories.Named.of(r));
      }
    }
    return out;
  }

  private static OffsetDateTime now() {
    return OffsetDateTime.now(ZoneOffset.UTC);
  }
}
