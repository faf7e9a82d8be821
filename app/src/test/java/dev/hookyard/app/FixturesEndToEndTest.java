package dev.hookyard.app;

import dev.hookyard.common.testing.GitHubFixtures;
import dev.hookyard.common.testing.TestDatabase;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

class FixturesEndToEndTest {

  @Test
  @DisplayName("Every real GitHub example, signed and posted, is accepted and its job ends done or ignored, none dead")
  void everyFixture() throws Exception {
    Path dir = GitHubFixtures.dir().orElse(null);
    assumeTrue(dir != null, "../shared/fixtures/github is absent: skipping the real-payload test");
    List<GitHubFixtures.Fixture> fixtures = GitHubFixtures.all(dir);
    assertThat(fixtures).hasSizeGreaterThan(300);

    Map<String, String> env = TestHookyard.config(TestDatabase.fresh());
    try (Hookyard hookyard = TestHookyard.start(env)) {
      WebClient client = TestHookyard.client(hookyard, env);
      int queued = 0;
      for (int i = 0; i < fixtures.size(); i++) {
        GitHubFixtures.Fixture f = fixtures.get(i);
        HttpResponse<Buffer> res = TestHookyard.deliver(client, f.event(), "fixture-" + i, f.bytes());
        if (f.event().equals("ping")) {
          assertThat(res.statusCode()).as(f.file().getFileName().toString()).isEqualTo(200);
          assertThat(res.bodyAsJsonObject().getString("status")).isEqualTo("pong");
        } else {
          assertThat(res.statusCode()).as(f.file().getFileName() + ": " + res.bodyAsString()).isEqualTo(202);
          queued++;
        }
      }

      JsonObject totals = awaitSettled(client, queued);
      assertThat(totals.getLong("dead")).as("dead letters").isZero();
      assertThat(totals.getLong("failed")).as("failed, awaiting retry").isZero();
      assertThat(totals.getLong("done") + totals.getLong("ignored")).isEqualTo(queued);
      assertThat(totals.getLong("done")).as("jobs of events with a processor").isPositive();
      assertThat(totals.getLong("ignored")).as("jobs of events nobody handles").isPositive();
    }
  }

  private static JsonObject awaitSettled(WebClient client, int expected) throws Exception {
    long deadline = System.currentTimeMillis() + 60_000;
    JsonObject totals;
    do {
      JsonObject stats = TestHookyard.admin(client, HttpMethod.GET, "/api/v1/jobs/stats").bodyAsJsonObject();
      totals = new JsonObject();
      for (String status : List.of("queued", "running", "done", "ignored", "failed", "dead")) {
        long sum = 0;
        for (String q : stats.fieldNames()) {
          sum += stats.getJsonObject(q).getLong(status);
        }
        totals.put(status, sum);
      }
      if (totals.getLong("done") + totals.getLong("ignored") + totals.getLong("dead") >= expected) {
        return totals;
      }
      Thread.sleep(200);
    } while (System.currentTimeMillis() < deadline);
    return totals;
  }
}
