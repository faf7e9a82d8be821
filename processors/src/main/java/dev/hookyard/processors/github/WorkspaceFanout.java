package dev.hookyard.processors.github;

import dev.hookyard.common.queue.Enqueue;
import dev.hookyard.common.Queues;
import dev.hookyard.common.queue.Job;
import dev.hookyard.common.queue.JobOutcome;
import dev.hookyard.common.queue.JobQueue;
import dev.hookyard.common.queue.PermanentJobFailure;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.SqlClient;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Effects of one event on every workspace that tracks its repository. Up to
 * {@code chunk} workspaces are handled inside the event's own transaction; beyond
 * that the workspaces are split into {@code workspace-fanout} jobs of {@code chunk}
 * each, so one widely tracked repository never makes one job do unbounded work.
 */
final class WorkspaceFanout {

  /** What an event does in a set of workspaces; rebuilt from {@code data} in a fan-out job. */
  interface Effect {
    /** Runs inside the transaction; the returned action runs after the commit. */
    Future<Runnable> apply(SqlClient conn, List<Repositories.Workspace> workspaces);
  }

  /** Builds an effect of one kind from the data it was fanned out with. */
  interface EffectKind {
    Effect from(JsonObject data);
  }

  /** The outcome of fanning out: what to do after commit, and how many chunk jobs were queued. */
  record Fanned(Runnable afterCommit, int chunkJobs) {
  }

  private final Vertx vertx;
  private final Pool pool;
  private final int chunk;
  private final Map<String, EffectKind> kinds;

  WorkspaceFanout(Vertx vertx, Pool pool, int chunk, Map<String, EffectKind> kinds) {
    this.vertx = vertx;
    this.pool = pool;
    this.chunk = Math.max(1, chunk);
    this.kinds = kinds;
  }

  /**
   * Applies effect {@code kind}/{@code data} to the workspaces tracking the repository,
   * inline or in chunk jobs keyed by {@code sourceJobId} (a rerun queues no twins).
   */
  Future<Fanned> fanOut(SqlClient conn, long repositoryId, String kind, JsonObject data, long sourceJobId) {
    return Repositories.workspaces(conn, repositoryId)
      .compose(workspaces -> fanOut(conn, repositoryId, kind, data, sourceJobId, workspaces));
  }

  /** Whether an effect on this many workspaces runs inside the event's transaction, not in chunk jobs. */
  boolean inline(int workspaces) {
    return workspaces <= chunk;
  }

  /** {@link #fanOut(SqlClient, long, String, JsonObject, long)} to {@code workspaces}, the ones tracking the repository. */
  Future<Fanned> fanOut(SqlClient conn, long repositoryId, String kind, JsonObject data, long sourceJobId,
                        List<Repositories.Workspace> workspaces) {
    if (inline(workspaces.size())) {
      return kinds.get(kind).from(data).apply(conn, workspaces).map(after -> new Fanned(after, 0));
    }
    List<JsonObject> payloads = new ArrayList<>();
    List<String> keys = new ArrayList<>();
    for (int from = 0, n = 0; from < workspaces.size(); from += chunk, n++) {
      JsonArray ids = new JsonArray();
      workspaces.subList(from, Math.min(workspaces.size(), from + chunk)).forEach(w -> ids.add(w.id()));
      payloads.add(new JsonObject().put("kind", kind).put("repository_id", repositoryId).put("workspace_ids", ids).put("data", data));
      keys.add("fanout:" + sourceJobId + ":" + n);
    }
    return Enqueue.all(conn, Queues.WORKSPACE_FANOUT, payloads, keys, 0)
      .map(created -> new Fanned(() -> Enqueue.wake(vertx, Queues.WORKSPACE_FANOUT), payloads.size()));
  }

  /** The {@code workspace-fanout} queue's handler: one chunk of workspaces. */
  Future<JobOutcome> runChunk(Job job) {
    JsonObject p = job.payload();
    EffectKind kind = p == null ? null : kinds.get(p.getString("kind"));
    if (kind == null || !(p.getValue("workspace_ids") instanceof JsonArray ids) || !(p.getValue("repository_id") instanceof Number repo)) {
      throw new PermanentJobFailure("fan-out job " + job.id() + " has no known kind, repository and workspaces");
    }
    Effect effect = kind.from(p.getJsonObject("data", new JsonObject()));
    java.util.Set<Long> chunkIds = new java.util.HashSet<>();
    ids.forEach(id -> {
      if (id instanceof Number n) {
        chunkIds.add(n.longValue());
      }
    });
    return pool.withTransaction(conn -> Repositories.workspaces(conn, repo.longValue()).compose(all -> {
      // Workspaces that stopped tracking the repository since the event are left out.
      List<Repositories.Workspace> mine = all.stream().filter(w -> chunkIds.contains(w.id())).toList();
      return effect.apply(conn, mine).map(after -> new Fanned(after, mine.size()));
    })).map(fanned -> {
      fanned.afterCommit().run();
      return JobOutcome.done(p.getString("kind") + " in " + fanned.chunkJobs() + " workspaces");
    });
  }
}
