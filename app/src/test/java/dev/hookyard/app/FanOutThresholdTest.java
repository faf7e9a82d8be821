package dev.hookyard.app;

import dev.hookyard.common.testing.Eventually;
import dev.hookyard.common.testing.TestDatabase;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/** The fan-out threshold's default: a repository in more than ten workspaces goes to background chunks. */
class FanOutThresholdTest {

  @Test
  @DisplayName("By default a pull request on a repository eleven workspaces track fans out in two chunk jobs; with ten, in none")
  void defaultThreshold() throws Exception {
    Map<String, String> env = TestHookyard.config(TestDatabase.fresh());
    try (Hookyard hookyard = TestHookyard.start(env)) {
      WebClient client = TestHookyard.client(hookyard, env);
      for (int i = 1; i <= 11; i++) {
        assertThat(TestHookyard.adminPost(client, "/api/v1/workspaces", new JsonObject().put("slug", "team-" + i)
          .put("name", "Team " + i).put("issue_prefix", "T" + i)).statusCode()).isEqualTo(201);
        assertThat(TestHookyard.adminPost(client, "/api/v1/workspaces/team-" + i + "/repositories",
          new JsonObject().put("full_name", "acme/shared")).statusCode()).isEqualTo(201);
      }
      pullRequest(client, 1, "2026-11-20T10:00:00Z");
      JsonObject fanned = Eventually.until("two chunk jobs done", () -> fanout(client),
        s -> s != null && s.getInteger("done") == 2 && s.getInteger("queued") == 0 && s.getInteger("running") == 0);
      assertThat(fanned.getInteger("dead")).isZero();

      assertThat(TestHookyard.admin(client, HttpMethod.DELETE, "/api/v1/workspaces/team-11/repositories/acme/shared")
        .statusCode()).isEqualTo(204);
      String second = pullRequest(client, 2, "2026-11-20T11:00:00Z");
      Eventually.until("the second pull request handled", () -> TestHookyard.admin(client, HttpMethod.GET, "/api/v1/deliveries/" + second)
        .bodyAsJsonObject().getJsonArray("jobs"), jobs -> !jobs.isEmpty() && "done".equals(jobs.getJsonObject(0).getString("status")));
      assertThat(fanout(client).getInteger("done")).isEqualTo(2);
    }
  }

  private static JsonObject fanout(WebClient client) throws Exception {
    return TestHookyard.admin(client, HttpMethod.GET, "/api/v1/jobs/stats").bodyAsJsonObject().getJsonObject("workspace-fanout");
  }

  private static String pullRequest(WebClient client, int number, String at) throws Exception {
    JsonObject pr = BoardScenario.pullRequest("opened", number, "Change " + number, "", "feature/" + number, "main", "open", false, at);
    pr.put("repository", new JsonObject().put("id", 9).put("full_name", "acme/shared"));
    String guid = UUID.randomUUID().toString();
    assertThat(TestHookyard.deliver(client, "pull_request", guid, pr.toBuffer().getBytes()).statusCode()).isEqualTo(202);
    return guid;
  }
}
