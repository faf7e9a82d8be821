package dev.hookyard.app;

import dev.hookyard.common.testing.Ports;
import dev.hookyard.common.config.HookyardConfig;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static dev.hookyard.app.BoardScenario.pullRequest;
import static org.assertj.core.api.Assertions.assertThat;

/** A release PR's commits, read from a local fake of GitHub's REST API when a token is set. */
class ReleaseCommitsTest {

  @Test
  @DisplayName("With a GitHub token, a merged release PR also closes the issues named in its commits, read over every page")
  void releaseCommits() throws Exception {
    Vertx fakeVertx = Vertx.vertx();
    List<String> seen = new CopyOnWriteArrayList<>();
    int port = Ports.freePort();
    fakeVertx.createHttpServer().requestHandler(req -> {
      seen.add(req.method() + " " + req.uri() + " " + req.getHeader("Authorization"));
      if (!req.path().equals("/repos/acme/api/pulls/401/commits")) {
        req.response().setStatusCode(404).end();
        return;
      }
      boolean second = "2".equals(req.getParam("page"));
      JsonArray commits = new JsonArray().add(commit(second ? "Refs ACME-3 in the second page" : "Fix ACME-2: retry uploads"))
        .add(commit("Tidy the changelog"));
      if (!second) {
        req.response().putHeader("Link", "<http://127.0.0.1:" + port + "/repos/acme/api/pulls/401/commits?per_page=100&page=2>; rel=\"next\"");
      }
      req.response().putHeader("Content-Type", "application/json").end(commits.encode());
    }).listen(port, "127.0.0.1").await(10, TimeUnit.SECONDS);
    try (BoardScenario board = BoardScenario.start(Map.of(HookyardConfig.GITHUB_TOKEN, "gh-test-token",
      HookyardConfig.GITHUB_API_URL, "http://127.0.0.1:" + port))) {
      String inBody = board.issue("Named in the body", null, null);
      String inCommit = board.issue("Named in a commit", null, null);
      String onPageTwo = board.issue("Named on the second page", null, null);
      String other = board.issue("Not released", null, null);
      assertThat(List.of(inBody, inCommit, onPageTwo)).containsExactly("ACME-1", "ACME-2", "ACME-3");
      board.send(pullRequest("closed", 401, "Release 2026-11-24", "Ships " + inBody, "staging", "main", "closed", true,
        "2026-11-24T12:00:00Z"));
      assertThat(board.status(inBody)).isEqualTo("Done");
      assertThat(board.status(inCommit)).isEqualTo("Done");
      assertThat(board.status(onPageTwo)).isEqualTo("Done");
      assertThat(board.status(other)).isEqualTo("Backlog");
      assertThat(seen).hasSize(2).allMatch(s -> s.endsWith("Bearer gh-test-token"));
    } finally {
      fakeVertx.close().await(10, TimeUnit.SECONDS);
    }
  }

  @Test
  @DisplayName("With a GitHub token, a deploy ships a merge when GitHub's compare says its head is ahead of the merge commit, not otherwise")
  void deployAncestry() throws Exception {
    Vertx fakeVertx = Vertx.vertx();
    int port = Ports.freePort();
    String merged = String.format("%040x", 601);
    fakeVertx.createHttpServer().requestHandler(req -> {
      // head "d…" contains the merge; head "e…" does not.
      String status = req.path().equals("/repos/acme/api/compare/" + merged + "..." + "d".repeat(40)) ? "ahead"
        : req.path().startsWith("/repos/acme/api/compare/") ? "diverged" : null;
      if (status == null) {
        req.response().setStatusCode(404).end();
      } else {
        req.response().putHeader("Content-Type", "application/json").end(new JsonObject().put("status", status).encode());
      }
    }).listen(port, "127.0.0.1").await(10, TimeUnit.SECONDS);
    try (BoardScenario board = BoardScenario.start(Map.of(HookyardConfig.GITHUB_TOKEN, "gh-test-token",
      HookyardConfig.GITHUB_API_URL, "http://127.0.0.1:" + port))) {
      JsonObject created = TestHookyard.adminPost(board.client, "/api/v1/workspaces/acme/issues", new JsonObject()
        .put("title", "Timeouts").put("error_source", new JsonObject().put("source", "sentry").put("external_id", "API-5")))
        .bodyAsJsonObject();
      String id = created.getString("identifier");
      board.send(pullRequest("closed", 601, "Fix timeouts", "Fixes " + id, "fix/t", "main", "closed", true, "2026-11-24T08:00:00Z"));
      // Started after the merge, but GitHub says it does not contain it: still awaiting.
      board.send("workflow_run", FixVerificationTest.workflowRun(9401, "production", "main", "e".repeat(40), "success",
        "2026-11-24T09:00:00Z", "2026-11-24T09:05:00Z"), java.util.UUID.randomUUID().toString());
      assertThat(board.get(id).getJsonArray("fix_attempts").getJsonObject(0).getString("verification_status"))
        .isEqualTo("awaiting_deploy");
      board.send("workflow_run", FixVerificationTest.workflowRun(9402, "production", "main", "d".repeat(40), "success",
        "2026-11-24T10:00:00Z", "2026-11-24T10:05:00Z"), java.util.UUID.randomUUID().toString());
      JsonObject attempt = board.get(id).getJsonArray("fix_attempts").getJsonObject(0);
      assertThat(attempt.getString("verification_status")).isEqualTo("monitoring");
      assertThat(attempt.getString("deployed_sha")).isEqualTo("d".repeat(40));
    } finally {
      fakeVertx.close().await(10, TimeUnit.SECONDS);
    }
  }

  private static JsonObject commit(String message) {
    return new JsonObject().put("sha", "c".repeat(40)).put("commit", new JsonObject().put("message", message));
  }
}
