package dev.hookyard.app;

import dev.hookyard.common.testing.Eventually;
import dev.hookyard.common.config.HookyardConfig;
import dev.hookyard.common.testing.TestDatabase;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;

import static dev.hookyard.app.BoardScenario.pullRequest;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Reprocessing stored history through HTTP: the same stored deliveries run through the
 * processors of a hookyard whose processing changed since they were first processed.
 */
class ReprocessTest {

  @Test
  @DisplayName("A processor whose output changed between two runs over the same stored deliveries gives the new facts on reprocess, with no second history row, board move or fix attempt, however often it runs")
  void reprocessAppliesTodaysProcessorsOnce() throws Exception {
    Map<String, String> env = TestHookyard.config(TestDatabase.fresh());
    Instant t0 = Instant.now().truncatedTo(ChronoUnit.SECONDS);
    String opened = t0.minus(20, ChronoUnit.MINUTES).toString();
    String merged = t0.minus(15, ChronoUnit.MINUTES).toString();
    String sha = String.format("%040x", 301);
    String[] deliveries = {"pr-opened", "pr-merged", "ship-it"};

    // First run: workflows named "ship" are not production deploys.
    Hookyard first = TestHookyard.start(env);
    String fix;
    String review;
    try {
      WebClient client = TestHookyard.client(first, env);
      assertThat(TestHookyard.adminPost(client, "/api/v1/workspaces",
        new JsonObject().put("slug", "acme").put("name", "Acme").put("issue_prefix", "ACME")).statusCode()).isEqualTo(201);
      assertThat(TestHookyard.adminPost(client, "/api/v1/workspaces/acme/repositories",
        new JsonObject().put("full_name", BoardScenario.REPO).put("default_branch", "main")).statusCode()).isEqualTo(201);
      fix = issue(client, new JsonObject().put("title", "Checkout crashes").put("status", "In Progress")
        .put("error_source", new JsonObject().put("source", "sentry").put("external_id", "API-9")));
      review = issue(client, new JsonObject().put("title", "Cart is slow"));

      deliver(client, "pull_request", deliveries[0], pullRequest("opened", 301, "Guard the cart", "Fixes " + fix + ", refs " + review,
        "fix/cart", "main", "open", false, opened));
      deliver(client, "pull_request", deliveries[1], pullRequest("closed", 301, "Guard the cart", "Fixes " + fix + ", refs " + review,
        "fix/cart", "main", "closed", true, merged));
      deliver(client, "workflow_run", deliveries[2], FixVerificationTest.workflowRun(77, "Ship it", "main", sha, "success",
        t0.minus(10, ChronoUnit.MINUTES).toString(), t0.minus(5, ChronoUnit.MINUTES).toString()));
      assertThat(lastJob(client, deliveries[2]).getString("result")).contains("not a production deploy");
      assertThat(fixAttempts(client, fix)).singleElement().satisfies(a ->
        assertThat(((JsonObject) a).getString("verification_status")).isEqualTo("awaiting_deploy"));
      // A delivery lists the board changes it made.
      JsonArray changes = get(client, "/api/v1/deliveries/" + deliveries[1]).getJsonArray("board_changes");
      assertThat(changes.stream().map(c -> (JsonObject) c)
        .anyMatch(c -> c.getString("identifier").equals(fix) && "Done".equals(c.getString("to")))).isTrue();
    } finally {
      first.close();
    }
    Map<String, JsonArray> historyBefore;

    // Second run, same database: today's configuration makes "Ship it" a production deploy.
    env.put(HookyardConfig.DEPLOY_WORKFLOWS, "ship");
    Hookyard second = TestHookyard.start(env);
    try {
      WebClient client = TestHookyard.client(second, env);
      JsonArray historyOfFix = history(client, fix);
      JsonArray historyOfReview = history(client, review);
      JsonObject range = new JsonObject().put("workspace", "acme")
        .put("since", t0.minus(1, ChronoUnit.HOURS).toString()).put("until", Instant.now().plusSeconds(60).toString());

      JsonObject plan = TestHookyard.adminPost(client, "/api/v1/reprocess", range.copy().put("dry_run", true)).bodyAsJsonObject();
      assertThat(plan.getLong("total")).isEqualTo(3);
      assertThat(plan.getJsonObject("events")).isEqualTo(new JsonObject().put("pull_request", 2).put("workflow_run", 1));
      assertThat(TestHookyard.adminPost(client, "/api/v1/reprocess", range.copy().put("events", new JsonArray().add("workflow_run"))
        .put("dry_run", true)).bodyAsJsonObject().getLong("total")).isEqualTo(1);

      JsonObject run = reprocess(client, range);
      assertThat(run.getInteger("total")).isEqualTo(3);
      assertThat(run.getLong("done") + run.getLong("ignored")).isEqualTo(3);
      assertThat(run.getLong("failed")).isZero();

      // The new fact: the deploy counts now, and the fix is monitored.
      JsonObject attempt = fixAttempts(client, fix).getJsonObject(0);
      assertThat(fixAttempts(client, fix)).hasSize(1);
      assertThat(attempt.getString("verification_status")).isEqualTo("monitoring");
      assertThat(attempt.getString("deployed_sha")).isEqualTo(sha);
      assertThat(lastJob(client, deliveries[2]).getString("status")).isEqualTo("done");
      // Nothing the first run did is done twice: one more history entry (the fix's move to monitoring), no second move.
      JsonArray fixAfter = history(client, fix);
      assertThat(fixAfter.size()).isEqualTo(historyOfFix.size() + 1);
      assertThat(fixAfter.getJsonObject(fixAfter.size() - 1).getString("type")).isEqualTo("issue.fix_status_changed");
      assertThat(history(client, review)).isEqualTo(historyOfReview);
      assertThat(get(client, "/api/v1/workspaces/acme/issues/" + fix).getString("status")).isEqualTo("Done");

      // Reprocessing again changes nothing at all.
      historyBefore = Map.of(fix, fixAfter, review, history(client, review));
      JsonObject again = reprocess(client, range);
      assertThat(again.getLong("failed")).isZero();
      assertThat(history(client, fix)).isEqualTo(historyBefore.get(fix));
      assertThat(history(client, review)).isEqualTo(historyBefore.get(review));
      assertThat(fixAttempts(client, fix)).hasSize(1);
      // Each delivery shows its jobs: the first run's and one per reprocess, marked with the operation.
      JsonArray jobs = get(client, "/api/v1/deliveries/" + deliveries[2]).getJsonArray("jobs");
      assertThat(jobs).hasSize(3);
      assertThat(jobs.getJsonObject(2).getLong("operation_id")).isEqualTo(again.getLong("id"));
    } finally {
      second.close();
    }
  }

  private static JsonObject reprocess(WebClient client, JsonObject range) throws Exception {
    HttpResponse<Buffer> started = TestHookyard.adminPost(client, "/api/v1/reprocess", range);
    assertThat(started.statusCode()).as(started.bodyAsString()).isEqualTo(202);
    long id = started.bodyAsJsonObject().getLong("id");
    assertThat(started.getHeader("Location")).isEqualTo("/api/v1/reprocess/" + id);
    JsonObject done = Eventually.until(Duration.ofSeconds(30), "reprocess " + id + " done",
      () -> get(client, "/api/v1/reprocess/" + id), op -> op.getString("status").equals("done"));
    // Board jobs the reprocess caused (none, when every move was made) have settled too.
    Eventually.until(Duration.ofSeconds(30), "board jobs settled", () -> openJobs(client), n -> n == 0);
    return done;
  }

  /** Jobs queued or running, over every queue. */
  private static long openJobs(WebClient client) throws Exception {
    JsonObject stats = get(client, "/api/v1/jobs/stats");
    long open = 0;
    for (String q : stats.fieldNames()) {
      open += stats.getJsonObject(q).getLong("queued") + stats.getJsonObject(q).getLong("running");
    }
    return open;
  }

  private static String issue(WebClient client, JsonObject body) throws Exception {
    HttpResponse<Buffer> created = TestHookyard.adminPost(client, "/api/v1/workspaces/acme/issues", body);
    assertThat(created.statusCode()).as(created.bodyAsString()).isEqualTo(201);
    return created.bodyAsJsonObject().getString("identifier");
  }

  private static void deliver(WebClient client, String event, String guid, JsonObject body) throws Exception {
    assertThat(TestHookyard.deliver(client, event, guid, body.toBuffer().getBytes()).statusCode()).isEqualTo(202);
    Eventually.until(Duration.ofSeconds(30), guid + " settled", () -> openJobs(client), n -> n == 0);
  }

  private static JsonObject get(WebClient client, String uri) throws Exception {
    HttpResponse<Buffer> got = TestHookyard.admin(client, HttpMethod.GET, uri);
    assertThat(got.statusCode()).as(uri + ": " + got.bodyAsString()).isEqualTo(200);
    return got.bodyAsJsonObject();
  }

  private static JsonObject lastJob(WebClient client, String delivery) throws Exception {
    JsonArray jobs = get(client, "/api/v1/deliveries/" + delivery).getJsonArray("jobs");
    return jobs.getJsonObject(jobs.size() - 1);
  }

  private static JsonArray fixAttempts(WebClient client, String identifier) throws Exception {
    return get(client, "/api/v1/workspaces/acme/issues/" + identifier).getJsonArray("fix_attempts");
  }

  private static JsonArray history(WebClient client, String identifier) throws Exception {
    return get(client, "/api/v1/workspaces/acme/issues/" + identifier).getJsonArray("history");
  }
}
