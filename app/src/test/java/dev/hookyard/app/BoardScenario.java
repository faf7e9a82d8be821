package dev.hookyard.app;

import dev.hookyard.common.testing.Eventually;
import dev.hookyard.common.testing.TestDatabase;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;

import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A whole hookyard with workspace {@code acme} (prefix ACME) tracking {@code acme/api}:
 * issues made through the API, pull-request events posted as signed webhooks, and a
 * wait until board automation has settled each one.
 */
final class BoardScenario implements AutoCloseable {

  static final String REPO = "acme/api";
  static final long REPO_ID = 4242;

  final Map<String, String> env;
  final Hookyard hookyard;
  final WebClient client;

  private BoardScenario(Map<String, String> env, java.time.Clock clock) throws Exception {
    this.env = env;
    this.hookyard = Hookyard.start(dev.hookyard.common.config.HookyardConfig.from(env), clock);
    this.client = TestHookyard.client(hookyard, env);
    assertThat(TestHookyard.adminPost(client, "/api/v1/workspaces",
      new JsonObject().put("slug", "acme").put("name", "Acme").put("issue_prefix", "ACME")).statusCode()).isEqualTo(201);
    assertThat(TestHookyard.adminPost(client, "/api/v1/workspaces/acme/repositories",
      new JsonObject().put("full_name", REPO).put("default_branch", "main")).statusCode()).isEqualTo(201);
  }

  static BoardScenario start(Map<String, String> extra) throws Exception {
    return start(extra, java.time.Clock.systemUTC());
  }

  /** With the scheduler's time taken from {@code clock}. */
  static BoardScenario start(Map<String, String> extra, java.time.Clock clock) throws Exception {
    Map<String, String> env = TestHookyard.config(TestDatabase.fresh());
    env.putAll(extra);
    return new BoardScenario(env, clock);
  }

  /** Creates an issue; returns its identifier. */
  String issue(String title, String description, String status) throws Exception {
    JsonObject body = new JsonObject().put("title", title).put("description", description);
    if (status != null) {
      body.put("status", status);
    }
    HttpResponse<Buffer> created = TestHookyard.adminPost(client, "/api/v1/workspaces/acme/issues", body);
    assertThat(created.statusCode()).as(created.bodyAsString()).isEqualTo(201);
    return created.bodyAsJsonObject().getString("identifier");
  }

  JsonObject get(String identifier) throws Exception {
    HttpResponse<Buffer> got = TestHookyard.admin(client, HttpMethod.GET, "/api/v1/workspaces/acme/issues/" + identifier);
    assertThat(got.statusCode()).as(got.bodyAsString()).isEqualTo(200);
    return got.bodyAsJsonObject();
  }

  String status(String identifier) throws Exception {
    return get(identifier).getString("status");
  }

  /** A pull_request event for acme/api. */
  static JsonObject pullRequest(String action, int number, String title, String body, String head, String base,
                                String state, boolean merged, String updatedAt) {
    JsonObject pr = new JsonObject().put("id", 700_000L + number).put("number", number).put("title", title).put("body", body)
      .put("state", state).put("merged", merged).put("draft", false)
      .put("html_url", "https://github.test/" + REPO + "/pull/" + number)
      .put("user", new JsonObject().put("login", "ada").put("id", 31))
      .put("head", new JsonObject().put("ref", head).put("sha", "a".repeat(40)))
      .put("base", new JsonObject().put("ref", base).put("sha", "b".repeat(40)))
      .put("created_at", "2026-11-01T10:00:00Z").put("updated_at", updatedAt)
      .put("closed_at", state.equals("closed") ? updatedAt : null)
      .put("merged_at", merged ? updatedAt : null)
      .put("merge_commit_sha", merged ? String.format("%040x", number) : null);
    return new JsonObject().put("action", action).put("number", number).put("pull_request", pr)
      .put("repository", new JsonObject().put("id", REPO_ID).put("full_name", REPO));
  }

  /** Posts the event signed and waits until it and the board automation it caused have settled; returns the delivery id. */
  String send(JsonObject event) throws Exception {
    String guid = UUID.randomUUID().toString();
    send(event, guid);
    return guid;
  }

  void send(JsonObject event, String guid) throws Exception {
    send("pull_request", event, guid);
  }

  /** Posts a GitHub event of any kind and waits until it has settled. */
  void send(String eventName, JsonObject event, String guid) throws Exception {
    HttpResponse<Buffer> answer = TestHookyard.deliver(client, eventName, guid, event.toBuffer().getBytes());
    assertThat(answer.statusCode()).as(answer.bodyAsString()).isIn(200, 202);
    awaitSettled(guid);
  }

  /** A signed Sentry hook; returns the answer (the delivery id is {@code sentry:<requestId>}). */
  HttpResponse<Buffer> sentry(String resource, JsonObject body, String requestId, String secret) throws Exception {
    byte[] bytes = body.toBuffer().getBytes();
    javax.crypto.Mac mac = javax.crypto.Mac.getInstance("HmacSHA256");
    mac.init(new javax.crypto.spec.SecretKeySpec(secret.getBytes(java.nio.charset.StandardCharsets.UTF_8), "HmacSHA256"));
    return client.post("/webhooks/sentry").putHeader("Content-Type", "application/json")
      .putHeader("Sentry-Hook-Resource", resource).putHeader("Request-ID", requestId)
      .putHeader("Sentry-Hook-Signature", java.util.HexFormat.of().formatHex(mac.doFinal(bytes)))
      .sendBuffer(Buffer.buffer(bytes)).await(30, TimeUnit.SECONDS);
  }

  /** An Alertmanager notification to the Loki endpoint with {@code token}. */
  HttpResponse<Buffer> loki(JsonObject body, String token) throws Exception {
    return client.post("/webhooks/loki").putHeader("Content-Type", "application/json").bearerTokenAuthentication(token)
      .sendBuffer(body.toBuffer()).await(30, TimeUnit.SECONDS);
  }

  /** The result and status of a delivery's job. */
  JsonObject job(String deliveryId) throws Exception {
    awaitSettled(deliveryId);
    Row r = hookyard.pool().preparedQuery("SELECT status, result FROM jobs WHERE delivery_id = $1 ORDER BY id DESC LIMIT 1")
      .execute(Tuple.of(deliveryId)).await(10, TimeUnit.SECONDS).iterator().next();
    return new JsonObject().put("status", r.getString("status")).put("result", r.getString("result"));
  }

  /** Waits until the delivery's jobs and the board-automation jobs it queued are finished. */
  void awaitSettled(String guid) throws Exception {
    Eventually.until("delivery " + guid + " settled", () -> hookyard.pool().preparedQuery("""
          SELECT count(*) FILTER (WHERE status NOT IN ('done', 'ignored', 'dead')) AS pending,
                 count(*) AS total
            FROM jobs WHERE delivery_id = $1 OR (queue IN ('board-automation', 'board-matching') AND payload ->> 'delivery_id' = $1)
          """).execute(Tuple.of(guid)).await(10, TimeUnit.SECONDS).iterator().next(),
      r -> r.getLong("total") > 0 && r.getLong("pending") == 0);
  }

  /** The history entries of {@code type} on an issue. */
  JsonArray history(String identifier, String type) throws Exception {
    JsonArray out = new JsonArray();
    get(identifier).getJsonArray("history").forEach(h -> {
      if (type.equals(((JsonObject) h).getString("type"))) {
        out.add(h);
      }
    });
    return out;
  }

  @Override
  public void close() {
    hookyard.close();
  }
}
