package dev.hookyard.app;

import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.UUID;

import static dev.hookyard.app.BoardScenario.pullRequest;
import static org.assertj.core.api.Assertions.assertThat;

/** Which repository row an event's facts go to when its GitHub id was first heard of under another name. */
class RepositoryIdentityTest {

  private static BoardScenario board;

  @BeforeAll
  static void start() throws Exception {
    board = BoardScenario.start(Map.of());
  }

  @AfterAll
  static void stop() {
    board.close();
  }

  /** An installation nobody tracks adds a repository: hookyard records its id under that name, untracked. */
  private static void recordUntracked(long installation, long githubId, String fullName) throws Exception {
    JsonObject event = new JsonObject().put("action", "added")
      .put("installation", new JsonObject().put("id", installation))
      .put("repositories_added", new JsonArray().add(new JsonObject().put("id", githubId).put("full_name", fullName)))
      .put("repositories_removed", new JsonArray());
    board.send("installation_repositories", event, UUID.randomUUID().toString());
  }

  private static JsonObject renamed(JsonObject pr, long githubId, String fullName) {
    pr.put("repository", new JsonObject().put("id", githubId).put("full_name", fullName));
    return pr;
  }

  @Test
  @DisplayName("A tracked repository known only by its name claims the GitHub id an untracked row recorded under another name")
  void trackedNameClaimsTheId() throws Exception {
    recordUntracked(9001, BoardScenario.REPO_ID, "acme/api-legacy");
    String id = board.issue("Rate limiter counts twice", null, null);
    String delivery = board.send(pullRequest("opened", 601, "Count once", "Fixes " + id, "fix/rate", "main", "open", false,
      "2026-11-25T10:00:00Z"));
    assertThat(board.job(delivery).getString("status")).isEqualTo("done");
    assertThat(board.status(id)).isEqualTo("In Review");
    JsonObject repo = TestHookyard.admin(board.client, HttpMethod.GET, "/api/v1/repositories/acme/api").bodyAsJsonObject();
    assertThat(repo.getLong("github_id")).isEqualTo(BoardScenario.REPO_ID);
    assertThat(repo.getBoolean("tracked")).isTrue();
  }

  @Test
  @DisplayName("An event whose GitHub id matched an untracked row of another name is ignored naming both names")
  void untrackedSaysBothNames() throws Exception {
    recordUntracked(9002, 5151, "acme/web-legacy");
    String delivery = board.send(renamed(pullRequest("opened", 602, "Anything", "No issue", "x", "main", "open", false,
      "2026-11-25T11:00:00Z"), 5151, "acme/web"));
    JsonObject job = board.job(delivery);
    assertThat(job.getString("status")).isEqualTo("ignored");
    assertThat(job.getString("result"))
      .isEqualTo("repository acme/web (GitHub id 5151, known here as acme/web-legacy) is not tracked");
  }
}
