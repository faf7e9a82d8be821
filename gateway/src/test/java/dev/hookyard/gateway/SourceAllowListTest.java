package dev.hookyard.gateway;

import dev.hookyard.common.testing.Eventually;
import dev.hookyard.common.testing.Ports;
import dev.hookyard.common.config.HookyardConfig;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code HOOKYARD_GITHUB_ALLOWED_CIDRS}: deliveries from other networks are refused before their body is read. */
@ExtendWith(VertxExtension.class)
class SourceAllowListTest {

  private static final String PUSH = "{\"ref\":\"refs/heads/main\",\"repository\":{\"id\":1,\"full_name\":\"a/b\"}}";

  @Test
  @DisplayName("A source outside the allowed CIDRs gets 403 forbidden_source; one inside is stored")
  void fixedList(Vertx vertx) throws Exception {
    GatewayFixture outside = GatewayFixture.start(vertx, Map.of(HookyardConfig.GITHUB_ALLOWED_CIDRS, "192.30.252.0/22, 2a0a:a440::/29"));
    HttpResponse<Buffer> refused = outside.deliver("push", "cidr-refused", PUSH);
    assertThat(refused.statusCode()).isEqualTo(403);
    assertThat(refused.bodyAsJsonObject().getString("error")).isEqualTo("forbidden_source");
    assertThat(outside.admin(io.vertx.core.http.HttpMethod.GET, "/api/v1/deliveries/cidr-refused").statusCode()).isEqualTo(404);

    GatewayFixture inside = GatewayFixture.start(vertx, Map.of(HookyardConfig.GITHUB_ALLOWED_CIDRS, "10.0.0.0/8,127.0.0.0/8"));
    assertThat(inside.deliver("push", "cidr-allowed", PUSH).statusCode()).isEqualTo(202);
  }

  @Test
  @DisplayName("X-Forwarded-For is believed only from a trusted proxy")
  void trustedProxies(Vertx vertx) throws Exception {
    GatewayFixture untrusted = GatewayFixture.start(vertx, Map.of(HookyardConfig.GITHUB_ALLOWED_CIDRS, "192.30.252.0/22"));
    assertThat(untrusted.client.post("/webhooks/github").putHeader("X-Forwarded-For", "192.30.252.7")
      .sendBuffer(Buffer.buffer(PUSH)).await(10, TimeUnit.SECONDS).statusCode()).isEqualTo(403);

    GatewayFixture proxied = GatewayFixture.start(vertx, Map.of(HookyardConfig.GITHUB_ALLOWED_CIDRS, "192.30.252.0/22",
      HookyardConfig.TRUSTED_PROXIES, "127.0.0.1/32"));
    HttpResponse<Buffer> forwarded = proxied.deliverAsync("push", "via-proxy", Buffer.buffer(PUSH), GatewayFixture.SECRET,
      "application/json", "192.30.252.7, 127.0.0.1").await(10, TimeUnit.SECONDS);
    assertThat(forwarded.statusCode()).isEqualTo(202);
    HttpResponse<Buffer> spoofed = proxied.deliverAsync("push", "spoofed", Buffer.buffer(PUSH), GatewayFixture.SECRET,
      "application/json", "203.0.113.9").await(10, TimeUnit.SECONDS);
    assertThat(spoofed.statusCode()).isEqualTo(403);
  }

  @Test
  @DisplayName("'meta' takes GitHub's published hook ranges and keeps the last good list when a refresh fails")
  void publishedRanges(Vertx vertx) throws Exception {
    AtomicInteger calls = new AtomicInteger();
    int port = Ports.freePort();
    vertx.createHttpServer().requestHandler(req -> {
      if (!req.path().equals("/meta")) {
        req.response().setStatusCode(404).end();
      } else if (calls.incrementAndGet() == 1) {
        req.response().putHeader("Content-Type", "application/json")
          .end(new JsonObject().put("hooks", new JsonArray().add("127.0.0.0/8").add("192.30.252.0/22")).encode());
      } else {
        req.response().setStatusCode(500).end();
      }
    }).listen(port, "127.0.0.1").await(10, TimeUnit.SECONDS);
    GatewayFixture gateway = GatewayFixture.start(vertx, Map.of(HookyardConfig.GITHUB_ALLOWED_CIDRS, "meta",
      HookyardConfig.GITHUB_API_URL, "http://127.0.0.1:" + port, HookyardConfig.GITHUB_META_REFRESH_MS, "100"));
    assertThat(gateway.deliver("push", "meta-allowed", PUSH).statusCode()).isEqualTo(202);
    Eventually.until(Duration.ofSeconds(10), "the hook ranges fetched three times", () -> calls.get() >= 3);
    assertThat(gateway.deliver("push", "meta-still-allowed", PUSH).statusCode()).isEqualTo(202);
  }
}
