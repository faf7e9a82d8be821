package dev.hookyard.app;

import dev.hookyard.common.testing.Eventually;
import dev.hookyard.common.testing.TestDatabase;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The README's worked example, step by step, against a whole hookyard. */
class WorkedExampleTest {

  @Test
  @DisplayName("Create a workspace, track a repository, send a push: the repository shows its index job done and its last push")
  void readmeWorkedExample() throws Exception {
    Map<String, String> env = TestHookyard.config(TestDatabase.fresh());
    try (Hookyard hookyard = TestHookyard.start(env)) {
      WebClient client = TestHookyard.client(hookyard, env);
      assertThat(TestHookyard.adminPost(client, "/api/v1/workspaces",
        new JsonObject().put("slug", "acme").put("name", "Acme").put("issue_prefix", "ACME")).statusCode()).isEqualTo(201);
      assertThat(TestHookyard.adminPost(client, "/api/v1/workspaces/acme/repositories",
        new JsonObject().put("full_name", "acme/api").put("default_branch", "main")).statusCode()).isEqualTo(201);

      String sha = "6113728f27ae82c7b1a177c8d03f9e96e0adf246";
      JsonObject push = new JsonObject().put("ref", "refs/heads/main").put("after", sha)
        .put("repository", new JsonObject().put("id", 1).put("full_name", "acme/api"))
        .put("commits", new JsonArray().add(new JsonObject().put("id", sha).put("message", "Fix the build")
          .put("timestamp", "2026-11-24T10:00:00Z")
          .put("author", new JsonObject().put("name", "Ada").put("email", "ada@acme.test").put("username", "ada"))
          .put("modified", new JsonArray().add("package.json"))));
      assertThat(TestHookyard.deliver(client, "push", "worked-example", push.toBuffer().getBytes()).statusCode()).isEqualTo(202);

      JsonArray jobs = Eventually.until(Duration.ofSeconds(20), "the index job done",
        () -> TestHookyard.admin(client, HttpMethod.GET, "/api/v1/repositories/acme/api/index-jobs").bodyAsJsonArray(),
        j -> !j.isEmpty() && "done".equals(j.getJsonObject(0).getString("status")));
      assertThat(jobs).hasSize(1);
      assertThat(jobs.getJsonObject(0).getString("commit_sha")).isEqualTo(sha);
      assertThat(jobs.getJsonObject(0).getString("ref")).isEqualTo("refs/heads/main");
      assertThat(jobs.getJsonObject(0).getString("status")).isEqualTo("done");

      JsonObject repo = TestHookyard.admin(client, HttpMethod.GET, "/api/v1/repositories/acme/api").bodyAsJsonObject();
      assertThat(repo.getBoolean("tracked")).isTrue();
      assertThat(repo.getLong("github_id")).isEqualTo(1L);
      assertThat(repo.getString("last_push_at")).isNotNull();
      assertThat(repo.getString("indexed_sha")).isEqualTo(sha);
      assertThat(repo.getJsonArray("workspaces").getList()).containsExactly("acme");
    }
  }

  @Test
  @DisplayName("A PR merged a day after it was opened shows in the developer metrics as one merge with a cycle time of 86,400 s")
  void developerMetricsOverHttp() throws Exception {
    Map<String, String> env = TestHookyard.config(TestDatabase.fresh());
    env.put(dev.hookyard.common.config.HookyardConfig.METRICS_DEBOUNCE_MS, "200");
    try (Hookyard hookyard = TestHookyard.start(env)) {
      WebClient client = TestHookyard.client(hookyard, env);
      TestHookyard.adminPost(client, "/api/v1/workspaces", new JsonObject().put("slug", "acme").put("name", "Acme").put("issue_prefix", "ACME"));
      TestHookyard.adminPost(client, "/api/v1/workspaces/acme/repositories", new JsonObject().put("full_name", "acme/api"));
      assertThat(TestHookyard.adminPost(client, "/api/v1/users",
        new JsonObject().put("login", "ada").put("name", "Ada").put("github_id", 31)).statusCode()).isEqualTo(201);

      JsonObject pr = new JsonObject().put("id", 90).put("number", 12).put("title", "Speed up ingest").put("state", "closed")
        .put("merged", true).put("user", new JsonObject().put("login", "ada").put("id", 31))
        .put("created_at", "2026-11-01T10:00:00Z").put("updated_at", "2026-11-02T10:00:00Z")
        .put("closed_at", "2026-11-02T10:00:00Z").put("merged_at", "2026-11-02T10:00:00Z");
      JsonObject merged = new JsonObject().put("action", "closed").put("pull_request", pr)
        .put("repository", new JsonObject().put("id", 1).put("full_name", "acme/api"));
      assertThat(TestHookyard.deliver(client, "pull_request", "pr-merged", merged.toBuffer().getBytes()).statusCode()).isEqualTo(202);

      JsonArray developers = Eventually.until(Duration.ofSeconds(20), "the developer metrics rolled up",
        () -> TestHookyard.admin(client, HttpMethod.GET, "/api/v1/metrics/developers?repository=acme/api&since=2026-11-01")
          .bodyAsJsonObject().getJsonArray("developers"), d -> !d.isEmpty());
      assertThat(developers).hasSize(1);
      JsonObject ada = developers.getJsonObject(0);
      assertThat(ada.getString("login")).isEqualTo("ada");
      assertThat(ada.getLong("prs_merged")).isEqualTo(1);
      assertThat(ada.getLong("median_pr_cycle_time_s")).isEqualTo(86_400L);

      // The author's lookup went through the user-mapping cache, and /metrics counts it.
      String metrics = client.get("/metrics").send().await(10, java.util.concurrent.TimeUnit.SECONDS).bodyAsString();
      assertThat(metrics).containsPattern("hookyard_user_cache_requests_total\\{result=\"miss\"[^}]*\\} [1-9]");
    }
  }
}
