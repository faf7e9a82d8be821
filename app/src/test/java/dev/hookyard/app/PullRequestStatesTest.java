package dev.hookyard.app;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.concurrent.TimeUnit;

import static dev.hookyard.app.BoardScenario.pullRequest;
import static org.assertj.core.api.Assertions.assertThat;

/** Pull-request states as Linear reads them, and each workspace's setting for them, from signed webhooks to the API. */
class PullRequestStatesTest {

  private static BoardScenario board;

  @BeforeAll
  static void start() throws Exception {
    board = BoardScenario.start(Map.of());
  }

  @AfterAll
  static void stop() {
    board.close();
  }

  private static JsonObject draft(JsonObject event) {
    event.getJsonObject("pull_request").put("draft", true);
    return event;
  }

  private static HttpResponse<Buffer> patch(String slug, JsonObject body) throws Exception {
    return board.client.request(HttpMethod.PATCH, "/api/v1/workspaces/" + slug).bearerTokenAuthentication(TestHookyard.TOKEN)
      .sendJsonObject(body).await(30, TimeUnit.SECONDS);
  }

  @Test
  @DisplayName("A draft PR moves its issue to In Progress (link 'draft'); ready_for_review to In Review; the merge to Done")
  void draftThenReadyThenMerged() throws Exception {
    String id = board.issue("Export drops the last row", null, null);
    board.send(draft(pullRequest("opened", 401, "Keep the last row", "Fixes " + id, "fix/export", "main", "open", false,
      "2026-11-10T10:00:00Z")));
    JsonObject issue = board.get(id);
    assertThat(issue.getString("status")).isEqualTo("In Progress");
    assertThat(issue.getJsonArray("prs").getJsonObject(0).getString("status")).isEqualTo("draft");

    board.send(pullRequest("ready_for_review", 401, "Keep the last row", "Fixes " + id, "fix/export", "main", "open", false,
      "2026-11-10T11:00:00Z"));
    issue = board.get(id);
    assertThat(issue.getString("status")).isEqualTo("In Review");
    assertThat(issue.getJsonArray("prs").getJsonObject(0).getString("status")).isEqualTo("open");

    board.send(pullRequest("closed", 401, "Keep the last row", "Fixes " + id, "fix/export", "main", "closed", true,
      "2026-11-10T12:00:00Z"));
    assertThat(board.status(id)).isEqualTo("Done");
    assertThat(board.history(id, "issue.status_changed")).extracting(h -> ((JsonObject) h).getString("to"))
      .containsExactly("In Progress", "In Review", "Done");
  }

  @Test
  @DisplayName("Never backwards: a PR in review converted to a draft leaves its issue In Review, the link becomes 'draft'")
  void convertedToDraftStays() throws Exception {
    String id = board.issue("Search ignores accents", null, null);
    board.send(pullRequest("opened", 402, "Fold accents", "Fixes " + id, "fix/accents", "main", "open", false,
      "2026-11-11T10:00:00Z"));
    assertThat(board.status(id)).isEqualTo("In Review");
    board.send(draft(pullRequest("converted_to_draft", 402, "Fold accents", "Fixes " + id, "fix/accents", "main", "open",
      false, "2026-11-11T11:00:00Z")));
    JsonObject issue = board.get(id);
    assertThat(issue.getString("status")).isEqualTo("In Review");
    assertThat(issue.getJsonArray("prs").getJsonObject(0).getString("status")).isEqualTo("draft");
  }

  @Test
  @DisplayName("Per workspace: with opened set to no move, opened leaves the issue and review_requested (same updated_at) moves it")
  void settingsPerWorkspace() throws Exception {
    assertThat(TestHookyard.adminPost(board.client, "/api/v1/workspaces",
      new JsonObject().put("slug", "beta").put("name", "Beta").put("issue_prefix", "BETA")).statusCode()).isEqualTo(201);
    assertThat(TestHookyard.adminPost(board.client, "/api/v1/workspaces/beta/repositories",
      new JsonObject().put("full_name", BoardScenario.REPO)).statusCode()).isIn(200, 201);
    HttpResponse<Buffer> set = patch("beta", new JsonObject().put("pr_statuses",
      new JsonObject().put("opened", null).put("review_requested", "in_review").put("merged", "Done")));
    assertThat(set.statusCode()).as(set.bodyAsString()).isEqualTo(200);
    assertThat(set.bodyAsJsonObject().getJsonObject("pr_statuses")).isEqualTo(new JsonObject()
      .put("draft", "In Progress").put("opened", null).put("ready_for_review", "In Review")
      .put("review_requested", "In Review").put("merged", "Done"));
    JsonObject acme = TestHookyard.admin(board.client, HttpMethod.GET, "/api/v1/workspaces/acme").bodyAsJsonObject();
    assertThat(acme.getJsonObject("pr_statuses").getString("opened")).isEqualTo("In Review");

    String acmeId = board.issue("Invoices show the wrong tax", null, null);
    HttpResponse<Buffer> created = TestHookyard.adminPost(board.client, "/api/v1/workspaces/beta/issues",
      new JsonObject().put("title", "Invoices show the wrong tax"));
    String betaId = created.bodyAsJsonObject().getString("identifier");
    String body = "Fixes " + acmeId + " and fixes " + betaId;
    board.send(pullRequest("opened", 403, "Round tax per line", body, "fix/tax", "main", "open", false, "2026-11-12T10:00:00Z"));
    assertThat(board.status(acmeId)).isEqualTo("In Review");
    JsonObject beta = TestHookyard.admin(board.client, HttpMethod.GET, "/api/v1/workspaces/beta/issues/" + betaId).bodyAsJsonObject();
    assertThat(beta.getString("status")).isEqualTo("Backlog");
    assertThat(beta.getJsonArray("prs").getJsonObject(0).getString("status")).isEqualTo("open");

    // GitHub sends review_requested with the same updated_at as opened.
    board.send(pullRequest("review_requested", 403, "Round tax per line", body, "fix/tax", "main", "open", false,
      "2026-11-12T10:00:00Z"));
    beta = TestHookyard.admin(board.client, HttpMethod.GET, "/api/v1/workspaces/beta/issues/" + betaId).bodyAsJsonObject();
    assertThat(beta.getString("status")).isEqualTo("In Review");
  }

  @Test
  @DisplayName("PATCH /api/v1/workspaces/{ws} answers 400 naming an unknown setting or status, 404 for an unknown workspace")
  void badSettings() throws Exception {
    HttpResponse<Buffer> unknownKey = patch("acme", new JsonObject().put("pr_statuses", new JsonObject().put("approved", "Done")));
    assertThat(unknownKey.statusCode()).isEqualTo(400);
    assertThat(unknownKey.bodyAsJsonObject().getString("error")).isEqualTo("bad_request");
    assertThat(unknownKey.bodyAsJsonObject().getString("message")).contains("pr_statuses.approved").contains("review_requested");
    HttpResponse<Buffer> badStatus = patch("acme", new JsonObject().put("pr_statuses", new JsonObject().put("merged", "Shipped")));
    assertThat(badStatus.statusCode()).isEqualTo(400);
    assertThat(badStatus.bodyAsJsonObject().getString("message")).contains("pr_statuses.merged").contains("In Review");
    assertThat(patch("acme", new JsonObject().put("pr_statuses", "Done")).statusCode()).isEqualTo(400);
    assertThat(patch("acme", new JsonObject()).statusCode()).isEqualTo(400);
    assertThat(patch("nobody", new JsonObject().put("name", "Nobody")).statusCode()).isEqualTo(404);
    HttpResponse<Buffer> renamed = patch("acme", new JsonObject().put("name", "Acme Inc."));
    assertThat(renamed.statusCode()).isEqualTo(200);
    assertThat(renamed.bodyAsJsonObject().getString("name")).isEqualTo("Acme Inc.");
    assertThat(renamed.bodyAsJsonObject().getJsonObject("pr_statuses").getString("draft")).isEqualTo("In Progress");
    patch("acme", new JsonObject().put("name", "Acme"));
  }
}
