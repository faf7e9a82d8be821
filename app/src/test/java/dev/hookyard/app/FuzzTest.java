package dev.hookyard.app;

import dev.hookyard.common.testing.Eventually;
import dev.hookyard.common.Queues;
import dev.hookyard.common.testing.TestDatabase;
import dev.hookyard.common.webhook.GitHubSignature;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.sqlclient.Row;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** Hostile and broken input, signed and unsigned, against a whole hookyard. */
class FuzzTest {

  private static final Set<Integer> CONTRACT = Set.of(200, 202, 400, 401, 408, 413, 415);
  private static final int REQUESTS = 1_000;

  @Test
  @Timeout(value = 4, unit = TimeUnit.MINUTES)
  @DisplayName("1,000 fuzzed bodies and headers get only the contract's status codes, no job fails on hookyard's own exception, and the process stays healthy")
  void fuzz() throws Exception {
    Map<String, String> env = TestHookyard.config(TestDatabase.fresh());
    try (Hookyard hookyard = TestHookyard.start(env)) {
      WebClient client = TestHookyard.client(hookyard, env);
      TestHookyard.adminPost(client, "/api/v1/workspaces", new JsonObject().put("slug", "fz").put("name", "Fz").put("issue_prefix", "FZ"));
      TestHookyard.adminPost(client, "/api/v1/workspaces/fz/repositories", new JsonObject().put("full_name", "fuzz/repo"));
      Random random = new Random(20261124);
      Map<Integer, Integer> statuses = new TreeMap<>();
      List<String> events = new ArrayList<>(Queues.PROCESSED_EVENTS);
      events.add("ping");
      events.add("check_run");
      for (int i = 0; i < REQUESTS; i++) {
        byte[] body = body(random);
        String event = events.get(random.nextInt(events.size()));
        HttpRequest<Buffer> req = client.post("/webhooks/github").timeout(30_000);
        switch (random.nextInt(10)) {
          case 0 -> req.putHeader("Content-Type", "text/plain");
          case 1 -> { } // no content type
          case 2 -> req.putHeader("Content-Type", "application/x-www-form-urlencoded");
          default -> req.putHeader("Content-Type", "application/json; charset=utf-8");
        }
        if (random.nextInt(20) > 0) {
          req.putHeader("X-GitHub-Event", random.nextInt(30) == 0 ? "../../etc/passwd;x=1" : event);
        }
        if (random.nextInt(20) > 0) {
          req.putHeader("X-GitHub-Delivery", random.nextInt(30) == 0 ? "x".repeat(300) : "fuzz-" + i);
        }
        int signing = random.nextInt(10);
        if (signing < 7) {
          req.putHeader(GitHubSignature.HEADER, GitHubSignature.sign(TestHookyard.SECRET, body));
        } else if (signing == 7) {
          req.putHeader(GitHubSignature.HEADER, "sha256=" + "0".repeat(64));
        } else if (signing == 8) {
          req.putHeader(GitHubSignature.HEADER, "md5=nonsense");
        }
        HttpResponse<Buffer> answer = req.sendBuffer(Buffer.buffer(body)).await(30, TimeUnit.SECONDS);
        statuses.merge(answer.statusCode(), 1, Integer::sum);
        if (answer.statusCode() >= 400) {
          JsonObject error = answer.bodyAsJsonObject();
          assertThat(error.getString("error")).as("error code of a %d", answer.statusCode()).isNotBlank();
          assertThat(error.getString("message")).isNotBlank();
        }
      }
      System.out.println("fuzz status codes: " + statuses);
      assertThat(statuses.keySet()).allMatch(CONTRACT::contains);
      assertThat(statuses).containsKey(202);

      // Every stored delivery's job settles; none fails on an exception of hookyard's own.
      Eventually.until(Duration.ofSeconds(60), "every job settled", () -> hookyard.pool()
        .query("SELECT count(*) FROM jobs WHERE status IN ('queued', 'running')")
        .execute().await(10, TimeUnit.SECONDS).iterator().next().getLong(0) == 0);
      List<String> ownFailures = new ArrayList<>();
      for (Row r : hookyard.pool().query("""
          SELECT id, queue, status, last_error FROM jobs
           WHERE status IN ('failed', 'dead')
             AND last_error ~ '(Exception|Cannot invoke|cannot be cast|out of bounds|Promise already)'
          """).execute().await(10, TimeUnit.SECONDS)) {
        ownFailures.add(r.getString("queue") + " " + r.getString("status") + ": " + r.getString("last_error"));
      }
      assertThat(ownFailures).isEmpty();

      assertThat(client.get("/health").send().await(10, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
      assertThat(client.get("/ready").send().await(10, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
      byte[] good = new JsonObject().put("ref", "refs/heads/main").put("after", "f".repeat(40))
        .put("repository", new JsonObject().put("id", 1).put("full_name", "fuzz/repo")).toBuffer().getBytes();
      assertThat(TestHookyard.deliver(client, "push", "after-fuzz", good).statusCode()).isEqualTo(202);
    }
  }

  private static byte[] body(Random random) {
    return switch (random.nextInt(14)) {
      case 0 -> new byte[0];
      case 1 -> "{\"action\":\"opened\",\"pull_request\":{\"id\":".getBytes(StandardCharsets.UTF_8);
      case 2 -> "[".repeat(5_000).getBytes(StandardCharsets.UTF_8);
      case 3 -> ("{\"a\":" + "{\"a\":".repeat(3_000) + "1" + "}".repeat(3_001)).getBytes(StandardCharsets.UTF_8);
      case 4 -> {
        byte[] b = new byte[1 + random.nextInt(2_000)];
        random.nextBytes(b);
        yield b;
      }
      case 5 -> "{\"action\":\"op\\u0000ened\",\"repository\":{\"id\":1,\"full_name\":\"fuzz/repo\\u0000\"}}".getBytes(StandardCharsets.UTF_8);
      case 6 -> ("{\"id\":1e400,\"number\":" + "9".repeat(400) + ",\"action\":\"closed\"}").getBytes(StandardCharsets.UTF_8);
      case 7 -> "\"just a string\"".getBytes(StandardCharsets.UTF_8);
      case 8 -> "payload=%7B%22zen%22%3A%22x%22%7D&payload=%ZZ".getBytes(StandardCharsets.UTF_8);
      case 9 -> new byte[] {'{', '"', 'a', '"', ':', '"', (byte) 0xC3, (byte) 0x28, '"', '}'};
      default -> wrongTypes(random).toBuffer().getBytes();
    };
  }

  /** Payload-shaped JSON with fields of the wrong type, missing or null. */
  private static JsonObject wrongTypes(Random random) {
    Object[] junk = {5, "x", new JsonArray().add(1), new JsonObject().put("id", "NaN"), null, true, -1, 1.5e300, ""};
    JsonObject o = new JsonObject();
    for (String field : List.of("action", "ref", "after", "repository", "pull_request", "review", "issue", "installation",
      "repositories", "repositories_added", "commits", "workflow_run", "changes", "sender")) {
      if (random.nextBoolean()) {
        o.put(field, junk[random.nextInt(junk.length)]);
      }
    }
    if (random.nextBoolean()) {
      o.put("repository", new JsonObject().put("id", random.nextBoolean() ? 1 : "1").put("full_name", "fuzz/repo")
        .put("default_branch", random.nextBoolean() ? "main" : 7));
      o.put("pull_request", new JsonObject().put("id", random.nextInt(5)).put("number", random.nextBoolean() ? 3 : "three")
        .put("created_at", random.nextBoolean() ? "2026-11-01T10:00:00Z" : "yesterday").put("updated_at", 12)
        .put("head", "main").put("user", 5));
      o.put("action", random.nextBoolean() ? "opened" : "closed");
    }
    return o;
  }
}
