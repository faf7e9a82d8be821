package dev.hookyard.app;

import dev.hookyard.common.testing.Eventually;
import dev.hookyard.common.testing.TestDatabase;
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

import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** Bulk replay of deliveries and bulk retry of dead letters, by filter, with a dry run, progress and cancellation. */
class BulkOperationsTest {

  private static Map<String, String> env;
  private static Hookyard hookyard;
  private static WebClient client;

  @BeforeAll
  static void start() throws Exception {
    env = TestHookyard.config(TestDatabase.fresh());
    hookyard = TestHookyard.start(env);
    client = TestHookyard.client(hookyard, env);
  }

  @AfterAll
  static void stop() {
    hookyard.close();
  }

  private static HttpResponse<Buffer> post(String uri, JsonObject body) throws Exception {
    return TestHookyard.adminPost(client, uri, body);
  }

  private static JsonObject operation(long id) throws Exception {
    HttpResponse<Buffer> got = TestHookyard.admin(client, HttpMethod.GET, "/api/v1/operations/" + id);
    assertThat(got.statusCode()).as(got.bodyAsString()).isEqualTo(200);
    return got.bodyAsJsonObject();
  }

  private static JsonObject finished(long id) throws Exception {
    return Eventually.until(Duration.ofSeconds(30), "operation " + id + " finished", () -> operation(id),
      op -> !op.getString("status").equals("running"));
  }

  private static void settled() throws Exception {
    Eventually.until(Duration.ofSeconds(30), "every job settled", () -> {
      JsonObject stats = TestHookyard.admin(client, HttpMethod.GET, "/api/v1/jobs/stats").bodyAsJsonObject();
      long open = 0;
      for (String q : stats.fieldNames()) {
        open += stats.getJsonObject(q).getLong("queued") + stats.getJsonObject(q).getLong("running")
          + stats.getJsonObject(q).getLong("failed");
      }
      return open;
    }, n -> n == 0);
  }

  @Test
  @DisplayName("Deliveries ignored before their repository was tracked are replayed by filter: the dry run counts them per event, the replay indexes them, a second replay makes no second index job")
  void replayBackfillsARepositoryTrackedLate() throws Exception {
    SignedPushes late = new SignedPushes("late", "acme/late", 9090, "late-");
    SignedPushes tracked = new SignedPushes("early", "acme/early", 9191, "early-");
    tracked.track(client);
    for (int n = 1; n <= 3; n++) {
      assertThat(late.send(client, n)).isEqualTo(202);
      assertThat(tracked.send(client, n)).isEqualTo(202);
    }
    settled();
    late.track(client);

    JsonObject filter = new JsonObject().put("repository", "acme/late").put("reason", "not tracked");
    HttpResponse<Buffer> plan = post("/api/v1/deliveries/replay", filter.copy().put("dry_run", true));
    assertThat(plan.statusCode()).isEqualTo(200);
    assertThat(plan.bodyAsJsonObject().getLong("total")).isEqualTo(3);
    assertThat(plan.bodyAsJsonObject().getJsonObject("events")).isEqualTo(new JsonObject().put("push", 3));
    assertThat(post("/api/v1/deliveries/replay", new JsonObject().put("event", "push").put("dry_run", true))
      .bodyAsJsonObject().getLong("total")).isEqualTo(6);
    assertThat(post("/api/v1/deliveries/replay", new JsonObject().put("queue", "webhook.issues").put("dry_run", true))
      .bodyAsJsonObject().getLong("total")).isZero();
    assertThat(TestHookyard.admin(client, HttpMethod.GET, "/api/v1/repositories/acme/late/index-jobs").bodyAsJsonArray()).isEmpty();

    HttpResponse<Buffer> started = post("/api/v1/deliveries/replay", filter);
    assertThat(started.statusCode()).as(started.bodyAsString()).isEqualTo(202);
    long id = started.bodyAsJsonObject().getLong("id");
    assertThat(started.getHeader("Location")).isEqualTo("/api/v1/operations/" + id);
    assertThat(started.bodyAsJsonObject().getString("status")).isEqualTo("running");
    JsonObject done = finished(id);
    assertThat(done.getString("status")).isEqualTo("done");
    assertThat(done.getInteger("total")).isEqualTo(3);
    assertThat(done.getLong("done")).isEqualTo(3);
    assertThat(done.getLong("failed")).isZero();
    settled();
    JsonArray indexed = TestHookyard.admin(client, HttpMethod.GET, "/api/v1/repositories/acme/late/index-jobs").bodyAsJsonArray();
    assertThat(indexed).hasSize(3);

    // The same replay again: every push runs again, and the index jobs stay one per commit.
    long again = post("/api/v1/deliveries/replay", new JsonObject().put("repository", "acme/late")).bodyAsJsonObject().getLong("id");
    assertThat(finished(again).getLong("done")).isEqualTo(3);
    settled();
    assertThat(TestHookyard.admin(client, HttpMethod.GET, "/api/v1/repositories/acme/late/index-jobs").bodyAsJsonArray()).hasSize(3);
    // Each delivery lists the jobs the replays added.
    assertThat(TestHookyard.admin(client, HttpMethod.GET, "/api/v1/deliveries/late-1").bodyAsJsonObject().getJsonArray("jobs")).hasSize(3);
  }

  @Test
  @DisplayName("Dead letters are retried by filter: the dry run counts them per queue, the retry puts only the selected ones back, and its progress counts them as they die again")
  void retryDeadLettersByFilter() throws Exception {
    byte[] noRepository = new JsonObject().put("ref", "refs/heads/main").toBuffer().getBytes();
    byte[] noIssue = new JsonObject().put("action", "opened").toBuffer().getBytes();
    for (int n = 1; n <= 2; n++) {
      assertThat(TestHookyard.deliver(client, "push", "dead-push-" + n, noRepository).statusCode()).isEqualTo(202);
    }
    assertThat(TestHookyard.deliver(client, "issues", "dead-issue-1", noIssue).statusCode()).isEqualTo(202);
    settled();

    JsonObject plan = post("/api/v1/jobs/dead/retry", new JsonObject().put("dry_run", true)).bodyAsJsonObject();
    assertThat(plan.getJsonObject("queues").getLong("webhook.push")).isEqualTo(2);
    assertThat(plan.getJsonObject("queues").getLong("webhook.issues")).isEqualTo(1);
    assertThat(post("/api/v1/jobs/dead/retry", new JsonObject().put("event", "issues").put("dry_run", true))
      .bodyAsJsonObject().getLong("total")).isEqualTo(1);

    HttpResponse<Buffer> started = post("/api/v1/jobs/dead/retry", new JsonObject().put("queue", "webhook.push"));
    assertThat(started.statusCode()).as(started.bodyAsString()).isEqualTo(202);
    JsonObject op = finished(started.bodyAsJsonObject().getLong("id"));
    assertThat(op.getString("status")).isEqualTo("done");
    assertThat(op.getInteger("total")).isEqualTo(2);
    assertThat(op.getLong("failed")).isEqualTo(2);
    assertThat(op.getLong("done")).isZero();
    // Each selected dead letter ran once more (a fresh attempt count: one attempt, dead again at once), the other not at all.
    for (String d : new String[] {"dead-push-1", "dead-push-2"}) {
      JsonObject job = TestHookyard.admin(client, HttpMethod.GET, "/api/v1/deliveries/" + d).bodyAsJsonObject().getJsonArray("jobs").getJsonObject(0);
      assertThat(job.getString("status")).isEqualTo("dead");
      assertThat(job.getInteger("attempts")).isEqualTo(1);
    }
    JsonArray dead = TestHookyard.admin(client, HttpMethod.GET, "/api/v1/jobs/dead").bodyAsJsonArray();
    assertThat(dead).hasSize(3);
  }

  @Test
  @DisplayName("A replay is cancelled: what no worker started is dropped, and it says cancelled")
  void cancel() throws Exception {
    SignedPushes held = new SignedPushes("held", "acme/held", 9292, "held-");
    held.track(client);
    for (int n = 1; n <= 3; n++) {
      assertThat(held.send(client, n)).isEqualTo(202);
    }
    settled();
    assertThat(TestHookyard.admin(client, HttpMethod.POST, "/api/v1/queues/webhook.push/pause").statusCode()).isEqualTo(200);
    try {
      long id = post("/api/v1/deliveries/replay", new JsonObject().put("repository", "acme/held")).bodyAsJsonObject().getLong("id");
      Eventually.until(Duration.ofSeconds(20), "the replay's jobs queued", () -> operation(id).getLong("waiting"), n -> n == 3);
      HttpResponse<Buffer> cancelled = TestHookyard.admin(client, HttpMethod.POST, "/api/v1/operations/" + id + "/cancel");
      assertThat(cancelled.statusCode()).isEqualTo(200);
      assertThat(cancelled.bodyAsJsonObject().getString("status")).isEqualTo("cancelled");
      assertThat(cancelled.bodyAsJsonObject().getLong("waiting")).isZero();
      assertThat(cancelled.bodyAsJsonObject().getString("finished_at")).isNotNull();
    } finally {
      TestHookyard.admin(client, HttpMethod.POST, "/api/v1/queues/webhook.push/resume");
    }
  }

  @Test
  @DisplayName("Bad filters are refused naming the field; unknown operations and workspaces are 404")
  void badInput() throws Exception {
    java.util.List<Map.Entry<String, JsonObject>> bad = java.util.List.of(
      Map.entry("/api/v1/deliveries/replay", new JsonObject().put("colour", "red")),
      Map.entry("/api/v1/jobs/dead/retry", new JsonObject().put("since", "2026-12-02").put("until", "2026-12-01")),
      Map.entry("/api/v1/reprocess", new JsonObject().put("since", "2026-12-01")),
      Map.entry("/api/v1/reprocess", new JsonObject().put("since", "2026-12-01").put("until", "2026-12-02").put("events", new JsonArray())),
      Map.entry("/api/v1/deliveries/replay", new JsonObject().put("repository", "not a name")));
    for (Map.Entry<String, JsonObject> e : bad) {
      HttpResponse<Buffer> refused = post(e.getKey(), e.getValue());
      assertThat(refused.statusCode()).as(e.getKey() + " " + e.getValue()).isEqualTo(400);
      assertThat(refused.bodyAsJsonObject().getString("error")).isEqualTo("bad_request");
    }
    assertThat(post("/api/v1/deliveries/replay", new JsonObject().put("queue", "nope")).bodyAsJsonObject().getString("message"))
      .contains("queue must be one of");
    assertThat(post("/api/v1/deliveries/replay", new JsonObject().put("dry_run", "yes")).statusCode()).isEqualTo(400);
    assertThat(post("/api/v1/reprocess", new JsonObject().put("workspace", "nowhere").put("since", "2026-12-01")
      .put("until", "2026-12-02")).statusCode()).isEqualTo(404);
    assertThat(TestHookyard.admin(client, HttpMethod.GET, "/api/v1/operations/999999").statusCode()).isEqualTo(404);
    assertThat(TestHookyard.admin(client, HttpMethod.GET, "/api/v1/reprocess/abc").statusCode()).isEqualTo(400);
    assertThat(client.post("/api/v1/deliveries/replay").send().await(10, java.util.concurrent.TimeUnit.SECONDS).statusCode())
      .isEqualTo(401);
  }
}
