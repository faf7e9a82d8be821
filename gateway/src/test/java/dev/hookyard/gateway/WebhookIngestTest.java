package dev.hookyard.gateway;

import dev.hookyard.common.testing.TestJobs;
import dev.hookyard.common.config.HookyardConfig;
import dev.hookyard.common.webhook.BodyCodec;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.junit5.VertxExtension;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

@ExtendWith(VertxExtension.class)
class WebhookIngestTest {

  private static final String PUSH = "{\"ref\":\"refs/heads/main\",\"after\":\"abc\",\"repository\":{\"id\":1,\"full_name\":\"acme/api\"}}";

  private GatewayFixture gw;

  @BeforeEach
  void setUp(Vertx vertx) throws Exception {
    gw = GatewayFixture.start(vertx, Map.of(HookyardConfig.MAX_BODY_BYTES, "65536"));
  }

  private static void assertError(HttpResponse<Buffer> res, int status, String code) {
    assertThat(res.statusCode()).isEqualTo(status);
    JsonObject body = res.bodyAsJsonObject();
    assertThat(body.getString("error")).isEqualTo(code);
    assertThat(body.getString("message")).isNotBlank();
  }

  private long deliveries() throws Exception {
    return gw.count("SELECT count(*) FROM deliveries");
  }

  private long jobs() throws Exception {
    return gw.count("SELECT count(*) FROM jobs");
  }

  @Test
  @DisplayName("A signed delivery is stored byte-exact with one queued job before the 202")
  void storesDeliveryAndJob() throws Exception {
    String body = "{ \"action\" : \"opened\",\n  \"number\": 7 }";
    HttpResponse<Buffer> res = gw.deliver("pull_request", "guid-1", body);

    assertThat(res.statusCode()).isEqualTo(202);
    assertThat(res.bodyAsJsonObject()).isEqualTo(new JsonObject()
      .put("delivery_id", "guid-1").put("event", "pull_request").put("status", "queued"));
    Row d = gw.pool.preparedQuery("SELECT * FROM deliveries WHERE id = $1").execute(Tuple.of("guid-1"))
      .await(10, TimeUnit.SECONDS).iterator().next();
    byte[] stored = BodyCodec.forThisThread().expand(d.getBuffer("body")).getBytes();
    assertThat(stored).isEqualTo(body.getBytes(StandardCharsets.UTF_8));
    assertThat(d.getString("event")).isEqualTo("pull_request");
    assertThat(d.getString("action")).isEqualTo("opened");
    assertThat(d.getString("signature")).startsWith("sha256=");
    assertThat(gw.count("SELECT count(*) FROM jobs WHERE delivery_id = 'guid-1' AND queue = 'webhook.pull_request' AND status = 'queued'"))
      .isEqualTo(1);
  }

  @Test
  @DisplayName("A GUID seen before is answered 200 duplicate and queues nothing")
  void duplicateGuid() throws Exception {
    assertThat(gw.deliver("push", "guid-dup", PUSH).statusCode()).isEqualTo(202);
    HttpResponse<Buffer> again = gw.deliver("push", "guid-dup", PUSH);

    assertThat(again.statusCode()).isEqualTo(200);
    assertThat(again.bodyAsJsonObject()).isEqualTo(new JsonObject().put("delivery_id", "guid-dup").put("duplicate", true));
    assertThat(deliveries()).isEqualTo(1);
    assertThat(jobs()).isEqualTo(1);
  }

  @Test
  @DisplayName("The same GUID posted 50 times at once makes one delivery and one job")
  void concurrentDuplicates() throws Exception {
    List<Future<HttpResponse<Buffer>>> all = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      all.add(gw.deliverAsync("push", "guid-race", Buffer.buffer(PUSH), GatewayFixture.SECRET, "application/json"));
    }
    Future.all(all).await(30, TimeUnit.SECONDS);

    long accepted = all.stream().filter(f -> f.result().statusCode() == 202).count();
    long duplicates = all.stream().filter(f -> f.result().statusCode() == 200
      && f.result().bodyAsJsonObject().getBoolean("duplicate", false)).count();
    assertThat(accepted).isEqualTo(1);
    assertThat(duplicates).isEqualTo(49);
    assertThat(deliveries()).isEqualTo(1);
    assertThat(jobs()).isEqualTo(1);
  }

  @Test
  @DisplayName("ping is answered pong inline and stores nothing")
  void ping() throws Exception {
    HttpResponse<Buffer> res = gw.deliver("ping", "guid-ping", "{\"zen\":\"Keep it logically awesome.\",\"hook_id\":1}");
    assertThat(res.statusCode()).isEqualTo(200);
    assertThat(res.bodyAsJsonObject().getString("status")).isEqualTo("pong");
    assertThat(deliveries()).isZero();
  }

  @Test
  @DisplayName("A missing or wrong signature is 401 and stores nothing")
  void badSignature() throws Exception {
    assertError(gw.deliver("push", "guid-a", Buffer.buffer(PUSH), null, "application/json"), 401, "missing_signature");
    assertError(gw.deliver("push", "guid-b", Buffer.buffer(PUSH), "not-the-secret", "application/json"), 401, "invalid_signature");
    HttpResponse<Buffer> tampered = gw.client.post("/webhooks/github")
      .putHeader("Content-Type", "application/json").putHeader("X-GitHub-Event", "push").putHeader("X-GitHub-Delivery", "guid-c")
      .putHeader("X-Hub-Signature-256", dev.hookyard.common.webhook.GitHubSignature.sign(GatewayFixture.SECRET, PUSH.getBytes()))
      .sendBuffer(Buffer.buffer(PUSH + " ")).await(10, TimeUnit.SECONDS);
    assertError(tampered, 401, "invalid_signature");
    assertThat(deliveries()).isZero();
  }

  @Test
  @DisplayName("Every configured secret is accepted, so secrets can be rotated")
  void rotation() throws Exception {
    assertThat(gw.deliver("push", "guid-new", Buffer.buffer(PUSH), GatewayFixture.SECRET, "application/json").statusCode()).isEqualTo(202);
    assertThat(gw.deliver("push", "guid-old", Buffer.buffer(PUSH), GatewayFixture.OLD_SECRET, "application/json").statusCode()).isEqualTo(202);
    assertThat(deliveries()).isEqualTo(2);
  }

  @Test
  @DisplayName("Missing event or delivery headers are 400 after a valid signature")
  void missingHeaders() throws Exception {
    assertError(gw.deliver(null, "guid-x", Buffer.buffer(PUSH), GatewayFixture.SECRET, "application/json"), 400, "missing_header");
    assertError(gw.deliver("push", null, Buffer.buffer(PUSH), GatewayFixture.SECRET, "application/json"), 400, "missing_header");
    assertThat(deliveries()).isZero();
  }

  @Test
  @DisplayName("A validly signed body that is not one JSON object is 400")
  void unparseableBody() throws Exception {
    assertError(gw.deliver("push", "guid-1", "{\"ref\": "), 400, "invalid_body");
    assertError(gw.deliver("push", "guid-2", "[1,2,3]"), 400, "invalid_body");
    assertError(gw.deliver("push", "guid-3", "{\"a\":1} {\"b\":2}"), 400, "invalid_body");
    assertThat(deliveries()).isZero();
  }

  @Test
  @DisplayName("A body over the cap is 413, whether its length is declared or streamed")
  void tooLarge(Vertx vertx) throws Exception {
    String big = "{\"pad\":\"" + "x".repeat(70_000) + "\"}";
    assertError(gw.deliver("push", "guid-big", big), 413, "payload_too_large");

    HttpClient http = vertx.createHttpClient();
    HttpClientResponse streamed = http.request(new RequestOptions().setMethod(HttpMethod.POST).setHost("127.0.0.1")
        .setPort(gw.port).setURI("/webhooks/github"))
      .compose(req -> {
        req.setChunked(true).putHeader("Content-Type", "application/json").putHeader("X-GitHub-Event", "push")
          .putHeader("X-GitHub-Delivery", "guid-chunked").putHeader("X-Hub-Signature-256", "sha256=" + "0".repeat(64));
        for (int i = 0; i < 10; i++) {
          req.write(Buffer.buffer("x".repeat(10_000)));
        }
        return req.end().compose(v -> req.response());
      }).await(20, TimeUnit.SECONDS);
    http.close();
    assertThat(streamed.statusCode()).isEqualTo(413);
    assertThat(deliveries()).isZero();
  }

  @Test
  @DisplayName("A content type other than JSON or form-encoded is 415")
  void unsupportedMediaType() throws Exception {
    assertError(gw.deliver("push", "guid-t", Buffer.buffer(PUSH), GatewayFixture.SECRET, "text/plain"), 415, "unsupported_media_type");
    assertThat(deliveries()).isZero();
  }

  @Test
  @DisplayName("A form-encoded delivery (payload=…) is verified over the raw form and stored as sent")
  void formEncoded() throws Exception {
    String json = "{\"action\":\"created\",\"comment\":{\"body\":\"a & b = c\"}}";
    String form = "payload=" + URLEncoder.encode(json, StandardCharsets.UTF_8);
    HttpResponse<Buffer> res = gw.deliver("issue_comment", "guid-form", Buffer.buffer(form), GatewayFixture.SECRET,
      "application/x-www-form-urlencoded");

    assertThat(res.statusCode()).isEqualTo(202);
    Row d = gw.pool.preparedQuery("SELECT body, action, content_type FROM deliveries WHERE id = $1").execute(Tuple.of("guid-form"))
      .await(10, TimeUnit.SECONDS).iterator().next();
    assertThat(BodyCodec.forThisThread().expand(d.getBuffer("body")).toString()).isEqualTo(form);
    assertThat(d.getString("action")).isEqualTo("created");
    assertThat(d.getString("content_type")).isEqualTo("application/x-www-form-urlencoded");
    assertThat(gw.count("SELECT count(*) FROM jobs WHERE queue = 'webhook.unhandled'")).isEqualTo(1);

    assertError(gw.deliver("issue_comment", "guid-form2", Buffer.buffer("other=1"), GatewayFixture.SECRET,
      "application/x-www-form-urlencoded"), 400, "invalid_body");
  }

  @Test
  @DisplayName("GET /webhooks/github describes the endpoint and the health row reports the success rate")
  void describeAndHealth() throws Exception {
    JsonObject info = gw.client.get("/webhooks/github").send().await(10, TimeUnit.SECONDS).bodyAsJsonObject();
    assertThat(info.getString("status")).isEqualTo("ok");
    assertThat(info.getString("endpoint")).isEqualTo("/webhooks/github");
    assertThat(info.getJsonArray("supported_events")).contains("push", "pull_request", "issues", "ping");

    gw.deliver("push", "guid-h1", PUSH);
    gw.deliver("push", "guid-h2", PUSH);
    TestJobs.finish(gw.pool, "guid-h2", "dead", 3, "failed for the test");
    JsonObject health = gw.client.get("/webhooks/github/health").send().await(10, TimeUnit.SECONDS).bodyAsJsonObject();
    assertThat(health.getLong("total_events_last_hour")).isEqualTo(2);
    assertThat(health.getLong("failed_events_last_hour")).isEqualTo(1);
    assertThat(health.getDouble("success_rate")).isEqualTo(0.5);
    assertThat(health.getString("status")).isEqualTo("degraded");
    assertThat(health.getString("last_event_at")).isNotNull();
  }

  @Test
  @DisplayName("/health and /ready answer, and unknown paths get a JSON 404")
  void operations() throws Exception {
    assertThat(gw.client.get("/health").send().await(10, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
    HttpResponse<Buffer> ready = gw.client.get("/ready").send().await(10, TimeUnit.SECONDS);
    assertThat(ready.statusCode()).isEqualTo(200);
    assertThat(ready.bodyAsJsonObject().getString("database")).isEqualTo("up");
    assertThat(ready.bodyAsJsonObject().getString("event_bus")).isEqualTo("up");
    assertError(gw.client.get("/nope").send().await(10, TimeUnit.SECONDS), 404, "not_found");
    // Alert endpoints exist only when their secret is configured.
    assertError(gw.client.post("/webhooks/sentry").sendBuffer(Buffer.buffer("{}")).await(10, TimeUnit.SECONDS), 404, "not_found");
    assertError(gw.client.post("/webhooks/loki").sendBuffer(Buffer.buffer("{}")).await(10, TimeUnit.SECONDS), 404, "not_found");
  }
}
