package dev.hookyard.processors.matching;

import dev.hookyard.common.queue.Job;
import dev.hookyard.common.queue.JobHandler;
import dev.hookyard.common.queue.JobOutcome;
import dev.hookyard.common.queue.PermanentJobFailure;
import io.vertx.core.Future;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;

/**
 * The {@code issue-embedding} queue: (re)computes an issue's vector when its title or
 * description differs from the text the stored vector was computed from. Bumping
 * {@code updated_at} is what makes every node's semantic index pick the vector up.
 */
final class IssueEmbeddingJob implements JobHandler {

  private final WorkerExecutor matching;
  private final Pool pool;

  IssueEmbeddingJob(WorkerExecutor matching, Pool pool) {
    this.matching = matching;
    this.pool = pool;
  }

  @Override
  public Future<JobOutcome> handle(Job job) {
    Long issueId = issueId(job);
    return pool.preparedQuery(MatchingQueries.ISSUE_TEXT).execute(Tuple.of(issueId)).compose(rows -> {
      if (rows.size() == 0) {
        return Future.succeededFuture(JobOutcome.done("issue " + issueId + " no longer exists"));
      }
      Row issue = rows.iterator().next();
      String title = issue.getString("title");
      String description = issue.getString("description");
      String text = TextEmbedder.issueText(title, description);
      if (issue.getBoolean("embedded") && text.equals(issue.getString("embedded_text"))) {
        return Future.succeededFuture(JobOutcome.done("embedding of issue " + issueId + " is up to date"));
      }
      return TextEmbedder.embed(matching, text)
        .compose(vector -> pool.preparedQuery(MatchingQueries.STORE_EMBEDDING)
          .execute(Tuple.of(issueId, Vectors.encode(vector), text, title, description)))
        .compose(updated -> updated.rowCount() == 1
          ? Future.succeededFuture(JobOutcome.done("embedded issue " + issueId))
          // Edited while we computed: the retry reads the new text.
          : Future.failedFuture("issue " + issueId + " changed while its embedding was computed"));
    });
  }

  private static Long issueId(Job job) {
    JsonObject p = job.payload();
    Object id = p == null ? null : p.getValue("issue_id");
    if (!(id instanceof Number n)) {
      throw new PermanentJobFailure(job.queue() + " job " + job.id() + " has no numeric issue_id");
    }
    return n.longValue();
  }
}
