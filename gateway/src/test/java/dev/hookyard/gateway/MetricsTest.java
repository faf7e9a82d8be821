package dev.hookyard.gateway;

import dev.hookyard.common.metrics.HookyardMetrics;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

class MetricsTest {

  private Vertx vertx;

  @AfterEach
  void tearDown() throws Exception {
    if (vertx != null) {
      vertx.close().await(10, TimeUnit.SECONDS);
    }
  }

  @Test
  @DisplayName("/metrics exposes received and rejected deliveries and the ack latency in Prometheus text")
  void prometheus() throws Exception {
    vertx = Vertx.builder().with(HookyardMetrics.vertxOptions()).withMetrics(HookyardMetrics.factory()).build();
    GatewayFixture gw = GatewayFixture.start(vertx, Map.of());
    gw.deliver("push", "m-1", "{\"ref\":\"refs/heads/main\"}");
    gw.deliver("push", "m-2", Buffer.buffer("{}"), "wrong", "application/json");

    String text = gw.client.get("/metrics").send().await(10, TimeUnit.SECONDS).bodyAsString();
    assertThat(text).containsPattern("hookyard_webhook_deliveries_received_total\\{event=\"push\"} [1-9]");
    assertThat(text).containsPattern("hookyard_webhook_deliveries_rejected_total\\{reason=\"invalid_signature\"} [1-9]");
    assertThat(text).contains("hookyard_webhook_ack_seconds_count");
    assertThat(text).contains("vertx_http_server_requests_total");
  }

  @Test
  @DisplayName("Connection pools are metered only when asked for: waits for a connection, by pool name")
  void poolsMeteredWhenAsked() throws Exception {
    vertx = Vertx.builder().with(HookyardMetrics.vertxOptions()).withMetrics(HookyardMetrics.factory()).build();
    GatewayFixture gw = GatewayFixture.start(vertx, Map.of());
    gw.deliver("push", "p-1", "{\"ref\":\"refs/heads/main\"}");
    assertThat(gw.client.get("/metrics").send().await(10, TimeUnit.SECONDS).bodyAsString()).doesNotContain("vertx_pool_");
    vertx.close().await(10, TimeUnit.SECONDS);

    vertx = Vertx.builder().with(HookyardMetrics.vertxOptions(true)).withMetrics(HookyardMetrics.factory()).build();
    gw = GatewayFixture.start(vertx, Map.of());
    gw.deliver("push", "p-2", "{\"ref\":\"refs/heads/main\"}");
    assertThat(gw.client.get("/metrics").send().await(10, TimeUnit.SECONDS).bodyAsString())
      .containsPattern("vertx_pool_queue_time_seconds_count\\{pool_name=\"hookyard\",pool_type=\"sql\"} [1-9]");
  }
}
