package dev.hookyard.processors.github;

import dev.hookyard.common.queue.Job;
import dev.hookyard.common.queue.JobOutcome;
import dev.hookyard.common.queue.PermanentJobFailure;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;

import java.time.OffsetDateTime;
import java.time.ZoneOffset;

/**
 * The {@code index-repository} job a push asks for: records the pushed commit as the
 * repository's indexed head and the push as its last (a late job for an older push
 * moves neither back). The push's other follow-ups are {@link ProjectRefresh} and
 * {@link CommitSizes}.
 */
final class ProjectJobs {

  private final Pool pool;

  ProjectJobs(Pool pool) {
    this.pool = pool;
  }

  Future<JobOutcome> index(Job job) {
    JsonObject p = payload(job, "repository_id", "commit_sha");
    String pushed = p.getString("pushed_at");
    OffsetDateTime pushedAt = pushed == null ? OffsetDateTime.now(ZoneOffset.UTC) : OffsetDateTime.parse(pushed);
    // Read first: a job for an older push then neither updates nor waits for the row lock.
    return pool.preparedQuery(PushQueries.INDEXED_AT).execute(Tuple.of(p.getLong("repository_id"))).compose(rows -> {
      if (rows.size() == 0) {
        return Future.succeededFuture(0);
      }
      OffsetDateTime indexedAt = rows.iterator().next().getOffsetDateTime("indexed_at");
      if (indexedAt != null && indexedAt.isAfter(pushedAt) && rows.iterator().next().getString("default_branch") != null) {
        return Future.succeededFuture(0);
      }
      return pool.preparedQuery(PushQueries.MARK_INDEXED)
        .execute(Tuple.of(p.getLong("repository_id"), p.getString("commit_sha"), pushedAt, p.getString("default_branch")))
        .map(r -> r.rowCount());
    }).map(updated -> updated == 1
        ? JobOutcome.done("indexed " + p.getString("commit_sha"))
        : JobOutcome.ignored("a newer push is already indexed, or the repository is gone"));
  }

  private static JsonObject payload(Job job, String... required) {
    JsonObject p = job.payload();
    for (String field : required) {
      if (p == null || p.getValue(field) == null) {
        throw new PermanentJobFailure(job.queue() + " job " + job.id() + " has no " + field);
      }
    }
    return p;
  }
}
