package dev.hookyard.app;

import dev.hookyard.common.testing.Eventually;
import dev.hookyard.common.testing.TestDatabase;
import dev.hookyard.common.webhook.GitHubSignature;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** Finding deliveries: filters, keyset pages, a delivery's stored bytes and its jobs. */
class DeliverySearchTest {

  private static Map<String, String> env;
  private static Hookyard hookyard;
  private static WebClient client;
  private static final SignedPushes FOUND = new SignedPushes("found", "acme/found", 8080, "found-");
  private static final SignedPushes OTHER = new SignedPushes("other", "acme/other", 8181, "other-");
  private static Instant between;

  @BeforeAll
  static void start() throws Exception {
    env = TestHookyard.config(TestDatabase.fresh());
    hookyard = TestHookyard.start(env);
    client = TestHookyard.client(hookyard, env);
    FOUND.track(client);
    for (int n = 1; n <= 5; n++) {
      assertThat(FOUND.send(client, n)).isEqualTo(202);
    }
    Thread.sleep(20);
    between = Instant.now();
    Thread.sleep(20);
    for (int n = 1; n <= 3; n++) {
      assertThat(OTHER.send(client, n)).isEqualTo(202);   // not tracked: ignored
    }
    byte[] star = new JsonObject().put("action", "created")
      .put("repository", new JsonObject().put("id", 8080).put("full_name", "acme/found")).toBuffer().getBytes();
    assertThat(TestHookyard.deliver(client, "star", "star-1", star).statusCode()).isEqualTo(202);
    Eventually.until(Duration.ofSeconds(30), "every delivery settled", () -> list("status=queued").size() + list("status=running").size(),
      n -> n == 0);
  }

  @AfterAll
  static void stop() {
    hookyard.close();
  }

  private static HttpResponse<Buffer> get(String query) throws Exception {
    return TestHookyard.admin(client, HttpMethod.GET, "/webhooks/github/events?" + query);
  }

  private static JsonArray list(String query) throws Exception {
    HttpResponse<Buffer> got = get(query);
    assertThat(got.statusCode()).as(got.bodyAsString()).isEqualTo(200);
    return got.bodyAsJsonArray();
  }

  private static List<String> ids(JsonArray deliveries) {
    List<String> ids = new ArrayList<>();
    deliveries.forEach(d -> ids.add(((JsonObject) d).getString("delivery_id")));
    return ids;
  }

  @Test
  @DisplayName("Deliveries are found by repository, event, action, their latest job's status and time range, newest first")
  void filters() throws Exception {
    assertThat(ids(list("repository=acme/found&event=push"))).containsExactly("found-5", "found-4", "found-3", "found-2", "found-1");
    assertThat(ids(list("repository=acme/found"))).hasSize(6).startsWith("star-1");
    assertThat(ids(list("status=ignored"))).containsExactlyInAnyOrder("other-1", "other-2", "other-3", "star-1");
    assertThat(ids(list("status=done&repository=acme/other"))).isEmpty();
    assertThat(ids(list("action=created"))).containsExactly("star-1");
    String t = URLEncoder.encode(between.toString(), StandardCharsets.UTF_8);
    assertThat(ids(list("since=" + t))).containsExactlyInAnyOrder("other-1", "other-2", "other-3", "star-1");
    assertThat(ids(list("until=" + t))).containsExactlyInAnyOrder("found-1", "found-2", "found-3", "found-4", "found-5");
    assertThat(ids(list("since=2999-01-01"))).isEmpty();
    JsonObject one = list("repository=acme/other&limit=1").getJsonObject(0);
    assertThat(one.getString("repository")).isEqualTo("acme/other");
    assertThat(one.getString("status")).isEqualTo("ignored");
    assertThat(one.getString("result")).contains("not tracked");

    for (String bad : List.of("status=lost", "since=yesterday", "limit=0", "cursor=bm90LWEtY3Vyc29y", "cursor=@@")) {
      HttpResponse<Buffer> refused = get(bad);
      assertThat(refused.statusCode()).as(bad).isEqualTo(400);
      assertThat(refused.bodyAsJsonObject().getString("error")).isEqualTo("bad_request");
      assertThat(refused.bodyAsJsonObject().getString("message")).isNotBlank();
    }
  }

  @Test
  @DisplayName("Pages follow a cursor that new deliveries do not shift: every delivery once, none twice")
  void keysetPages() throws Exception {
    HttpResponse<Buffer> first = get("repository=acme/found&event=push&limit=2");
    assertThat(ids(first.bodyAsJsonArray())).containsExactly("found-5", "found-4");
    String cursor = first.getHeader("X-Next-Cursor");
    assertThat(cursor).isNotBlank();
    assertThat(first.getHeader("Link")).contains("cursor=" + cursor).contains("rel=\"next\"");

    assertThat(FOUND.send(client, 6)).isEqualTo(202);   // arrives while the client pages

    HttpResponse<Buffer> second = get("repository=acme/found&event=push&limit=2&cursor=" + cursor);
    assertThat(ids(second.bodyAsJsonArray())).containsExactly("found-3", "found-2");
    HttpResponse<Buffer> third = get("repository=acme/found&event=push&limit=2&cursor=" + second.getHeader("X-Next-Cursor"));
    assertThat(ids(third.bodyAsJsonArray())).containsExactly("found-1");
    assertThat(third.getHeader("X-Next-Cursor")).isNull();
    assertThat(ids(list("repository=acme/found&event=push&limit=1"))).containsExactly("found-6");
  }

  @Test
  @DisplayName("A delivery answers its stored body byte for byte with ?body=true, and lists its jobs with their results")
  void oneDelivery() throws Exception {
    HttpResponse<Buffer> raw = TestHookyard.admin(client, HttpMethod.GET, "/api/v1/deliveries/found-1?body=true");
    assertThat(raw.statusCode()).isEqualTo(200);
    assertThat(raw.body().getBytes()).isEqualTo(FOUND.body(1));
    assertThat(raw.getHeader("Content-Type")).isEqualTo("application/json");
    assertThat(raw.getHeader("X-GitHub-Event")).isEqualTo("push");
    assertThat(raw.getHeader(GitHubSignature.HEADER)).isEqualTo(GitHubSignature.sign(TestHookyard.SECRET, FOUND.body(1)));

    JsonObject d = TestHookyard.admin(client, HttpMethod.GET, "/api/v1/deliveries/found-1").bodyAsJsonObject();
    assertThat(d.getString("repository")).isEqualTo("acme/found");
    JsonObject job = d.getJsonArray("jobs").getJsonObject(0);
    assertThat(job.getString("queue")).isEqualTo("webhook.push");
    assertThat(job.getString("status")).isEqualTo("done");
    assertThat(job.getString("result")).isNotBlank();
    assertThat(d.getJsonArray("board_changes")).isEmpty();

    HttpResponse<Buffer> bad = TestHookyard.admin(client, HttpMethod.GET, "/api/v1/deliveries/found-1?body=yes");
    assertThat(bad.statusCode()).isEqualTo(400);
    assertThat(TestHookyard.admin(client, HttpMethod.GET, "/api/v1/deliveries/nope?body=true").statusCode()).isEqualTo(404);
  }
}
