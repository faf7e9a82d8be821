package dev.hookyard.app;

import dev.hookyard.common.testing.Eventually;
import dev.hookyard.common.config.HookyardConfig;
import dev.hookyard.common.testing.TestDatabase;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import io.vertx.pgclient.PgConnectOptions;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

class ClusterTest {

  @Test
  @DisplayName("A gateway-only node and a processors-only node form a cluster: deliveries posted to the first are processed by the second, whose user cache a new user clears")
  void gatewayAndProcessorsOnTwoNodes() throws Exception {
    PgConnectOptions db = TestDatabase.fresh();
    String clusterName = "hookyard-test-" + UUID.randomUUID();

    Map<String, String> gatewayEnv = TestHookyard.config(db);
    gatewayEnv.put(HookyardConfig.ROLES, "gateway");
    gatewayEnv.put("HOOKYARD_CLUSTER_NAME", clusterName);

    Map<String, String> processorsEnv = TestHookyard.config(db);
    processorsEnv.put(HookyardConfig.ROLES, "processors");
    processorsEnv.remove(HookyardConfig.WEBHOOK_SECRETS);
    processorsEnv.remove(HookyardConfig.ADMIN_TOKEN);
    processorsEnv.put("HOOKYARD_CLUSTER_NAME", clusterName);
    // Polling every ten minutes: only the wake-up crossing the cluster can make the job run in time.
    processorsEnv.put(HookyardConfig.QUEUE_POLL_MS, "600000");

    try (Hookyard processors = TestHookyard.start(processorsEnv);
         Hookyard gateway = TestHookyard.start(gatewayEnv)) {
      assertThat(gateway.vertx().isClustered()).isTrue();
      assertThat(processors.vertx().isClustered()).isTrue();

      WebClient client = TestHookyard.client(gateway, gatewayEnv);
      assertThat(TestHookyard.adminPost(client, "/api/v1/workspaces",
        new JsonObject().put("slug", "ops").put("name", "Ops").put("issue_prefix", "OPS")).statusCode()).isEqualTo(201);
      assertThat(TestHookyard.adminPost(client, "/api/v1/workspaces/ops/repositories",
        new JsonObject().put("full_name", "acme/cluster").put("default_branch", "main")).statusCode()).isEqualTo(201);

      // A commit by someone who is not a user yet: the processors node caches "no such user".
      assertThat(TestHookyard.deliver(client, "push", "cluster-1", push("a1", "zed")).statusCode()).isEqualTo(202);
      assertThat(awaitJob(client, "cluster-1")).isEqualTo("done");
      assertThat(authorOf(gateway, "a1")).isNull();

      // Creating the user on the gateway node empties the cache on the processors node.
      JsonObject zed = TestHookyard.adminPost(client, "/api/v1/users",
        new JsonObject().put("login", "zed").put("name", "Zed").put("github_id", 4711)).bodyAsJsonObject();
      // The message crosses the cluster in milliseconds (the cache's TTL is five minutes);
      // a push racing it may still miss, so push until one is mapped.
      Long author = null;
      long deadline = System.currentTimeMillis() + 10_000;
      for (int n = 2; author == null && System.currentTimeMillis() < deadline; n++) {
        assertThat(TestHookyard.deliver(client, "push", "cluster-" + n, push("a" + n, "zed")).statusCode()).isEqualTo(202);
        assertThat(awaitJob(client, "cluster-" + n)).isEqualTo("done");
        author = authorOf(gateway, "a" + n);
      }
      assertThat(author).isEqualTo(zed.getLong("id"));

      // The processors node serves its own probes, and generated no credentials of its own.
      assertThat(processors.credentials().generated()).isFalse();
      assertThat(java.nio.file.Files.exists(java.nio.file.Path.of(processorsEnv.get(HookyardConfig.DATA_DIR), "credentials.json"))).isFalse();
      WebClient processorsClient = TestHookyard.client(processors, processorsEnv);
      assertThat(processorsClient.get("/ready").send().await(10, java.util.concurrent.TimeUnit.SECONDS).statusCode()).isEqualTo(200);
      assertThat(processorsClient.post("/webhooks/github").send().await(10, java.util.concurrent.TimeUnit.SECONDS).statusCode())
        .isEqualTo(404);
    }
  }

  private static String sha(String suffix) {
    return "0".repeat(40 - suffix.length()) + suffix;
  }

  private static byte[] push(String sha, String author) {
    JsonObject commit = new JsonObject().put("id", sha(sha)).put("message", "work").put("timestamp", "2026-11-20T10:00:00Z")
      .put("author", new JsonObject().put("name", author).put("email", author + "@acme.test").put("username", author))
      .put("added", new JsonArray()).put("removed", new JsonArray()).put("modified", new JsonArray().add("src/a.txt"));
    return new JsonObject().put("ref", "refs/heads/main").put("before", sha("1")).put("after", sha(sha))
      .put("commits", new JsonArray().add(commit))
      .put("repository", new JsonObject().put("id", 6060).put("full_name", "acme/cluster").put("default_branch", "main"))
      .toBuffer().getBytes();
  }

  private static String awaitJob(WebClient client, String deliveryId) throws Exception {
    return Eventually.until(Duration.ofSeconds(20), "the job of " + deliveryId + " finished",
      () -> TestHookyard.admin(client, HttpMethod.GET, "/api/v1/deliveries/" + deliveryId).bodyAsJsonObject()
        .getJsonArray("jobs").getJsonObject(0).getString("status"),
      status -> !"queued".equals(status) && !"running".equals(status));
  }

  private static Long authorOf(Hookyard h, String sha) throws Exception {
    return h.pool().preparedQuery("SELECT author_user_id FROM commits WHERE sha = $1").execute(io.vertx.sqlclient.Tuple.of(sha(sha)))
      .await(10, java.util.concurrent.TimeUnit.SECONDS).iterator().next().getLong(0);
  }
}
