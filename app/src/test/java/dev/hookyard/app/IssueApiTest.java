package dev.hookyard.app;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** The board's issues over HTTP: create, read, change by hand, list, comment. */
class IssueApiTest {

  private static BoardScenario board;

  @BeforeAll
  static void start() throws Exception {
    board = BoardScenario.start(Map.of());
  }

  @AfterAll
  static void stop() {
    board.close();
  }

  @Test
  @DisplayName("A new issue gets the next identifier, Backlog and P2 by default, and its creation in the history")
  void create() throws Exception {
    HttpResponse<Buffer> created = TestHookyard.adminPost(board.client, "/api/v1/workspaces/acme/issues",
      new JsonObject().put("title", "Checkout times out").put("description", "Since Tuesday").put("labels", new JsonArray().add("bug"))
        .put("error_source", new JsonObject().put("source", "sentry").put("external_id", "API-1F")));
    assertThat(created.statusCode()).isEqualTo(201);
    JsonObject issue = created.bodyAsJsonObject();
    assertThat(issue.getString("identifier")).matches("ACME-\\d+");
    assertThat(issue.getString("status")).isEqualTo("Backlog");
    assertThat(issue.getString("priority")).isEqualTo("P2");
    assertThat(issue.getJsonArray("labels").getList()).containsExactly("bug");
    assertThat(issue.getJsonObject("error_source").getString("external_id")).isEqualTo("API-1F");
    assertThat(issue.getJsonArray("prs")).isEmpty();
    assertThat(issue.getJsonArray("suggestions")).isEmpty();
    assertThat(issue.getJsonArray("fix_attempts")).isEmpty();
    assertThat(issue.getJsonArray("history").getJsonObject(0).getString("type")).isEqualTo("issue.created");

    // The identifier is found whatever its case.
    assertThat(board.get(issue.getString("identifier").toLowerCase()).getString("title")).isEqualTo("Checkout times out");
  }

  @Test
  @DisplayName("Fifty issues created at once get fifty consecutive identifiers, no gap and no duplicate")
  void concurrentCreations() throws Exception {
    List<Future<HttpResponse<Buffer>>> sent = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      sent.add(board.client.post("/api/v1/workspaces/acme/issues").bearerTokenAuthentication(TestHookyard.TOKEN)
        .sendJsonObject(new JsonObject().put("title", "Concurrent " + i)));
    }
    Future.all(sent).await(60, TimeUnit.SECONDS);
    List<Integer> numbers = new ArrayList<>();
    for (Future<HttpResponse<Buffer>> f : sent) {
      assertThat(f.result().statusCode()).isEqualTo(201);
      numbers.add(Integer.parseInt(f.result().bodyAsJsonObject().getString("identifier").substring("ACME-".length())));
    }
    int low = numbers.stream().min(Integer::compare).orElseThrow();
    assertThat(numbers).doesNotHaveDuplicates().hasSize(50);
    assertThat(numbers.stream().max(Integer::compare).orElseThrow() - low).isEqualTo(49);
  }

  @Test
  @DisplayName("A patch changes status, priority, title and labels, one history entry each; bad values are refused by name")
  void patch() throws Exception {
    String id = board.issue("Slow search", "p99 is 3 s", null);
    HttpResponse<Buffer> patched = board.client.patch("/api/v1/workspaces/acme/issues/" + id).bearerTokenAuthentication(TestHookyard.TOKEN)
      .sendJsonObject(new JsonObject().put("status", "In Progress").put("priority", "P1").put("title", "Slow search page")
        .put("labels", new JsonArray().add("perf")))
      .await(10, TimeUnit.SECONDS);
    assertThat(patched.statusCode()).as(patched.bodyAsString()).isEqualTo(200);
    JsonObject issue = patched.bodyAsJsonObject();
    assertThat(issue.getString("status")).isEqualTo("In Progress");
    assertThat(issue.getString("priority")).isEqualTo("P1");
    assertThat(issue.getString("title")).isEqualTo("Slow search page");
    assertThat(issue.getJsonArray("labels").getList()).containsExactly("perf");
    JsonObject move = board.history(id, "issue.status_changed").getJsonObject(0);
    assertThat(move.getString("from")).isEqualTo("Backlog");
    assertThat(move.getString("to")).isEqualTo("In Progress");
    assertThat(move.getJsonObject("cause").getString("actor")).isEqualTo("api");
    assertThat(board.history(id, "issue.priority_changed")).hasSize(1);
    assertThat(board.history(id, "issue.title_changed")).hasSize(1);
    assertThat(board.history(id, "issue.labels_changed")).hasSize(1);

    HttpResponse<Buffer> bad = board.client.patch("/api/v1/workspaces/acme/issues/" + id).bearerTokenAuthentication(TestHookyard.TOKEN)
      .sendJsonObject(new JsonObject().put("status", "Shipped")).await(10, TimeUnit.SECONDS);
    assertThat(bad.statusCode()).isEqualTo(400);
    assertThat(bad.bodyAsJsonObject().getString("error")).isEqualTo("bad_request");
    assertThat(bad.bodyAsJsonObject().getString("message")).contains("status");
    HttpResponse<Buffer> priority = board.client.patch("/api/v1/workspaces/acme/issues/" + id).bearerTokenAuthentication(TestHookyard.TOKEN)
      .sendJsonObject(new JsonObject().put("priority", "P9")).await(10, TimeUnit.SECONDS);
    assertThat(priority.statusCode()).isEqualTo(400);
    assertThat(priority.bodyAsJsonObject().getString("message")).contains("priority");
    HttpResponse<Buffer> missing = board.client.patch("/api/v1/workspaces/acme/issues/ACME-99999").bearerTokenAuthentication(TestHookyard.TOKEN)
      .sendJsonObject(new JsonObject().put("status", "Done")).await(10, TimeUnit.SECONDS);
    assertThat(missing.statusCode()).isEqualTo(404);
    assertThat(TestHookyard.admin(board.client, HttpMethod.GET, "/api/v1/workspaces/nope/issues").statusCode()).isEqualTo(404);
    assertThat(board.client.get("/api/v1/workspaces/acme/issues/" + id).send().await(10, TimeUnit.SECONDS).statusCode()).isEqualTo(401);
  }

  @Test
  @DisplayName("Issues are listed by status, priority, label and text; comments show on the issue")
  void listAndComment() throws Exception {
    String a = board.issue("Broken avatar upload", null, "Investigating");
    board.issue("Avatar cropping is off", null, null);
    JsonArray investigating = TestHookyard.admin(board.client, HttpMethod.GET,
      "/api/v1/workspaces/acme/issues?status=Investigating&q=avatar").bodyAsJsonArray();
    assertThat(investigating).extracting(o -> ((JsonObject) o).getString("identifier")).containsExactly(a);
    assertThat(TestHookyard.admin(board.client, HttpMethod.GET, "/api/v1/workspaces/acme/issues?q=avatar&limit=1")
      .bodyAsJsonArray()).hasSize(1);
    assertThat(TestHookyard.admin(board.client, HttpMethod.GET, "/api/v1/workspaces/acme/issues?status=Nope").statusCode())
      .isEqualTo(400);

    HttpResponse<Buffer> commented = TestHookyard.adminPost(board.client, "/api/v1/workspaces/acme/issues/" + a + "/comments",
      new JsonObject().put("body", "Seen on Safari only").put("author", "grace"));
    assertThat(commented.statusCode()).isEqualTo(201);
    JsonObject comment = commented.bodyAsJsonObject().getJsonArray("comments").getJsonObject(0);
    assertThat(comment.getString("body")).isEqualTo("Seen on Safari only");
    assertThat(comment.getString("author")).isEqualTo("grace");
  }
}
