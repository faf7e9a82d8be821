package dev.hookyard.gateway;

import dev.hookyard.common.testing.Eventually;
import dev.hookyard.common.config.HookyardConfig;
import dev.hookyard.common.webhook.BodyCodec;
import dev.hookyard.gateway.ingest.BodyBudget;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.junit5.VertxExtension;
import io.vertx.sqlclient.Tuple;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

import static org.assertj.core.api.Assertions.assertThat;

@ExtendWith(VertxExtension.class)
class IngestLimitsTest {

  private static final String PUSH = "{\"ref\":\"refs/heads/main\",\"after\":\"abc\"}";
  private static final String WELL_FORMED = "X-Hub-Signature-256: sha256=" + "ab".repeat(32);
  private static final String CHUNKED = "Transfer-Encoding: chunked";
  private static final String JSON = "Content-Type: application/json";

  private GatewayFixture start(Vertx vertx, long budget, long bodyTimeoutMs) throws Exception {
    return GatewayFixture.start(vertx, Map.of(
      HookyardConfig.MAX_BODY_BYTES, String.valueOf(4 * 1024 * 1024),
      HookyardConfig.MAX_INFLIGHT_BYTES, String.valueOf(budget),
      HookyardConfig.BODY_TIMEOUT_MS, String.valueOf(bodyTimeoutMs),
      HookyardConfig.SENTRY_SECRET, "sentry-secret",
      HookyardConfig.LOKI_TOKEN, "loki-token"));
  }

  /**
   * Headers only: the body is announced and never sent. The answer (and the close) must
   * come well before any body deadline could have produced one.
   */
  private static RawHttp.Answer headersOnly(GatewayFixture gw, String path, String... headers) throws Exception {
    long started = System.nanoTime();
    try (RawHttp http = new RawHttp(gw.port)) {
      RawHttp.Answer answer = http.head(path, headers).answer(8_000);
      assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started)).isLessThan(8_000);
      return answer;
    }
  }

  private static void assertRefused(RawHttp.Answer answer, int status, String code) {
    assertThat(answer.status()).as(answer.text()).isEqualTo(status);
    assertThat(answer.text()).contains("\"error\":\"" + code + "\"").contains("\"message\":");
    assertThat(answer.closed()).as("connection closed instead of draining the body").isTrue();
  }

  private static void awaitValue(LongSupplier value, long expected) throws Exception {
    Eventually.until(Duration.ofSeconds(10), "the value at " + expected, value::getAsLong, v -> v == expected);
  }

  @Test
  @Timeout(60)
  @DisplayName("Bad headers are answered before any body byte is sent, and the connection is closed rather than drained")
  void headersCheckedBeforeBody(Vertx vertx) throws Exception {
    GatewayFixture gw = start(vertx, 8 * 1024 * 1024, 20_000);

    assertRefused(headersOnly(gw, "/webhooks/github", "Content-Type: text/plain", CHUNKED, WELL_FORMED,
      "X-GitHub-Event: push", "X-GitHub-Delivery: d-1"), 415, "unsupported_media_type");
    assertRefused(headersOnly(gw, "/webhooks/github", JSON, CHUNKED, "X-GitHub-Event: push", "X-GitHub-Delivery: d-2"),
      401, "missing_signature");
    assertRefused(headersOnly(gw, "/webhooks/github", JSON, CHUNKED, "X-Hub-Signature-256: sha256=not-hex",
      "X-GitHub-Event: push", "X-GitHub-Delivery: d-3"), 401, "invalid_signature");
    assertRefused(headersOnly(gw, "/webhooks/github", JSON, CHUNKED, "X-Hub-Signature-256: sha1=" + "ab".repeat(20),
      "X-GitHub-Event: push", "X-GitHub-Delivery: d-4"), 401, "invalid_signature");
    assertRefused(headersOnly(gw, "/webhooks/github", JSON, CHUNKED, WELL_FORMED, "X-GitHub-Delivery: d-5"),
      400, "missing_header");
    assertRefused(headersOnly(gw, "/webhooks/github", JSON, CHUNKED, WELL_FORMED, "X-GitHub-Event: push"),
      400, "missing_header");
    assertRefused(headersOnly(gw, "/webhooks/github", JSON, CHUNKED, WELL_FORMED, "X-GitHub-Event: Push Event!",
      "X-GitHub-Delivery: d-7"), 400, "invalid_header");
    assertRefused(headersOnly(gw, "/webhooks/github", JSON, "Content-Length: " + (5 * 1024 * 1024), WELL_FORMED,
      "X-GitHub-Event: push", "X-GitHub-Delivery: d-8"), 413, "payload_too_large");
    assertRefused(headersOnly(gw, "/webhooks/sentry", JSON, CHUNKED, "Sentry-Hook-Signature: nope"), 401, "invalid_signature");
    assertRefused(headersOnly(gw, "/webhooks/loki", JSON, CHUNKED, "Authorization: Bearer wrong"), 401, "unauthorized");
    assertRefused(headersOnly(gw, "/webhooks/loki", "Content-Type: text/plain", CHUNKED, "Authorization: Bearer loki-token"),
      415, "unsupported_media_type");

    assertThat(BodyBudget.existing(vertx).inFlight()).isZero();
    assertThat(gw.count("SELECT count(*) FROM deliveries")).isZero();
  }

  @Test
  @Timeout(60)
  @DisplayName("Bodies past the in-flight budget get 503 with Retry-After while small signed deliveries are still stored")
  void inFlightBudget(Vertx vertx) throws Exception {
    GatewayFixture gw = start(vertx, 1024 * 1024, 20_000);
    BodyBudget budget = BodyBudget.existing(vertx);

    // A declared length larger than the whole budget (yet under the size cap) is refused unread.
    RawHttp.Answer declared = headersOnly(gw, "/webhooks/github", JSON, "Content-Length: " + (2 * 1024 * 1024), WELL_FORMED,
      "X-GitHub-Event: push", "X-GitHub-Delivery: big-1");
    assertRefused(declared, 503, "over_capacity");
    assertThat(declared.header("Retry-After")).isNotBlank();

    try (RawHttp holder = new RawHttp(gw.port); RawHttp second = new RawHttp(gw.port)) {
      // A slow chunked sender holds 500 KiB, counted as the 512 KiB buffer they take ...
      holder.head("/webhooks/github", JSON, CHUNKED, WELL_FORMED, "X-GitHub-Event: push", "X-GitHub-Delivery: slow-1");
      for (int i = 0; i < 5; i++) {
        holder.chunk(new byte[100 * 1024]);
      }
      awaitValue(budget::inFlight, 512 * 1024);
      // ... so another unannounced body runs out of the budget's unreserved part (7/8 of it),
      second.head("/webhooks/github", JSON, CHUNKED, WELL_FORMED, "X-GitHub-Event: push", "X-GitHub-Delivery: slow-2");
      for (int i = 0; i < 3; i++) {
        second.chunk(new byte[100 * 1024]);
      }
      RawHttp.Answer refused = second.answer(5_000);
      assertRefused(refused, 503, "over_capacity");
      assertThat(refused.header("Retry-After")).isNotBlank();

      // ... while ordinary signed deliveries still get in (they may use the reserved part).
      for (int i = 0; i < 5; i++) {
        assertThat(gw.deliver("push", "small-" + i, PUSH).statusCode()).isEqualTo(202);
      }
      // Their bytes are returned as their exchanges end; the holder's stay taken.
      awaitValue(budget::inFlight, 512 * 1024);
    }
    // The holder hung up: its bytes come back to the budget.
    awaitValue(budget::inFlight, 0);
    assertThat(budget.peak()).isLessThanOrEqualTo(budget.limit());
    assertThat(gw.count("SELECT count(*) FROM deliveries")).isEqualTo(5);
  }

  @Test
  @Timeout(60)
  @DisplayName("A sender slower than the body deadline is answered 408 and cut off, even when it trickles bytes")
  void slowSenderCutOff(Vertx vertx) throws Exception {
    GatewayFixture gw = start(vertx, 8 * 1024 * 1024, 800);

    try (RawHttp http = new RawHttp(gw.port)) {
      http.head("/webhooks/github", JSON, "Content-Length: 1000", WELL_FORMED, "X-GitHub-Event: push",
        "X-GitHub-Delivery: slow-a").send(new byte[10]);
      long started = System.nanoTime();
      RawHttp.Answer answer = http.answer(5_000);
      assertRefused(answer, 408, "request_timeout");
      assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started)).isBetween(500L, 4_000L);
    }

    try (RawHttp http = new RawHttp(gw.port)) {
      http.head("/webhooks/sentry", JSON, CHUNKED, "Sentry-Hook-Signature: " + "cd".repeat(32));
      // One byte every 100 ms: the connection is never idle, yet the whole body is late.
      Thread trickle = new Thread(() -> {
        try {
          for (int i = 0; i < 30; i++) {
            http.chunk(new byte[] {'x'});
            Thread.sleep(100);
          }
        } catch (Exception e) {
          // cut off by the server: expected
        }
      });
      trickle.start();
      RawHttp.Answer answer = http.answer(5_000);
      trickle.join(5_000);
      assertRefused(answer, 408, "request_timeout");
    }
    awaitValue(BodyBudget.existing(vertx)::inFlight, 0);
    assertThat(gw.count("SELECT count(*) FROM deliveries")).isZero();
  }

  @Test
  @Timeout(60)
  @DisplayName("A large signed body is verified off the event loop and stored byte-exact; a large badly signed one is 401")
  void largeBody(Vertx vertx) throws Exception {
    GatewayFixture gw = start(vertx, 8 * 1024 * 1024, 20_000);
    String json = "{\"action\":\"synchronize\",\"pad\":\"" + "y".repeat(3 * 1024 * 1024) + "\"}";
    Buffer body = Buffer.buffer(json);

    assertThat(gw.deliver("pull_request", "large-1", body, GatewayFixture.SECRET, "application/json").statusCode()).isEqualTo(202);
    assertThat(gw.deliver("pull_request", "large-2", body, "wrong-secret", "application/json").statusCode()).isEqualTo(401);

    var row = gw.pool.preparedQuery("SELECT body, action FROM deliveries WHERE id = $1").execute(Tuple.of("large-1"))
      .await(10, TimeUnit.SECONDS).iterator().next();
    assertThat(row.getString("action")).isEqualTo("synchronize");
    assertThat(BodyCodec.forThisThread().expand(row.getBuffer("body")).getBytes()).isEqualTo(json.getBytes(StandardCharsets.UTF_8));
    assertThat(gw.count("SELECT count(*) FROM deliveries")).isEqualTo(1);
    awaitValue(BodyBudget.existing(vertx)::inFlight, 0);
  }
}
