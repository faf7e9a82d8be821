package dev.hookyard.processors.board;

import dev.hookyard.common.board.BoardEvents;
import dev.hookyard.common.board.IssueReferences;
import dev.hookyard.common.board.PullRequestStates;
import dev.hookyard.common.queue.Job;
import dev.hookyard.common.queue.JobHandler;
import dev.hookyard.common.queue.JobOutcome;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;

import java.time.Duration;
import java.util.List;

/**
 * The {@code board-automation} and {@code board-matching} queues: one pull-request state applied to one workspace's
 * board. Stale events are dropped before matching (and again, authoritatively, inside
 * the transaction); matching runs outside the transaction, since it may wait on an LLM.
 */
final class BoardAutomation implements JobHandler {

  private final Vertx vertx;
  private final Pool pool;
  private final MatchingClient matching;
  private final ReleaseRefs releases;
  private final Duration window;

  BoardAutomation(Vertx vertx, Pool pool, MatchingClient matching, ReleaseRefs releases, Duration window) {
    this.window = window;
    this.vertx = vertx;
    this.pool = pool;
    this.matching = matching;
    this.releases = releases;
  }

  @Override
  public Future<JobOutcome> handle(Job job) {
    PullRequestChange pr = PullRequestChange.from(job.id(), job.payload());
    return pool.preparedQuery(AutomationQueries.CONTEXT).execute(Tuple.of(pr.workspaceId(), pr.repositoryId(), pr.number()))
      .compose(rows -> {
        if (rows.size() == 0) {
          return Future.succeededFuture(JobOutcome.ignored("workspace " + pr.workspace() + " no longer exists"));
        }
        Row context = rows.iterator().next();
        if (stale(pr, context)) {
          return Future.succeededFuture(JobOutcome.ignored("PR #" + pr.number() + " " + pr.action()
            + " is not newer than what the board already shows"));
        }
        String prefix = context.getString("issue_prefix");
        // The semantic layers are for PRs that name no issue and link none yet.
        List<IssueReferences.Reference> named = IssueReferences.find(prefix, pr.title(), pr.body(), pr.headRef());
        boolean semantic = context.getLong("links") == 0 && !pr.closedUnmerged() && named.isEmpty();
        // Without the semantic layers there is nothing to ask the matcher: read the identifiers here.
        Future<Matches> matches = releases.isRelease(pr) ? releases.find(pr, prefix)
          : semantic ? matching.match(pr, prefix, true)
          : Future.succeededFuture(Matches.explicitOnly(named, "explicit", "skipped"));
        JsonObject statuses = PullRequestStates.effective(context.getJsonObject("pr_statuses"));
        return matches.compose(found -> pool.withTransaction(conn -> new BoardMoves(conn, pr, found, statuses, window).apply()))
          .map(applied -> {
            BoardEvents.publish(vertx, applied.messages());
            return applied.stale() ? JobOutcome.ignored(applied.summary()) : JobOutcome.done(applied.summary());
          });
      });
  }

  private static boolean stale(PullRequestChange pr, Row context) {
    var applied = context.getOffsetDateTime("pr_updated_at");
    if (applied == null) {
      return false;
    }
    int byTime = pr.at().compareTo(applied);
    return byTime < 0 || (byTime == 0
      && PullRequestStates.rank(pr.phase()) <= PullRequestStates.rank(context.getString("state")));
  }
}
