package dev.hookyard.app;

import dev.hookyard.common.testing.Eventually;
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
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import org.slf4j.LoggerFactory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

class FixturesEndToEndTest {

  @Test
  @DisplayName("Every real GitHub example, posted signed for tracked repositories, is processed or ignored with no dead letter and no warning logged")
  void everyFixture() throws Exception {
    Path dir = GitHubFixtures.dir().orElse(null);
    assumeTrue(dir != null, "../shared/fixtures/github is absent: skipping the real-payload test");
    List<GitHubFixtures.Fixture> fixtures = GitHubFixtures.all(dir);
    assertThat(fixtures).hasSizeGreaterThan(300);

    Map<String, String> env = TestHookyard.config(TestDatabase.fresh());
    Logger root = (Logger) LoggerFactory.getLogger(Logger.ROOT_LOGGER_NAME);
    ListAppender<ILoggingEvent> appender = new ListAppender<>();
    appender.start();
    root.addAppender(appender);
    List<ILoggingEvent> logged = appender.list;
    try (Hookyard hookyard = TestHookyard.start(env)) {
      appender.list.clear();
      WebClient client = TestHookyard.client(hookyard, env);
      // Every repository and installation the examples name is tracked, so processors do their real work on them.
      assertThat(TestHookyard.adminPost(client, "/api/v1/workspaces",
        new JsonObject().put("slug", "fixtures").put("name", "Fixtures").put("issue_prefix", "FIX")).statusCode()).isEqualTo(201);
      Set<String> repositories = new TreeSet<>(String.CASE_INSENSITIVE_ORDER);
      Set<Long> installations = new TreeSet<>();
      for (GitHubFixtures.Fixture f : fixtures) {
        JsonObject payload = new JsonObject(Buffer.buffer(f.bytes()));
        JsonObject repo = payload.getJsonObject("repository");
        if (repo != null && repo.getString("full_name") != null) {
          repositories.add(repo.getString("full_name"));
        }
        JsonObject installation = payload.getJsonObject("installation");
        if (installation != null && installation.getValue("id") instanceof Number id) {
          installations.add(id.longValue());
        }
      }
      for (String repo : repositories) {
        assertThat(TestHookyard.adminPost(client, "/api/v1/workspaces/fixtures/repositories",
          new JsonObject().put("full_name", repo)).statusCode()).as(repo).isIn(200, 201);
      }
      for (long id : installations) {
        assertThat(TestHookyard.adminPost(client, "/api/v1/workspaces/fixtures/installations",
          new JsonObject().put("installation_id", id)).statusCode()).isIn(200, 201);
      }
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
      assertThat(totals.getLong("follow_ups_unfinished")).as("follow-up jobs waiting, failed or dead").isZero();
      assertThat(totals.getLong("done") + totals.getLong("ignored")).isEqualTo(queued);
      assertThat(totals.getLong("done")).as("jobs of events with a processor").isPositive();
      root.detachAppender(appender);
      assertThat(totals.getLong("ignored")).as("jobs of events nobody handles").isPositive();
      JsonObject stats = TestHookyard.admin(client, HttpMethod.GET, "/api/v1/jobs/stats").bodyAsJsonObject();
      for (String queue : List.of("webhook.push", "webhook.pull_request", "webhook.pull_request_review", "webhook.issues",
        "webhook.installation", "webhook.installation_repositories", "webhook.repository", "index-repository")) {
        assertThat(stats.getJsonObject(queue, new JsonObject()).getLong("done", 0L)).as("done in " + queue).isPositive();
      }
      assertThat(logged.stream().filter(e -> e.getLevel().isGreaterOrEqual(Level.WARN)).map(ILoggingEvent::getFormattedMessage))
        .as("warnings and errors logged while processing").isEmpty();
    }
  }

  /**
   * Waits until the deliveries' own jobs have all finished and no follow-up job is
   * left waiting; returns the totals per status over the deliveries' jobs.
   */
  private static JsonObject awaitSettled(WebClient client, int expected) throws Exception {
    return Eventually.until(Duration.ofSeconds(60), expected + " deliveries settled", () -> totals(client),
      totals -> totals.getLong("done") + totals.getLong("ignored") + totals.getLong("dead") >= expected
        && totals.getLong("follow_ups_unfinished") == 0);
  }

  /** The webhook jobs per status, and the follow-up jobs not yet finished. */
  private static JsonObject totals(WebClient client) throws Exception {
    JsonObject stats = TestHookyard.admin(client, HttpMethod.GET, "/api/v1/jobs/stats").bodyAsJsonObject();
    JsonObject totals = new JsonObject();
    long pendingFollowUps = 0;
    for (String status : List.of("queued", "running", "done", "ignored", "failed", "dead")) {
      long sum = 0;
      for (String q : stats.fieldNames()) {
        long n = stats.getJsonObject(q).getLong(status);
        if (q.startsWith("webhook.")) {
          sum += n;
        } else if (List.of("queued", "running", "failed", "dead").contains(status)) {
          pendingFollowUps += n;
        }
      }
      totals.put(status, sum);
    }
    totals.put("follow_ups_unfinished", pendingFollowUps);
    return totals;
  }
}
