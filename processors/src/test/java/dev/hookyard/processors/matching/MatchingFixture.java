package dev.hookyard.processors.matching;

import dev.hookyard.common.Addresses;
import dev.hookyard.common.config.HookyardConfig;
import dev.hookyard.common.db.Database;
import dev.hookyard.common.queue.Job;
import dev.hookyard.common.queue.JobOutcome;
import dev.hookyard.common.testing.TestDatabase;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.Tuple;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Matching deployed over a fresh database; workspaces and issues are inserted with SQL. */
final class MatchingFixture implements AutoCloseable {

  final Vertx vertx;
  final Pool pool;

  private MatchingFixture(Vertx vertx, Pool pool) {
    this.vertx = vertx;
    this.pool = pool;
  }

  static MatchingFixture start(Map<String, String> config) throws Exception {
    Vertx vertx = Vertx.vertx();
    Pool pool = Database.createPool(vertx, TestDatabase.fresh(), 4);
    MatchingDeployment.deploy(vertx, HookyardConfig.from(config), pool).await(20, TimeUnit.SECONDS);
    return new MatchingFixture(vertx, pool);
  }

  /** A workspace with issue prefix {@code prefix}; returns its id. */
  long workspace(String slug, String prefix) throws Exception {
    return value("INSERT INTO workspaces (slug, name, issue_prefix) VALUES ($1, $1, $2) RETURNING id", slug, prefix);
  }

  /** Issue {@code <prefix>-<number>} of the workspace; returns its id. */
  long issue(long workspaceId, String identifier, String title, String description, String status) throws Exception {
    int number = Integer.parseInt(identifier.substring(identifier.lastIndexOf('-') + 1));
    return value("INSERT INTO board_issues (workspace_id, number, identifier, title, description, status) "
      + "VALUES ($1, $2, $3, $4, $5, $6) RETURNING id", workspaceId, number, identifier, title, description, status);
  }

  /** An issue with its embedding computed by the real job handler. */
  long embeddedIssue(long workspaceId, String identifier, String title, String description, String status) throws Exception {
    long id = issue(workspaceId, identifier, title, description, status);
    embed(id);
    return id;
  }

  JobOutcome embed(long issueId) throws Exception {
    Job job = new Job(issueId, "issue-embedding", null, new JsonObject().put("issue_id", issueId), 0, 1, false,
      null, null, null, null);
    return MatchingDeployment.embeddingHandler(vertx, HookyardConfig.from(Map.of()), pool).handle(job).await(30, TimeUnit.SECONDS);
  }

  /** A matching request answered by the verticle. */
  JsonObject match(long workspaceId, String title, String body, String headRef, boolean semantic) throws Exception {
    JsonObject request = new JsonObject().put("type", "matching.request").put("workspace_id", workspaceId)
      .put("issue_prefix", "HY").put("title", title).put("body", body).put("head_ref", headRef).put("semantic", semantic);
    return request(request);
  }

  JsonObject request(Object body) throws Exception {
    return (JsonObject) vertx.eventBus().request(Addresses.MATCHING_REQUEST, body, new DeliveryOptions().setSendTimeout(30_000))
      .await(35, TimeUnit.SECONDS).body();
  }

  long value(String sql, Object... params) throws Exception {
    return rows(sql, params).get(0).getLong(0);
  }

  List<Row> rows(String sql, Object... params) throws Exception {
    RowSet<Row> rows = pool.preparedQuery(sql).execute(Tuple.from(params)).await(10, TimeUnit.SECONDS);
    List<Row> out = new ArrayList<>();
    rows.forEach(out::add);
    return out;
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
