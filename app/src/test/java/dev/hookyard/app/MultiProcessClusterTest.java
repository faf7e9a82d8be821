package dev.hookyard.app;

import dev.hookyard.common.config.HookyardConfig;
import dev.hookyard.common.testing.TestDatabase;
import dev.hookyard.common.webhook.GitHubSignature;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Roles as separate JVMs on one PostgreSQL: a gateway, processors processes that share
 * the work, lose one to kill -9 and gain one mid-load, and a scheduler.
 */
class MultiProcessClusterTest {

  private static final int DELIVERIES = 1_200;

  @Test
  @Timeout(value = 3, unit = TimeUnit.MINUTES)
  @DisplayName("Under signed load, two processors processes share the jobs; one is killed -9 and a third joins: every accepted delivery is processed exactly once")
  void processorsShareSurviveAndJoin() throws Exception {
    PgConnectOptions db = TestDatabase.fresh();
    String cluster = "hookyard-mp-" + UUID.randomUUID();
    int clusterPort = 20_000 + (int) (ProcessHandle.current().pid() % 20_000);
    List<HookyardProcess> all = new ArrayList<>();
    Vertx vertx = Vertx.vertx();
    Pool pool = dev.hookyard.common.db.Database.createPool(vertx, db, 4);
    try {
      HookyardProcess gateway = track(all, HookyardProcess.start("gateway", env(db, cluster, clusterPort, "gateway")));
      HookyardProcess a = track(all, HookyardProcess.start("processors-a", env(db, cluster, clusterPort, "processors")));
      HookyardProcess b = track(all, HookyardProcess.start("processors-b", env(db, cluster, clusterPort, "processors")));
      HookyardProcess scheduler = track(all, HookyardProcess.start("scheduler", env(db, cluster, clusterPort, "scheduler")));
      for (HookyardProcess p : all) {
        p.awaitReady(Duration.ofSeconds(90));
      }

      WebClient client = WebClient.create(vertx, new WebClientOptions().setDefaultHost("127.0.0.1").setDefaultPort(gateway.port),
        new io.vertx.core.http.PoolOptions().setHttp1MaxSize(16));
      trackRepository(client);

      Set<String> accepted = ConcurrentHashMap.newKeySet();
      AtomicInteger sent = new AtomicInteger();
      long[] beforeKill = new long[2];
      HookyardProcess[] joined = new HookyardProcess[1];
      java.util.concurrent.CountDownLatch joinedReady = new java.util.concurrent.CountDownLatch(1);
      // 16 senders in parallel; at a third of the load A is killed, at half C is started.
      java.util.concurrent.ExecutorService threads = java.util.concurrent.Executors.newFixedThreadPool(16);
      List<java.util.concurrent.Future<Void>> senders = new ArrayList<>();
      for (int s = 0; s < 16; s++) {
        senders.add(threads.submit(() -> {
          int n;
          while ((n = sent.incrementAndGet()) <= DELIVERIES) {
            if (n == DELIVERIES / 3) {
              beforeKill[0] = a.jobsFinished("done");
              a.kill9();
              beforeKill[1] = System.nanoTime();
            }
            if (n == DELIVERIES / 2) {
              joined[0] = track(all, HookyardProcess.start("processors-c", env(db, cluster, clusterPort, "processors")));
              joined[0].awaitReady(Duration.ofSeconds(90));
              joinedReady.countDown();
            }
            // The last third is sent once the new process has joined, so it has work to take.
            if (n > DELIVERIES * 2 / 3) {
              joinedReady.await(100, TimeUnit.SECONDS);
            }
            String guid = "mp-" + n;
            byte[] body = push(n);
            HttpResponse<Buffer> answer = client.post("/webhooks/github").putHeader("Content-Type", "application/json")
              .putHeader("X-GitHub-Event", "push").putHeader("X-GitHub-Delivery", guid)
              .putHeader(GitHubSignature.HEADER, GitHubSignature.sign(TestHookyard.SECRET, body))
              .sendBuffer(Buffer.buffer(body)).await(30, TimeUnit.SECONDS);
            if (answer.statusCode() == 202) {
              accepted.add(guid);
            }
            if (n % 40 == 0) {
              Thread.sleep(20);
            }
          }
          return null;
        }));
      }
      for (java.util.concurrent.Future<Void> sender : senders) {
        sender.get(120, TimeUnit.SECONDS);
      }
      threads.shutdown();
      HookyardProcess c = joined[0];
      assertThat(accepted).hasSize(DELIVERIES);

      // Every accepted delivery's job is done, and its index job exists exactly once and has
      // run (an index job that finds a newer push already indexed is recorded as ignored).
      long deadline = System.currentTimeMillis() + 60_000;
      Row state = null;
      while (System.currentTimeMillis() < deadline) {
        state = pool.query("""
            SELECT count(*) FILTER (WHERE delivery_id LIKE 'mp-%' AND status = 'done') AS webhooks_done,
                   count(*) FILTER (WHERE queue = 'index-repository' AND status IN ('done', 'ignored')) AS index_done,
                   count(*) FILTER (WHERE queue = 'index-repository') AS index_jobs,
                   count(DISTINCT dedupe_key) FILTER (WHERE queue = 'index-repository') AS index_keys,
                   count(*) FILTER (WHERE status = 'dead') AS dead
              FROM jobs
            """).execute().await(10, TimeUnit.SECONDS).iterator().next();
        if (state.getLong("webhooks_done") == DELIVERIES && state.getLong("index_done") == DELIVERIES) {
          break;
        }
        Thread.sleep(200);
      }
      List<String> byStatus = new ArrayList<>();
      pool.query("SELECT queue, status, count(*) AS n, max(attempts) AS attempts FROM jobs GROUP BY queue, status ORDER BY 1, 2")
        .execute().await(10, TimeUnit.SECONDS)
        .forEach(r -> byStatus.add(r.getString("queue") + " " + r.getString("status") + " " + r.getLong("n") + " (attempts <= "
          + r.getInteger("attempts") + ")"));
      System.out.println("jobs by queue and status: " + byStatus);
      assertThat(state.getLong("webhooks_done")).as("jobs by queue and status: %s", byStatus).isEqualTo(DELIVERIES);
      assertThat(state.getLong("index_jobs")).isEqualTo(DELIVERIES);
      assertThat(state.getLong("index_keys")).isEqualTo(DELIVERIES);
      assertThat(state.getLong("index_done")).isEqualTo(DELIVERIES);
      assertThat(state.getLong("dead")).isZero();

      long byB = b.jobsFinished("done");
      long byC = c.jobsFinished("done");
      System.out.printf("jobs done per process: A (before kill -9) %d, B %d, C (joined mid-load) %d; accepted %d, "
          + "all processed %.1f s after the kill -9%n", beforeKill[0], byB, byC, accepted.size(),
        (System.nanoTime() - beforeKill[1]) / 1e9);
      assertThat(beforeKill[0]).isPositive();
      assertThat(byB).isPositive();
      assertThat(byC).isPositive();
      assertThat(scheduler.alive()).isTrue();
    } finally {
      for (HookyardProcess p : all) {
        p.close();
      }
      vertx.close().await(30, TimeUnit.SECONDS);
    }
  }

  @Test
  @Timeout(value = 3, unit = TimeUnit.MINUTES)
  @DisplayName("Processes outlive each other: a gateway with no processors keeps accepting, processors whose gateway died keep draining, and no event loop blocks")
  void processesOutliveEachOther() throws Exception {
    PgConnectOptions db = TestDatabase.fresh();
    String cluster = "hookyard-mp-" + UUID.randomUUID();
    int clusterPort = 20_000 + (int) ((ProcessHandle.current().pid() + 97) % 20_000);
    List<HookyardProcess> all = new ArrayList<>();
    Vertx vertx = Vertx.vertx();
    Pool pool = dev.hookyard.common.db.Database.createPool(vertx, db, 4);
    try {
      HookyardProcess gateway = track(all, HookyardProcess.start("gateway", env(db, cluster, clusterPort, "gateway")));
      HookyardProcess first = track(all, HookyardProcess.start("processors-1", env(db, cluster, clusterPort, "processors")));
      gateway.awaitReady(Duration.ofSeconds(90));
      first.awaitReady(Duration.ofSeconds(90));
      WebClient client = WebClient.create(vertx, new WebClientOptions().setDefaultHost("127.0.0.1").setDefaultPort(gateway.port));
      trackRepository(client);

      // Every processors process gone: the gateway still stores and acknowledges; jobs wait.
      first.kill9();
      for (int n = 1; n <= 50; n++) {
        assertThat(send(client, n)).isEqualTo(202);
      }
      assertThat(http(gateway, "/ready")).isEqualTo(200);
      assertThat(count(pool, "SELECT count(*) FROM jobs WHERE delivery_id LIKE 'mp-%' AND status = 'queued'")).isEqualTo(50);

      // A new processors process drains them; then the gateway dies mid-load and it keeps draining.
      HookyardProcess second = track(all, HookyardProcess.start("processors-2", env(db, cluster, clusterPort, "processors")));
      second.awaitReady(Duration.ofSeconds(90));
      for (int n = 51; n <= 400; n++) {
        assertThat(send(client, n)).isEqualTo(202);
      }
      gateway.kill9();
      long deadline = System.currentTimeMillis() + 60_000;
      while (System.currentTimeMillis() < deadline
        && count(pool, "SELECT count(*) FROM jobs WHERE delivery_id LIKE 'mp-%' AND status = 'done'") < 400) {
        Thread.sleep(200);
      }
      List<String> byStatus = new ArrayList<>();
      pool.query("SELECT queue, status, count(*) AS n, max(attempts) AS attempts, max(locked_by) AS by FROM jobs GROUP BY 1, 2")
        .execute().await(10, TimeUnit.SECONDS)
        .forEach(r -> byStatus.add(r.getString("queue") + " " + r.getString("status") + " " + r.getLong("n") + " "
          + r.getInteger("attempts") + " " + r.getString("by")));
      assertThat(count(pool, "SELECT count(*) FROM jobs WHERE delivery_id LIKE 'mp-%' AND status = 'done'"))
        .as("jobs: %s", byStatus).isEqualTo(400);
      assertThat(http(second, "/ready")).isEqualTo(200);
      for (HookyardProcess p : all) {
        assertThat(p.output()).as("%s's log", p.name).doesNotContain("has been blocked for");
      }
    } finally {
      for (HookyardProcess p : all) {
        p.close();
      }
      vertx.close().await(30, TimeUnit.SECONDS);
    }
  }

  /** Workspace {@code mp} tracking {@code acme/mp}, so pushes do real work. */
  private static void trackRepository(WebClient client) throws Exception {
    assertThat(client.post("/api/v1/workspaces").bearerTokenAuthentication(TestHookyard.TOKEN)
      .sendJsonObject(new JsonObject().put("slug", "mp").put("name", "MP").put("issue_prefix", "MP"))
      .await(30, TimeUnit.SECONDS).statusCode()).isEqualTo(201);
    assertThat(client.post("/api/v1/workspaces/mp/repositories").bearerTokenAuthentication(TestHookyard.TOKEN)
      .sendJsonObject(new JsonObject().put("full_name", "acme/mp").put("default_branch", "main"))
      .await(30, TimeUnit.SECONDS).statusCode()).isEqualTo(201);
  }

  private static int send(WebClient client, int n) throws Exception {
    byte[] body = push(n);
    return client.post("/webhooks/github").putHeader("Content-Type", "application/json")
      .putHeader("X-GitHub-Event", "push").putHeader("X-GitHub-Delivery", "mp-" + n)
      .putHeader(GitHubSignature.HEADER, GitHubSignature.sign(TestHookyard.SECRET, body))
      .sendBuffer(Buffer.buffer(body)).await(30, TimeUnit.SECONDS).statusCode();
  }

  private static int http(HookyardProcess p, String path) throws Exception {
    return java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(
        java.net.URI.create("http://127.0.0.1:" + p.port + path)).timeout(Duration.ofSeconds(10)).build(),
      java.net.http.HttpResponse.BodyHandlers.discarding()).statusCode();
  }

  private static long count(Pool pool, String sql) throws Exception {
    return pool.query(sql).execute().await(10, TimeUnit.SECONDS).iterator().next().getLong(0);
  }

  private static synchronized HookyardProcess track(List<HookyardProcess> all, HookyardProcess p) {
    all.add(p);
    return p;
  }

  private static Map<String, String> env(PgConnectOptions db, String cluster, int clusterPort, String roles) throws Exception {
    Map<String, String> env = new HashMap<>();
    env.put(HookyardConfig.DB_URL, TestDatabase.url(db));
    env.put(HookyardConfig.ROLES, roles);
    env.put(HookyardConfig.HTTP_PORT, String.valueOf(TestHookyard.freePort()));
    env.put(HookyardConfig.HTTP_HOST, "127.0.0.1");
    env.put(HookyardConfig.DATA_DIR, TestHookyard.tempDir().toString());
    env.put(HookyardConfig.CLUSTER, "true");
    env.put("HOOKYARD_CLUSTER_NAME", cluster);
    env.put(HookyardConfig.CLUSTER_PORT, String.valueOf(clusterPort));
    env.put(HookyardConfig.DB_POOL_SIZE, "6");
    env.put(HookyardConfig.GATEWAY_INSTANCES, "1");
    // A killed worker's jobs are rescued once their lease runs out.
    env.put(HookyardConfig.QUEUE_LEASE_MS, "4000");
    env.put(HookyardConfig.QUEUE_POLL_MS, "200");
    env.put(HookyardConfig.QUEUE_BATCH_SIZE, "10");
    if (roles.contains("gateway")) {
      env.put(HookyardConfig.WEBHOOK_SECRETS, TestHookyard.SECRET);
      env.put(HookyardConfig.ADMIN_TOKEN, TestHookyard.TOKEN);
    }
    return env;
  }

  private static byte[] push(int n) {
    String sha = String.format("%040x", n);
    return new JsonObject().put("ref", "refs/heads/main").put("after", sha)
      .put("commits", new JsonArray().add(new JsonObject().put("id", sha).put("message", "change " + n)
        .put("timestamp", "2026-11-20T10:00:00Z")
        .put("author", new JsonObject().put("name", "Ada").put("email", "ada@acme.test").put("username", "ada"))
        .put("modified", new JsonArray().add("src/a.txt"))))
      .put("repository", new JsonObject().put("id", 9090).put("full_name", "acme/mp").put("default_branch", "main"))
      .toBuffer().getBytes();
  }
}
