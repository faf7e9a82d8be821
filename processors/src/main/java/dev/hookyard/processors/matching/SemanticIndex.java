package dev.hookyard.processors.matching;

import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Per-workspace, in-memory copy of the issues' vectors. Each request first catches up
 * on the rows changed since the last look (an index on {@code (workspace_id,
 * updated_at)} makes that a few rows), then ranks in memory: there is no vector
 * search in this PostgreSQL, and a workspace holds thousands of issues, not millions.
 */
final class SemanticIndex {

  /** How far before the newest change seen each read starts again. */
  static final long OVERLAP_MS = 2_000;
  /** A full read now and then forgets deleted issues and catches anything the overlap missed. */
  static final long FULL_RELOAD_MS = 10 * 60_000;

  private final Pool pool;
  private final Map<Long, WorkspaceIssues> workspaces = new ConcurrentHashMap<>();

  SemanticIndex(Pool pool) {
    this.pool = pool;
  }

  /**
   * The workspace's candidates, current as of this call: from a read that starts after
   * it. Calls that arrive while a read runs share the one read that follows it, so a
   * burst of pull requests (or the first one, when the whole workspace is loaded) costs
   * one read at a time, not one each.
   */
  Future<IssueVectors> refresh(long workspaceId) {
    WorkspaceIssues issues = workspaces.computeIfAbsent(workspaceId, id -> new WorkspaceIssues(OVERLAP_MS, FULL_RELOAD_MS));
    return issues.nextRead(() -> read(workspaceId, issues).compose(consistent -> consistent
      ? Future.succeededFuture(issues.vectors())
      : read(workspaceId, issues).map(again -> issues.vectors())));
  }

  private Future<Boolean> read(long workspaceId, WorkspaceIssues issues) {
    var since = issues.since(System.currentTimeMillis());
    return pool.preparedQuery(MatchingQueries.CHANGED_ISSUES).execute(Tuple.of(workspaceId, since))
      .map(rows -> issues.apply(rows, since, System.currentTimeMillis()))
      .compose(read -> {
        if (read.missingVectors().isEmpty()) {
          return Future.succeededFuture(read.consistent());
        }
        Long[] ids = read.missingVectors().toArray(Long[]::new);
        return pool.preparedQuery(MatchingQueries.VECTORS).execute(Tuple.of((Object) ids))
          .map(rows -> {
            issues.fill(rows);
            return read.consistent();
          })
          .onFailure(e -> issues.forget(read.missingVectors()));
      });
  }
}
