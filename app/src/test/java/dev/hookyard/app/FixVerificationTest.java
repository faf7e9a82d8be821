package dev.hookyard.app;

import dev.hookyard.common.testing.Eventually;
import dev.hookyard.common.config.HookyardConfig;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static dev.hookyard.app.BoardScenario.pullRequest;
import static org.assertj.core.api.Assertions.assertThat;

/** Fix verification through HTTP: merge, production deploy, alerts, close gating. */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class FixVerificationTest {

  private static final String SENTRY_SECRET = "sentry-test-secret";
  private static final String LOKI_TOKEN = "loki-test-token";
  private static BoardScenario board;
  private static final dev.hookyard.common.testing.MutableClock CLOCK =
    new dev.hookyard.common.testing.MutableClock(java.time.Instant.parse("2026-11-20T10:00:00Z"));

  @BeforeAll
  static void start() throws Exception {
    board = BoardScenario.start(Map.of(HookyardConfig.SENTRY_SECRET, SENTRY_SECRET, HookyardConfig.LOKI_TOKEN, LOKI_TOKEN,
      HookyardConfig.SCHEDULER_TICK_MS, "100"), CLOCK);
  }

  @AfterAll
  static void stop() {
    board.close();
  }

  static JsonObject workflowRun(long runId, String name, String branch, String sha, String conclusion, String startedAt,
                                String completedAt) {
    return new JsonObject().put("action", "completed")
      .put("workflow_run", new JsonObject().put("id", runId).put("name", name).put("head_branch", branch).put("head_sha", sha)
        .put("status", "completed").put("conclusion", conclusion).put("run_started_at", startedAt).put("created_at", startedAt)
        .put("updated_at", completedAt))
      .put("workflow", new JsonObject().put("name", name))
      .put("repository", new JsonObject().put("id", BoardScenario.REPO_ID).put("full_name", BoardScenario.REPO));
  }

  private String errorIssue(String title, String source, String externalId, String priority) throws Exception {
    HttpResponse<Buffer> created = TestHookyard.adminPost(board.client, "/api/v1/workspaces/acme/issues", new JsonObject()
      .put("title", title).put("priority", priority).put("status", "In Progress")
      .put("error_source", new JsonObject().put("source", source).put("external_id", externalId)));
    assertThat(created.statusCode()).isEqualTo(201);
    return created.bodyAsJsonObject().getString("identifier");
  }

  private HttpResponse<Buffer> close(String id) throws Exception {
    return board.client.patch("/api/v1/workspaces/acme/issues/" + id).bearerTokenAuthentication(TestHookyard.TOKEN)
      .sendJsonObject(new JsonObject().put("status", "Done")).await(10, TimeUnit.SECONDS);
  }

  @Test
  @DisplayName("Merged fix → awaiting_deploy; production deploy → monitoring with a 48 h deadline; Sentry error → failed, Backlog, P1, label, comment, once")
  void sentryFailsAMonitoredFix() throws Exception {
    String id = errorIssue("TypeError in checkout", "sentry", "API-1F", "P2");
    HttpResponse<Buffer> gated = close(id);
    assertThat(gated.statusCode()).isEqualTo(409);
    assertThat(gated.bodyAsJsonObject().getString("error")).isEqualTo("close_gated");
    assertThat(gated.bodyAsJsonObject().getString("message")).contains("no fix attempt");

    board.send(pullRequest("closed", 201, "Guard null cart", "Fixes " + id, "fix/cart", "main", "closed", true,
      "2026-11-20T10:00:00Z"));
    JsonObject issue = board.get(id);
    assertThat(issue.getString("status")).isEqualTo("Done");
    JsonObject attempt = issue.getJsonArray("fix_attempts").getJsonObject(0);
    assertThat(attempt.getInteger("pr_number")).isEqualTo(201);
    assertThat(attempt.getString("verification_status")).isEqualTo("awaiting_deploy");
    String mergedSha = attempt.getString("merged_sha");

    // Deploys that are not production, did not succeed, or ran elsewhere change nothing, and say why.
    String ci = UUID.randomUUID().toString();
    board.send("workflow_run", workflowRun(9001, "CI", "main", mergedSha, "success", "2026-11-20T10:05:00Z", "2026-11-20T10:09:00Z"), ci);
    assertThat(board.job(ci).getString("result")).contains("not a production deploy");
    String failedRun = UUID.randomUUID().toString();
    board.send("workflow_run", workflowRun(9002, "Deploy production", "main", mergedSha, "failure", "2026-11-20T10:05:00Z",
      "2026-11-20T10:09:00Z"), failedRun);
    assertThat(board.job(failedRun).getString("result")).contains("concluded failure");
    String branch = UUID.randomUUID().toString();
    board.send("workflow_run", workflowRun(9003, "Deploy production", "develop", mergedSha, "success", "2026-11-20T10:05:00Z",
      "2026-11-20T10:09:00Z"), branch);
    assertThat(board.job(branch).getString("result")).contains("branch develop");
    assertThat(board.get(id).getJsonArray("fix_attempts").getJsonObject(0).getString("verification_status")).isEqualTo("awaiting_deploy");

    String deploy = UUID.randomUUID().toString();
    board.send("workflow_run", workflowRun(9004, "Deploy Production", "main", mergedSha, "success", "2026-11-20T10:05:00Z",
      "2026-11-20T10:10:00Z"), deploy);
    attempt = board.get(id).getJsonArray("fix_attempts").getJsonObject(0);
    assertThat(attempt.getString("verification_status")).isEqualTo("monitoring");
    assertThat(attempt.getString("deployed_sha")).isEqualTo(mergedSha);
    assertThat(attempt.getString("verification_deadline")).isEqualTo("2026-11-22T10:10:00Z");
    assertThat(close(id).statusCode()).isEqualTo(200);   // already Done by the merge: nothing to gate

    // A wrong signature is refused and changes nothing.
    JsonObject alert = new JsonObject().put("action", "created").put("data", new JsonObject().put("issue",
      new JsonObject().put("id", "4242").put("shortId", "API-1F").put("title", "TypeError: cart is null").put("count", "7")));
    assertThat(board.sentry("issue", alert, "bad-sig", "wrong-secret").statusCode()).isEqualTo(401);

    HttpResponse<Buffer> accepted = board.sentry("issue", alert, "req-1", SENTRY_SECRET);
    assertThat(accepted.statusCode()).isEqualTo(202);
    board.awaitSettled("sentry:req-1");
    issue = board.get(id);
    attempt = issue.getJsonArray("fix_attempts").getJsonObject(0);
    assertThat(attempt.getString("verification_status")).isEqualTo("failed");
    assertThat(attempt.getInteger("failure_events")).isEqualTo(7);
    assertThat(attempt.getString("failure_reason")).contains("API-1F");
    assertThat(issue.getString("status")).isEqualTo("Backlog");
    assertThat(issue.getString("priority")).isEqualTo("P1");
    assertThat(issue.getJsonArray("labels").getList()).contains("Fix Failed");
    assertThat(issue.getJsonArray("comments").getJsonObject(0).getString("body")).contains("Fix failed").contains("7 events");
    assertThat(board.history(id, "issue.fix_status_changed")).extracting(h -> ((JsonObject) h).getString("to"))
      .containsExactly("awaiting_deploy", "monitoring", "failed");

    // The same alert again (a redelivery) and a new one for the same error: recorded, nothing fails twice.
    assertThat(board.sentry("issue", alert, "req-1", SENTRY_SECRET).statusCode()).isEqualTo(200);
    assertThat(board.sentry("issue", alert, "req-2", SENTRY_SECRET).statusCode()).isEqualTo(202);
    board.awaitSettled("sentry:req-2");
    issue = board.get(id);
    assertThat(issue.getString("priority")).isEqualTo("P1");
    assertThat(issue.getJsonArray("comments")).hasSize(1);
    assertThat(issue.getJsonArray("alerts")).hasSize(2);
    assertThat(board.history(id, "issue.fix_status_changed")).hasSize(3);

    // Resolved issues are not firing alerts.
    JsonObject resolved = alert.copy().put("action", "resolved");
    assertThat(board.sentry("issue", resolved, "req-3", SENTRY_SECRET).statusCode()).isEqualTo(202);
    assertThat(board.job("sentry:req-3").getString("result")).contains("not a firing alert");
  }

  @Test
  @Order(Integer.MAX_VALUE)   // it moves the shared clock two days on: the others' windows must not pass before they end
  @DisplayName("A quiet 48-hour window verifies the fix (history and board message), and only then may the issue be closed by hand")
  void quietWindowVerifies() throws Exception {
    String id = errorIssue("Webhook retries pile up", "sentry", "API-99", "P2");
    board.send(pullRequest("closed", 205, "Bound the retries", "Fixes " + id, "fix/retries", "main", "closed", true,
      "2026-11-23T09:00:00Z"));
    String sha = board.get(id).getJsonArray("fix_attempts").getJsonObject(0).getString("merged_sha");
    board.send("workflow_run", workflowRun(9301, "Deploy to production", "main", sha, "success", "2026-11-23T09:01:00Z",
      "2026-11-23T09:05:00Z"), UUID.randomUUID().toString());
    // Moved back by hand while the fix is watched: closing it again is gated.
    assertThat(board.client.patch("/api/v1/workspaces/acme/issues/" + id).bearerTokenAuthentication(TestHookyard.TOKEN)
      .sendJsonObject(new JsonObject().put("status", "In Progress")).await(10, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
    HttpResponse<Buffer> gated = close(id);
    assertThat(gated.statusCode()).isEqualTo(409);
    assertThat(gated.bodyAsJsonObject().getString("message")).contains("monitoring");

    // 48 hours pass in a millisecond: the scheduler (ticking every 100 ms) verifies the attempt.
    CLOCK.set(java.time.Instant.parse("2026-11-25T09:06:00Z"));
    Eventually.until(Duration.ofSeconds(20), "the fix attempt verified",
      () -> board.get(id).getJsonArray("fix_attempts").getJsonObject(0).getString("verification_status"), "verified"::equals);
    assertThat(board.history(id, "issue.fix_status_changed")).extracting(h -> ((JsonObject) h).getString("to"))
      .containsExactly("awaiting_deploy", "monitoring", "verified");
    assertThat(close(id).statusCode()).isEqualTo(200);
    assertThat(board.status(id)).isEqualTo("Done");
  }

  @Test
  @DisplayName("A firing Loki alert fails a monitored fix by its error_source_id label; resolved alerts and bad tokens change nothing")
  void lokiFailsAMonitoredFix() throws Exception {
    String id = errorIssue("Payment timeouts", "loki", "payments-timeout", "P3");
    board.send(pullRequest("closed", 202, "Raise payment timeout", "Closes " + id, "fix/pay", "main", "closed", true,
      "2026-11-21T10:00:00Z"));
    String sha = board.get(id).getJsonArray("fix_attempts").getJsonObject(0).getString("merged_sha");
    board.send("workflow_run", workflowRun(9101, "deploy-prod", "master", sha, "success", "2026-11-21T10:01:00Z",
      "2026-11-21T10:02:00Z"), UUID.randomUUID().toString());
    assertThat(board.get(id).getJsonArray("fix_attempts").getJsonObject(0).getString("verification_status")).isEqualTo("monitoring");

    JsonObject resolved = new JsonObject().put("status", "resolved").put("alerts", new JsonArray().add(new JsonObject()
      .put("status", "resolved").put("fingerprint", "abc123")
      .put("labels", new JsonObject().put("alertname", "PaymentTimeouts").put("error_source_id", "payments-timeout"))));
    assertThat(board.loki(resolved, "wrong").statusCode()).isEqualTo(401);
    HttpResponse<Buffer> r = board.loki(resolved, LOKI_TOKEN);
    assertThat(r.statusCode()).isEqualTo(202);
    String resolvedId = r.bodyAsJsonObject().getString("delivery_id");
    assertThat(board.job(resolvedId).getString("status")).isEqualTo("ignored");
    assertThat(board.get(id).getJsonArray("fix_attempts").getJsonObject(0).getString("verification_status")).isEqualTo("monitoring");

    JsonObject firing = new JsonObject().put("status", "firing").put("alerts", new JsonArray().add(new JsonObject()
      .put("status", "firing").put("fingerprint", "abc123")
      .put("labels", new JsonObject().put("alertname", "PaymentTimeouts").put("error_source_id", "payments-timeout"))
      .put("annotations", new JsonObject().put("summary", "payment calls time out"))));
    HttpResponse<Buffer> f = board.loki(firing, LOKI_TOKEN);
    assertThat(f.statusCode()).isEqualTo(202);
    board.awaitSettled(f.bodyAsJsonObject().getString("delivery_id"));
    JsonObject issue = board.get(id);
    assertThat(issue.getJsonArray("fix_attempts").getJsonObject(0).getString("verification_status")).isEqualTo("failed");
    assertThat(issue.getString("priority")).isEqualTo("P2");
    assertThat(issue.getString("status")).isEqualTo("Backlog");

    // Alertmanager resends the same notification: a duplicate, nothing escalates twice.
    HttpResponse<Buffer> again = board.loki(firing, LOKI_TOKEN);
    assertThat(again.statusCode()).isEqualTo(200);
    assertThat(again.bodyAsJsonObject().getBoolean("duplicate")).isTrue();
    assertThat(board.get(id).getString("priority")).isEqualTo("P2");
  }

  @Test
  @DisplayName("An alert for an issue with no fix in flight is recorded on the issue only")
  void alertWithoutAttempt() throws Exception {
    String id = errorIssue("Search 500s", "sentry", "API-77", "P3");
    JsonObject alert = new JsonObject().put("action", "triggered").put("data", new JsonObject()
      .put("event", new JsonObject().put("issue_id", "API-77").put("title", "search failed"))
      .put("triggered_rule", "errors"));
    assertThat(board.sentry("event_alert", alert, "req-77", SENTRY_SECRET).statusCode()).isEqualTo(202);
    board.awaitSettled("sentry:req-77");
    JsonObject issue = board.get(id);
    assertThat(issue.getString("status")).isEqualTo("In Progress");
    assertThat(issue.getString("priority")).isEqualTo("P3");
    assertThat(issue.getJsonArray("alerts")).hasSize(1);
    assertThat(board.history(id, "issue.alert_received")).hasSize(1);
  }

  @Test
  @DisplayName("A deploy seen before its merge is processed still starts the window; a second merged fix governs the issue")
  void deployBeforeMergeAndSecondAttempt() throws Exception {
    String id = errorIssue("Image resize crash", "sentry", "API-88", "P2");
    String sha = String.format("%040x", 203);   // the merge commit BoardScenario gives PR #203
    board.send("workflow_run", workflowRun(9201, "Production deploy", "main", sha, "success", "2026-11-22T10:01:00Z",
      "2026-11-22T10:03:00Z"), UUID.randomUUID().toString());
    board.send(pullRequest("closed", 203, "Resize in a worker", "Fixes " + id, "fix/resize", "main", "closed", true,
      "2026-11-22T10:00:00Z"));
    JsonArray attempts = board.get(id).getJsonArray("fix_attempts");
    assertThat(attempts.getJsonObject(0).getString("verification_status")).isEqualTo("monitoring");
    assertThat(attempts.getJsonObject(0).getString("verification_deadline")).isEqualTo("2026-11-24T10:03:00Z");

    board.send(pullRequest("closed", 204, "Resize: cap the size", "Fixes " + id, "fix/resize-2", "main", "closed", true,
      "2026-11-22T12:00:00Z"));
    attempts = board.get(id).getJsonArray("fix_attempts");
    assertThat(attempts).hasSize(2);
    assertThat(attempts.getJsonObject(1).getString("verification_status")).isEqualTo("awaiting_deploy");
  }
}
