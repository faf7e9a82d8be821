package dev.hookyard.processors.github;

import dev.hookyard.common.testing.Eventually;
import dev.hookyard.common.queue.Enqueue;
import dev.hookyard.common.Queues;
import dev.hookyard.common.config.HookyardConfig;
import dev.hookyard.processors.ProcessorsDeployment;
import dev.hookyard.common.db.Database;
import dev.hookyard.common.queue.JobQueue;
import dev.hookyard.common.testing.TestDatabase;
import dev.hookyard.common.webhook.BodyCodec;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.Tuple;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The processors role over a fresh database. Deliveries enter the way the gateway
 * stores them (the delivery row and its webhook job in one transaction, then a
 * wake-up); tracking is set up with plain SQL.
 */
final class ProcessorsFixture implements AutoCloseable {

  final Vertx vertx;
  final Pool pool;

  private ProcessorsFixture(Vertx vertx, Pool pool) {
    this.vertx = vertx;
    this.pool = pool;
  }

  static ProcessorsFixture start(Map<String, String> extraConfig) throws Exception {
    Vertx vertx = Vertx.vertx();
    Pool pool = Database.createPool(vertx, TestDatabase.fresh(), 8);
    Map<String, String> env = new HashMap<>();
    env.put(HookyardConfig.METRICS_DEBOUNCE_MS, "100");
    env.put(HookyardConfig.QUEUE_POLL_MS, "200");
    env.putAll(extraConfig);
    ProcessorsDeployment.deploy(vertx, HookyardConfig.from(env), pool).await(20, TimeUnit.SECONDS);
    return new ProcessorsFixture(vertx, pool);
  }

  /** Stores a delivery and its job as the gateway does, and wakes the queue's workers. */
  void deliver(String event, String guid, JsonObject payload) throws Exception {
    store(event, guid, payload);
    Enqueue.wake(vertx, Queues.forEvent(event));
  }

  /** Stores a delivery and its job without waking anyone: the next wake-up or poll finds it. */
  void store(String event, String guid, JsonObject payload) throws Exception {
    String queue = Queues.forEvent(event);
    Buffer body = BodyCodec.forThisThread().compress(payload.toBuffer());
    pool.withTransaction(conn -> conn.preparedQuery(
        "INSERT INTO deliveries (id, event, action, content_type, body) VALUES ($1, $2, $3, 'application/json', $4)")
      .execute(Tuple.of(guid, event, payload.getString("action"), body))
      .compose(v -> conn.preparedQuery("INSERT INTO job_queue (queue, delivery_id) VALUES ($1, $2)").execute(Tuple.of(queue, guid))))
      .await(10, TimeUnit.SECONDS);
  }

  /** Waits until the delivery's job has finished; returns {status, result, last_error}. */
  JsonObject awaitDelivery(String guid) throws Exception {
    return awaitRow("SELECT status, result, last_error FROM jobs WHERE delivery_id = $1 AND status IN ('done', 'ignored', 'dead')",
      guid);
  }

  /** Waits until no job of these queues is waiting or running. */
  void awaitQuiet(String... queues) throws Exception {
    long pending = Eventually.atMost(Eventually.WITHIN,
      () -> count("SELECT count(*) FROM jobs WHERE queue = ANY($1) AND status IN ('queued', 'running', 'failed')", (Object) queues),
      n -> n == 0);
    if (pending > 0) {
      throw new AssertionError("jobs of " + List.of(queues) + " still pending: " + rows("SELECT id, queue, status, last_error FROM jobs WHERE status <> 'done'"));
    }
  }

  JsonObject awaitRow(String sql, Object... params) throws Exception {
    List<JsonObject> found = Eventually.atMost(Eventually.WITHIN, () -> rows(sql, params), rows -> !rows.isEmpty());
    if (found.isEmpty()) {
      throw new AssertionError("nothing matched within 30 s: " + sql + " " + List.of(params)
        + "; jobs: " + rows("SELECT id, queue, delivery_id, status, result, last_error FROM jobs"));
    }
    return found.get(0);
  }

  long count(String sql, Object... params) throws Exception {
    return pool.preparedQuery(sql).execute(Tuple.from(params)).await(10, TimeUnit.SECONDS).iterator().next().getLong(0);
  }

  List<JsonObject> rows(String sql, Object... params) throws Exception {
    RowSet<Row> rows = pool.preparedQuery(sql).execute(Tuple.from(params)).await(10, TimeUnit.SECONDS);
    List<JsonObject> out = new ArrayList<>();
    rows.forEach(r -> out.add(r.toJson()));
    return out;
  }

  void execute(String sql, Object... params) throws Exception {
    pool.preparedQuery(sql).execute(Tuple.from(params)).await(10, TimeUnit.SECONDS);
  }

  /** A workspace tracking {@code fullName} (created if need be); returns the repository's row id. */
  long track(String workspace, String fullName, String defaultBranch) throws Exception {
    execute("INSERT INTO workspaces (slug, name, issue_prefix) VALUES ($1, $1, 'HY') ON CONFLICT (slug) DO NOTHING", workspace);
    execute("INSERT INTO repositories (full_name, default_branch) SELECT $1, $2 WHERE NOT EXISTS "
      + "(SELECT 1 FROM repositories WHERE lower(full_name) = lower($1) AND deleted_at IS NULL)", fullName, defaultBranch);
    long repo = count("SELECT id FROM repositories WHERE lower(full_name) = lower($1) AND deleted_at IS NULL", fullName);
    execute("INSERT INTO workspace_repositories (repository_id, workspace_id, source) "
      + "SELECT $1, id, 'manual' FROM workspaces WHERE slug = $2 ON CONFLICT DO NOTHING", repo, workspace);
    return repo;
  }

  boolean tracked(long repositoryId) throws Exception {
    return pool.preparedQuery("SELECT tracked FROM repository_tracking WHERE id = $1").execute(Tuple.of(repositoryId))
      .await(10, TimeUnit.SECONDS).iterator().next().getBoolean(0);
  }

  long user(String login, String email, Long githubId) throws Exception {
    return count("INSERT INTO users (login, name, email, github_id) VALUES ($1, $1, $2, $3) RETURNING id", login, email, githubId);
  }

  @Override
  public void close() {
    try {
      vertx.close().await(20, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
