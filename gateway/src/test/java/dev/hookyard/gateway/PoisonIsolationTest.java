package dev.hookyard.gateway;

import dev.hookyard.common.testing.Eventually;
import dev.hookyard.common.config.HookyardConfig;
import dev.hookyard.common.webhook.HmacSha256;
import dev.hookyard.gateway.ingest.BodyBudget;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.junit5.VertxExtension;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Transaction;
import io.vertx.sqlclient.Tuple;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

@ExtendWith(VertxExtension.class)
class PoisonIsolationTest {

  private static final String SENTRY_SECRET = "sentry-secret";
  private static final String LOKI_TOKEN = "loki-token";

  private GatewayFixture start(Vertx vertx) throws Exception {
    return GatewayFixture.start(vertx, Map.of(HookyardConfig.SENTRY_SECRET, SENTRY_SECRET, HookyardConfig.LOKI_TOKEN, LOKI_TOKEN));
  }

  private static Future<HttpResponse<Buffer>> push(GatewayFixture gw, String guid, String action) {
    String body = "{\"action\":\"" + action + "\",\"ref\":\"refs/heads/main\"}";
    return gw.deliverAsync("pull_request", guid, Buffer.buffer(body), GatewayFixture.SECRET, "application/json");
  }

  private static String action(GatewayFixture gw, String id) throws Exception {
    return gw.pool.preparedQuery("SELECT action FROM deliveries WHERE id = $1").execute(Tuple.of(id))
      .await(10, TimeUnit.SECONDS).iterator().next().getString(0);
  }

  @Test
  @Timeout(60)
  @DisplayName("A NUL in a GitHub action, a Sentry resource or a Loki status is stored sanitised, and its batch-mates are stored too")
  void nulSanitised(Vertx vertx) throws Exception {
    GatewayFixture gw = start(vertx);
    List<Future<HttpResponse<Buffer>>> all = new ArrayList<>();
    for (int i = 0; i < 12; i++) {
      // JSON's \u0000 escape decodes to a NUL character in the action.
      all.add(push(gw, "mate-" + i, i == 5 ? "open\\u0000ed" : "opened"));
    }
    all.add(push(gw, "long-action", "x".repeat(200)));

    String sentryBody = "{\"action\":\"trig\\u0000gered\",\"data\":{}}";
    all.add(gw.client.post("/webhooks/sentry").putHeader("Content-Type", "application/json")
      .putHeader("Sentry-Hook-Resource", "event_alert").putHeader("Request-ID", "req-nul")
      .putHeader("Sentry-Hook-Signature", HmacSha256.hex(SENTRY_SECRET, sentryBody.getBytes(StandardCharsets.UTF_8)))
      .sendBuffer(Buffer.buffer(sentryBody)));
    all.add(gw.client.post("/webhooks/loki").putHeader("Content-Type", "application/json").bearerTokenAuthentication(LOKI_TOKEN)
      .sendBuffer(Buffer.buffer("{\"status\":\"fir\\u0000ing\",\"alerts\":[]}")));
    Future.join(all).await(30, TimeUnit.SECONDS);

    for (Future<HttpResponse<Buffer>> f : all) {
      assertThat(f.result().statusCode()).as(f.result().bodyAsString()).isEqualTo(202);
    }
    // A NUL in the Sentry-Hook-Resource header itself (no client library sends one; by hand it is possible).
    String other = "{\"action\":\"triggered\",\"data\":{\"n\":2}}";
    byte[] otherBytes = other.getBytes(StandardCharsets.UTF_8);
    RawHttp.Answer nulHeader;
    try (RawHttp http = new RawHttp(gw.port)) {
      nulHeader = http.head("/webhooks/sentry", "Content-Type: application/json", "Sentry-Hook-Resource: event\u0000alert",
        "Request-ID: req-nul-header", "Sentry-Hook-Signature: " + HmacSha256.hex(SENTRY_SECRET, otherBytes),
        "Content-Length: " + otherBytes.length).send(otherBytes).answer(5_000);
    }
    // The HTTP layer itself refuses a header value with a NUL (400) before hookyard sees it.
    assertThat(nulHeader.status()).isEqualTo(400);

    long stored = 15;
    assertThat(gw.count("SELECT count(*) FROM deliveries")).isEqualTo(stored);
    assertThat(gw.count("SELECT count(*) FROM jobs")).isEqualTo(stored);
    // An action that is not a short identifier is stored as null; the delivery itself is kept whole.
    assertThat(action(gw, "mate-5")).isNull();
    assertThat(action(gw, "mate-4")).isEqualTo("opened");
    assertThat(action(gw, "long-action")).isNull();
    assertThat(action(gw, "sentry:req-nul")).isEqualTo("event_alert");
    assertThat(gw.count("SELECT count(*) FROM deliveries WHERE event = 'loki.alert' AND action IS NULL")).isEqualTo(1);
  }

  @Test
  @Timeout(60)
  @DisplayName("When PostgreSQL refuses one delivery of a batch, only that one is answered 400 and the rest are stored")
  void refusedRowFailsAlone(Vertx vertx) throws Exception {
    // One batch in flight, so the requests that arrive while it is held gather into the next.
    GatewayFixture gw = GatewayFixture.start(vertx, Map.of(HookyardConfig.SENTRY_SECRET, SENTRY_SECRET,
      HookyardConfig.LOKI_TOKEN, LOKI_TOKEN, HookyardConfig.INGEST_IN_FLIGHT, "1"));
    // Stands for any value PostgreSQL might refuse that sanitising did not foresee.
    gw.pool.query("ALTER TABLE deliveries ADD CONSTRAINT no_poison CHECK (action IS DISTINCT FROM 'poison')").execute()
      .await(10, TimeUnit.SECONDS);

    // Hold the first batch on a row lock, so the next requests gather into one batch behind it.
    SqlConnection blocker = gw.pool.getConnection().await(10, TimeUnit.SECONDS);
    Transaction tx = blocker.begin().await(10, TimeUnit.SECONDS);
    blocker.query("INSERT INTO deliveries (id, event, content_type, body) VALUES ('first', 'push', 'application/json', '\\x00')")
      .execute().await(10, TimeUnit.SECONDS);
    Future<HttpResponse<Buffer>> first = push(gw, "first", "opened");
    Eventually.atMost(Duration.ofSeconds(10),
      () -> gw.count("SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'"), n -> n > 0);

    List<Future<HttpResponse<Buffer>>> batch = new ArrayList<>();
    long bytes = 0;
    for (int i = 0; i < 10; i++) {
      String action = i == 3 ? "poison" : "opened";
      bytes += ("{\"action\":\"" + action + "\",\"ref\":\"refs/heads/main\"}").length();
      batch.add(push(gw, "batch-" + i, action));
    }
    // Every one of them is read and waiting for the store once its body is counted in flight.
    BodyBudget budget = BodyBudget.existing(vertx);
    long expected = bytes + "{\"action\":\"opened\",\"ref\":\"refs/heads/main\"}".length();
    Eventually.atMost(Duration.ofSeconds(10), budget::inFlight, n -> n >= expected);
    tx.rollback().await(10, TimeUnit.SECONDS);
    blocker.close();

    assertThat(first.await(20, TimeUnit.SECONDS).statusCode()).isEqualTo(202);
    Future.join(batch).await(20, TimeUnit.SECONDS);
    for (int i = 0; i < 10; i++) {
      HttpResponse<Buffer> res = batch.get(i).result();
      if (i == 3) {
        assertThat(res.statusCode()).isEqualTo(400);
        assertThat(res.bodyAsJsonObject().getString("error")).isEqualTo("unstorable");
        assertThat(res.bodyAsJsonObject().getString("message")).contains("23514").contains("no_poison");
      } else {
        assertThat(res.statusCode()).as("batch-%d: %s", i, res.bodyAsString()).isEqualTo(202);
      }
    }
    assertThat(gw.count("SELECT count(*) FROM deliveries WHERE id LIKE 'batch-%'")).isEqualTo(9);
    assertThat(gw.count("SELECT count(*) FROM jobs WHERE delivery_id LIKE 'batch-%'")).isEqualTo(9);
    assertThat(gw.count("SELECT count(*) FROM deliveries WHERE id = 'batch-3'")).isZero();
  }
}
