package dev.hookyard.app;

import dev.hookyard.common.testing.Eventually;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static dev.hookyard.app.BoardScenario.pullRequest;
import static org.assertj.core.api.Assertions.assertThat;

/** What a board token reads of a workspace: cards with their PRs and fix state, one issue's detail, the recent history in words. */
class BoardCardsTest {

  private static BoardScenario board;
  private static String boardToken;

  @BeforeAll
  static void start() throws Exception {
    board = BoardScenario.start(Map.of());
    boardToken = TestHookyard.adminPost(board.client, "/api/v1/workspaces/acme/board-tokens", new JsonObject())
      .bodyAsJsonObject().getString("token");
  }

  @AfterAll
  static void stop() {
    board.close();
  }

  private static HttpResponse<Buffer> read(String uri, String token) throws Exception {
    var request = board.client.get(uri);
    if (token != null) {
      request.bearerTokenAuthentication(token);
    }
    return request.send().await(30, TimeUnit.SECONDS);
  }

  private static String issue(String title, String priority, JsonObject errorSource) throws Exception {
    JsonObject body = new JsonObject().put("title", title).put("priority", priority);
    if (errorSource != null) {
      body.put("error_source", errorSource);
    }
    HttpResponse<Buffer> created = TestHookyard.adminPost(board.client, "/api/v1/workspaces/acme/issues", body);
    assertThat(created.statusCode()).as(created.bodyAsString()).isEqualTo(201);
    return created.bodyAsJsonObject().getString("identifier");
  }

  private static JsonArray column(JsonObject b, String status) {
    for (Object c : b.getJsonArray("columns")) {
      if (((JsonObject) c).getString("status").equals(status)) {
        return ((JsonObject) c).getJsonArray("issues");
      }
    }
    throw new AssertionError("no column " + status);
  }

  /**
   * An issue, once its embedding is stored: storing it changes the row (the semantic
   * index finds new vectors by it), so issues made back to back would otherwise be
   * "changed" in the order their embeddings land, not the order they were made.
   */
  private static String embeddedIssue(String title, String priority) throws Exception {
    String identifier = issue(title, priority, null);
    Eventually.until(identifier + " embedded", () -> board.hookyard.pool()
      .preparedQuery("SELECT embedding IS NOT NULL FROM board_issues WHERE identifier = $1")
      .execute(io.vertx.sqlclient.Tuple.of(identifier)).await(10, TimeUnit.SECONDS).iterator().next().getBoolean(0));
    return identifier;
  }

  @Test
  @DisplayName("GET …/board: the workspace's name; in a column P0 before P1 before P3, the latest changed first within a priority")
  void sortedByPriorityThenRecency() throws Exception {
    String p3 = embeddedIssue("Typo on the pricing page", "P3");
    String p1old = embeddedIssue("Slow search", "P1");
    String p0 = embeddedIssue("Checkout is down", "P0");
    String p1new = embeddedIssue("Slow export", "P1");
    HttpResponse<Buffer> got = read("/api/v1/workspaces/acme/board", boardToken);
    assertThat(got.statusCode()).isEqualTo(200);
    assertThat(got.bodyAsJsonObject().getString("name")).isEqualTo("Acme");
    List<String> backlog = column(got.bodyAsJsonObject(), "Backlog").stream()
      .map(i -> ((JsonObject) i).getString("identifier")).filter(List.of(p3, p1old, p0, p1new)::contains).toList();
    assertThat(backlog).containsExactly(p0, p1new, p1old, p3);
  }

  @Test
  @DisplayName("A card shows its PR (number, title, state, link) and, for an error-sourced issue, its fix state; the detail and history say it in words")
  void cardsWithPullRequestsAndFixState() throws Exception {
    String id = issue("NullPointerException in checkout", "P1", new JsonObject().put("source", "sentry").put("external_id", "CHK-9"));
    board.send(pullRequest("opened", 501, "Guard the empty cart", "Fixes " + id, "fix/cart", "main", "open", false,
      "2026-11-20T10:00:00Z"));
    JsonObject card = column(read("/api/v1/workspaces/acme/board", boardToken).bodyAsJsonObject(), "In Review").stream()
      .map(JsonObject.class::cast).filter(i -> i.getString("identifier").equals(id)).findFirst().orElseThrow();
    JsonObject pr = card.getJsonArray("prs").getJsonObject(0);
    assertThat(pr.getInteger("number")).isEqualTo(501);
    assertThat(pr.getString("title")).isEqualTo("Guard the empty cart");
    assertThat(pr.getString("status")).isEqualTo("open");
    assertThat(pr.getString("url")).isEqualTo("https://github.test/acme/api/pull/501");
    assertThat(card.getValue("fix")).isNull();

    board.send(pullRequest("closed", 501, "Guard the empty cart", "Fixes " + id, "fix/cart", "main", "closed", true,
      "2026-11-20T11:00:00Z"));
    card = column(read("/api/v1/workspaces/acme/board", boardToken).bodyAsJsonObject(), "Done").stream()
      .map(JsonObject.class::cast).filter(i -> i.getString("identifier").equals(id)).findFirst().orElseThrow();
    assertThat(card.getJsonArray("prs").getJsonObject(0).getString("status")).isEqualTo("merged");
    assertThat(card.getJsonObject("fix").getString("status")).isEqualTo("awaiting_deploy");
    assertThat(card.getJsonObject("fix").getInteger("pr_number")).isEqualTo(501);

    HttpResponse<Buffer> detail = read("/api/v1/workspaces/acme/board/issues/" + id.toLowerCase(), boardToken);
    assertThat(detail.statusCode()).isEqualTo(200);
    List<String> texts = detail.bodyAsJsonObject().getJsonArray("history").stream()
      .map(h -> ((JsonObject) h).getString("text")).toList();
    assertThat(texts).contains(id + " created in Backlog", "PR #501 linked to " + id + ": it names the issue",
      id + " moved to In Review: PR #501 opened", id + " moved to Done: PR #501 merged",
      id + "'s fix (PR #501) merged; awaiting a production deploy");

    HttpResponse<Buffer> recent = read("/api/v1/workspaces/acme/board/history?limit=3", boardToken);
    assertThat(recent.statusCode()).isEqualTo(200);
    JsonArray latest = recent.bodyAsJsonArray();
    assertThat(latest).hasSize(3);
    assertThat(latest.getJsonObject(0).getLong("id")).isGreaterThan(latest.getJsonObject(1).getLong("id"));
    assertThat(latest.stream().map(m -> ((JsonObject) m).getString("text")).toList())
      .contains(id + " moved to Done: PR #501 merged");
    assertThat(read("/api/v1/workspaces/acme/board/history?limit=0", boardToken).statusCode()).isEqualTo(400);
    assertThat(read("/api/v1/workspaces/acme/board/issues/ACME-9999", boardToken).statusCode()).isEqualTo(404);
  }

  @Test
  @DisplayName("No token, a token that is not valid, and another workspace's token get 401, each with its reason and how to get one")
  void refusalsSayWhy() throws Exception {
    assertThat(TestHookyard.adminPost(board.client, "/api/v1/workspaces",
      new JsonObject().put("slug", "other").put("name", "Other").put("issue_prefix", "OTH")).statusCode()).isEqualTo(201);
    String otherToken = TestHookyard.adminPost(board.client, "/api/v1/workspaces/other/board-tokens", new JsonObject())
      .bodyAsJsonObject().getString("token");
    Map<String, String> reasons = new java.util.LinkedHashMap<>();
    reasons.put("missing_token", null);
    reasons.put("invalid_token", "hyb_not-a-token");
    reasons.put("other_workspace", otherToken);
    for (var e : reasons.entrySet()) {
      for (String path : List.of("/board", "/board/history", "/board/issues/ACME-1")) {
        HttpResponse<Buffer> refused = read("/api/v1/workspaces/acme" + path, e.getValue());
        assertThat(refused.statusCode()).as(path + " " + e.getKey()).isEqualTo(401);
        JsonObject body = refused.bodyAsJsonObject();
        assertThat(body.getString("error")).isEqualTo("unauthorized");
        assertThat(body.getString("reason")).isEqualTo(e.getKey());
        assertThat(body.getString("message")).contains("POST /api/v1/workspaces/acme/board-tokens");
      }
    }
    assertThat(read("/api/v1/workspaces/acme/board", otherToken).bodyAsJsonObject().getString("message"))
      .contains("belongs to workspace other, not acme");
  }
}
