package dev.hookyard.gateway;

import dev.hookyard.common.config.HookyardConfig;
import dev.hookyard.common.webhook.HmacSha256;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

@ExtendWith(VertxExtension.class)
class AlertIngestTest {

  private static final String SENTRY_SECRET = "sentry-client-secret";
  private static final String LOKI_TOKEN = "loki-token";
  private static final String SENTRY_BODY = "{\"action\":\"triggered\",\"data\":{\"event\":{\"issue_id\":\"4211\",\"title\":\"NullPointerException\"}}}";
  private static final String LOKI_BODY = "{\"version\":\"4\",\"groupKey\":\"{}:{alertname=\\\"HighErrorRate\\\"}\",\"status\":\"firing\",\"alerts\":[{\"status\":\"firing\",\"labels\":{\"alertname\":\"HighErrorRate\"}}]}";

  private GatewayFixture gw;

  @BeforeEach
  void setUp(Vertx vertx) throws Exception {
    gw = GatewayFixture.start(vertx, Map.of(HookyardConfig.SENTRY_SECRET, SENTRY_SECRET, HookyardConfig.LOKI_TOKEN, LOKI_TOKEN));
  }

  private HttpResponse<Buffer> sentry(String body, String secret, String requestId) throws Exception {
    var req = gw.client.post("/webhooks/sentry").putHeader("Content-Type", "application/json")
      .putHeader("Sentry-Hook-Resource", "event_alert");
    if (secret != null) {
      req.putHeader("Sentry-Hook-Signature", HmacSha256.hex(secret, body.getBytes(StandardCharsets.UTF_8)));
    }
    if (requestId != null) {
      req.putHeader("Request-ID", requestId);
    }
    return req.sendBuffer(Buffer.buffer(body)).await(10, TimeUnit.SECONDS);
  }

  private HttpResponse<Buffer> loki(String body, String token) throws Exception {
    var req = gw.client.post("/webhooks/loki").putHeader("Content-Type", "application/json");
    if (token != null) {
      req.bearerTokenAuthentication(token);
    }
    return req.sendBuffer(Buffer.buffer(body)).await(10, TimeUnit.SECONDS);
  }

  @Test
  @DisplayName("A signed Sentry alert is stored with its job; a wrong signature is 401 and a repeated Request-ID a duplicate")
  void sentry() throws Exception {
    HttpResponse<Buffer> ok = sentry(SENTRY_BODY, SENTRY_SECRET, "b7e2c1d0-1111-4a4a-9c9c-0123456789ab");
    assertThat(ok.statusCode()).isEqualTo(202);
    assertThat(ok.bodyAsJsonObject()).isEqualTo(new JsonObject()
      .put("delivery_id", "sentry:b7e2c1d0-1111-4a4a-9c9c-0123456789ab").put("event", "sentry.alert").put("status", "queued"));
    assertThat(gw.count("SELECT count(*) FROM jobs WHERE queue = 'alerts.sentry'")).isEqualTo(1);
    assertThat(gw.count("SELECT count(*) FROM deliveries WHERE event = 'sentry.alert' AND action = 'event_alert.triggered'")).isEqualTo(1);

    HttpResponse<Buffer> again = sentry(SENTRY_BODY, SENTRY_SECRET, "b7e2c1d0-1111-4a4a-9c9c-0123456789ab");
    assertThat(again.statusCode()).isEqualTo(200);
    assertThat(again.bodyAsJsonObject().getBoolean("duplicate")).isTrue();

    assertThat(sentry(SENTRY_BODY, "wrong", "x-1").statusCode()).isEqualTo(401);
    assertThat(sentry(SENTRY_BODY, null, "x-2").statusCode()).isEqualTo(401);
    assertThat(sentry("not json", SENTRY_SECRET, "x-3").statusCode()).isEqualTo(400);
    assertThat(gw.count("SELECT count(*) FROM deliveries")).isEqualTo(1);
  }

  @Test
  @DisplayName("A Loki alert with the bearer token is stored once per distinct body; without the token it is 401")
  void loki() throws Exception {
    assertThat(loki(LOKI_BODY, null).statusCode()).isEqualTo(401);
    assertThat(loki(LOKI_BODY, "wrong").statusCode()).isEqualTo(401);

    HttpResponse<Buffer> ok = loki(LOKI_BODY, LOKI_TOKEN);
    assertThat(ok.statusCode()).isEqualTo(202);
    assertThat(ok.bodyAsJsonObject().getString("event")).isEqualTo("loki.alert");
    assertThat(ok.bodyAsJsonObject().getString("delivery_id")).startsWith("loki:");
    assertThat(loki(LOKI_BODY, LOKI_TOKEN).statusCode()).isEqualTo(200);
    assertThat(loki(LOKI_BODY.replace("firing", "resolved"), LOKI_TOKEN).statusCode()).isEqualTo(202);

    assertThat(gw.count("SELECT count(*) FROM jobs WHERE queue = 'alerts.loki'")).isEqualTo(2);
    assertThat(gw.count("SELECT count(*) FROM deliveries WHERE action = 'resolved'")).isEqualTo(1);
  }
}
