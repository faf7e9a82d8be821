package dev.hookyard.processors.matching;

import dev.hookyard.common.config.HookyardConfig;
import dev.hookyard.common.testing.Eventually;
import dev.hookyard.common.queue.Enqueue;
import dev.hookyard.common.Queues;
import dev.hookyard.common.queue.JobQueue;
import dev.hookyard.common.queue.JobWorker;
import dev.hookyard.common.queue.QueueSettings;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.time.OffsetDateTime;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

class MatchingSemanticTest {

  private static final String PR_TITLE = "Handle empty password on sign-in form";
  private static final String PR_BODY = "Guard against an empty password before the login form is submitted.";

  private MatchingFixture fx;
  private long workspace;

  @BeforeEach
  void start() throws Exception {
    fx = MatchingFixture.start(Map.of());
    workspace = fx.workspace("acme", "HY");
  }

  @AfterEach
  void stop() {
    fx.close();
  }

  @Test
  @DisplayName("The embedding job stores a 384-float unit vector of title and description, skips unchanged text, and recomputes after an edit")
  void embeddingJob() throws Exception {
    long issue = fx.issue(workspace, "HY-1", "Login page crashes when password is empty", "Stack trace attached.", "Backlog");
    fx.vertx.deployVerticle(() -> new JobWorker(new JobQueue(fx.pool), Queues.ISSUE_EMBEDDING,
        MatchingDeployment.embeddingHandler(fx.vertx, HookyardConfig.from(Map.of()), fx.pool), QueueSettings.defaults().withPoll(100)),
      new io.vertx.core.DeploymentOptions()).await(10, TimeUnit.SECONDS);

    JsonObject first = runJob(issue);
    assertThat(first.getString("status")).isEqualTo("done");
    Row stored = fx.rows("SELECT embedding, embedded_text, updated_at FROM board_issues WHERE id = $1", issue).get(0);
    assertThat(stored.getBuffer("embedding").length()).isEqualTo(384 * 4);
    float[] vector = Vectors.decode(stored.getBuffer("embedding"));
    double norm = 0;
    for (float x : vector) {
      norm += x * x;
    }
    assertThat(Math.sqrt(norm)).isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-3));
    assertThat(stored.getString("embedded_text")).isEqualTo("Login page crashes when password is empty\n\nStack trace attached.");

    JsonObject again = runJob(issue);
    assertThat(again.getString("result")).contains("up to date");
    OffsetDateTime unchanged = fx.rows("SELECT updated_at FROM board_issues WHERE id = $1", issue).get(0).getOffsetDateTime(0);
    assertThat(unchanged).isEqualTo(stored.getOffsetDateTime("updated_at"));

    fx.rows("UPDATE board_issues SET title = 'Login page crashes on an empty password' WHERE id = $1", issue);
    assertThat(runJob(issue).getString("result")).contains("embedded issue");
    Row edited = fx.rows("SELECT embedding, embedded_text FROM board_issues WHERE id = $1", issue).get(0);
    assertThat(edited.getString("embedded_text")).startsWith("Login page crashes on an empty password");
    assertThat(edited.getBuffer("embedding")).isNotEqualTo(stored.getBuffer("embedding"));

    JsonObject gone = runJob(987_654L);
    assertThat(gone.getString("status")).isEqualTo("done");
    assertThat(gone.getString("result")).contains("no longer exists");
  }

  private JsonObject runJob(long issueId) throws Exception {
    long job = fx.pool.withTransaction(conn -> Enqueue.one(conn, Queues.ISSUE_EMBEDDING,
      new JsonObject().put("issue_id", issueId), null, 0)).await(10, TimeUnit.SECONDS).orElseThrow();
    Enqueue.wake(fx.vertx, Queues.ISSUE_EMBEDDING);
    return Eventually.until("embedding job " + job + " finished",
      () -> fx.rows("SELECT status, result FROM jobs WHERE id = $1 AND status IN ('done', 'ignored', 'dead')", job),
      rows -> !rows.isEmpty()).get(0).toJson();
  }

  @Test
  @DisplayName("The real model ranks the related issue first; Done, unembedded and explicitly named issues are no candidates; without a verifier candidates stay suggestions")
  void semanticRanking() throws Exception {
    long login = fx.embeddedIssue(workspace, "HY-1", "Login page crashes when password is empty",
      "Submitting the sign-in form with no password shows a 500 error.", "Backlog");
    fx.embeddedIssue(workspace, "HY-2", "Add dark mode to the settings page", "Users want a dark theme.", "Backlog");
    fx.embeddedIssue(workspace, "HY-3", "Upgrade the PostgreSQL JDBC driver", "Move to 42.7 for the security fix.", "In Progress");
    fx.embeddedIssue(workspace, "HY-4", "Export invoices as CSV", "Finance needs a monthly CSV export.", "Backlog");
    fx.embeddedIssue(workspace, "HY-5", "Sign-in form accepts an empty password", "Handle empty password on sign-in.", "Done");
    fx.issue(workspace, "HY-6", "Empty password on the sign-in form", "Not embedded yet.", "Backlog");

    JsonObject reply = fx.match(workspace, PR_TITLE, PR_BODY, "fix/empty-password", true);
    JsonArray candidates = reply.getJsonArray("candidates");
    assertThat(candidates).isNotEmpty();
    JsonObject best = candidates.getJsonObject(0);
    assertThat(best.getLong("issue_id")).isEqualTo(login);
    assertThat(best.getString("identifier")).isEqualTo("HY-1");
    assertThat(best.getDouble("similarity")).isGreaterThan(0.3);
    assertThat(best.getBoolean("linked")).isFalse();
    assertThat(best.getString("layer")).isEqualTo("semantic");
    assertThat(best.getValue("confidence")).isNull();
    assertThat(identifiers(candidates)).doesNotContain("HY-5", "HY-6");
    assertThat(reply.getString("verifier")).isEqualTo("none");
    assertThat(reply.getJsonObject("timings_ms").getDouble("semantic")).isGreaterThan(0.0);

    // Named explicitly, it is an explicit link, not a candidate as well.
    JsonObject named = fx.match(workspace, PR_TITLE, PR_BODY + " Fixes HY-1.", "fix/empty-password", true);
    assertThat(named.getJsonArray("explicit").getJsonObject(0).getString("identifier")).isEqualTo("HY-1");
    assertThat(identifiers(named.getJsonArray("candidates"))).doesNotContain("HY-1");
  }

  @Test
  @DisplayName("The index catches up with issues embedded, closed and deleted since its last look")
  void incrementalIndex() throws Exception {
    fx.embeddedIssue(workspace, "HY-1", "Login page crashes when password is empty", null, "Backlog");
    fx.embeddedIssue(workspace, "HY-2", "Add dark mode to the settings page", null, "Backlog");
    assertThat(identifiers(fx.match(workspace, PR_TITLE, PR_BODY, null, true).getJsonArray("candidates"))).containsExactly("HY-1");

    long later = fx.embeddedIssue(workspace, "HY-3", "Sign-in throws when the password field is left empty", null, "Backlog");
    assertThat(identifiers(fx.match(workspace, PR_TITLE, PR_BODY, null, true).getJsonArray("candidates"))).contains("HY-1", "HY-3");

    fx.rows("UPDATE board_issues SET status = 'Done', updated_at = now() WHERE identifier = 'HY-1'");
    fx.rows("DELETE FROM board_issues WHERE id = $1", later);
    assertThat(identifiers(fx.match(workspace, PR_TITLE, PR_BODY, null, true).getJsonArray("candidates")))
      .doesNotContain("HY-1", "HY-3");
  }

  private static List<String> identifiers(JsonArray candidates) {
    return candidates.stream().map(c -> ((JsonObject) c).getString("identifier")).toList();
  }
}
