package dev.hookyard.app;

import dev.hookyard.common.testing.Eventually;
import dev.hookyard.common.testing.Ports;
import dev.hookyard.common.config.HookyardConfig;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Tuple;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static dev.hookyard.app.BoardScenario.pullRequest;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The semantic and LLM layers end to end: a pull request that names no issue is linked
 * to the one it means when the verifier is confident; when the verifier fails and its
 * breaker opens, the candidate is kept as a suggestion instead.
 */
class SemanticMatchingTest {

  @Test
  @DisplayName("An LLM-verified match links and moves the issue (layer llm, its confidence); with the breaker open it is only suggested")
  void verifiedMatchAndFallback() throws Exception {
    Vertx fakeVertx = Vertx.vertx();
    AtomicInteger calls = new AtomicInteger();
    boolean[] healthy = {true};
    int port = Ports.freePort();
    fakeVertx.createHttpServer().requestHandler(req -> req.body().onSuccess(body -> {
      calls.incrementAndGet();
      if (!healthy[0]) {
        req.response().setStatusCode(500).end("overloaded");
        return;
      }
      String answer = new JsonObject().put("confidence", 93).put("reason", "same bug: empty password on sign-in").encode();
      req.response().putHeader("Content-Type", "application/json").end(new JsonObject().put("choices", new JsonArray()
        .add(new JsonObject().put("message", new JsonObject().put("role", "assistant").put("content", answer)))).encode());
    })).listen(port, "127.0.0.1").await(10, TimeUnit.SECONDS);
    try (BoardScenario board = BoardScenario.start(Map.of(HookyardConfig.AI_PROVIDER, "openai",
      HookyardConfig.AI_URL, "http://127.0.0.1:" + port + "/v1", HookyardConfig.AI_MODEL, "test-model",
      HookyardConfig.AI_BREAKER_FAILURES, "1", HookyardConfig.AI_BREAKER_RESET_MS, "600000", HookyardConfig.MATCHING_TOP_K, "1"))) {
      String login = board.issue("Login page crashes when the password is empty",
        "Submitting the sign-in form without a password throws a 500", "In Progress");
      String export = board.issue("CSV export drops the last row", "The exported file is one line short", null);
      awaitEmbeddings(board);

      board.send(pullRequest("opened", 501, "Handle an empty password on the sign-in form",
        "Validate the password field before calling the auth service", "signin-validation", "main", "open", false,
        "2026-11-24T10:00:00Z"));
      JsonObject issue = board.get(login);
      assertThat(issue.getString("status")).isEqualTo("In Review");
      JsonObject link = issue.getJsonArray("prs").getJsonObject(0);
      assertThat(link.getString("match_layer")).isEqualTo("llm");
      assertThat(link.getInteger("match_confidence")).isEqualTo(93);
      assertThat(board.history(login, "issue.status_changed").getJsonObject(0).getJsonObject("cause").getString("layer"))
        .isEqualTo("llm");

      // The verifier fails: its breaker opens (one failure), and a match is only suggested.
      healthy[0] = false;
      board.send(pullRequest("opened", 502, "Keep the last row in CSV exports", "Off-by-one in the export writer",
        "csv-fix", "main", "open", false, "2026-11-24T11:00:00Z"));
      JsonObject exported = board.get(export);
      assertThat(exported.getJsonArray("prs")).isEmpty();
      assertThat(exported.getString("status")).isEqualTo("Backlog");
      assertThat(exported.getJsonArray("suggestions").getJsonObject(0).getInteger("number")).isEqualTo(502);
      int callsWhenOpen = calls.get();
      board.send(pullRequest("opened", 503, "CSV export: write the final row", null, "csv-fix-2", "main", "open", false,
        "2026-11-24T12:00:00Z"));
      assertThat(calls.get()).as("no call while the breaker is open").isEqualTo(callsWhenOpen);
      assertThat(board.get(export).getJsonArray("suggestions")).hasSize(2);
      String metrics = board.client.get("/metrics").send().await(10, TimeUnit.SECONDS).bodyAsString();
      assertThat(metrics).containsPattern("hookyard_ai_breaker_state\\{[^}]*provider=\"openai\"[^}]*\\} 2\\.0");
    } finally {
      fakeVertx.close().await(10, TimeUnit.SECONDS);
    }
  }

  private static void awaitEmbeddings(BoardScenario board) throws Exception {
    Eventually.until(Duration.ofSeconds(60), "issue embeddings computed", () -> board.hookyard.pool()
      .preparedQuery("SELECT count(*) FROM board_issues WHERE embedding IS NULL")
      .execute(Tuple.tuple()).await(10, TimeUnit.SECONDS).iterator().next().getLong(0) == 0);
  }
}
