package dev.hookyard.gateway;

import dev.hookyard.common.testing.TestJobs;
import dev.hookyard.gateway.ingest.IngestQueries;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

@ExtendWith(VertxExtension.class)
class WebhookHealthTest {

  private static final String PUSH = "{\"ref\":\"refs/heads/main\"}";

  /** The figures as they were computed before the counters: every delivery of the hour counted. */
  private static final String COUNT_THE_HOUR = """
    SELECT count(*) AS total,
           count(*) FILTER (WHERE EXISTS (SELECT 1 FROM jobs j WHERE j.delivery_id = d.id AND j.status = 'dead')) AS failed
      FROM deliveries d WHERE d.received_at > now() - interval '1 hour'
    """;

  private static double executionMs(GatewayFixture gw, String sql) throws Exception {
    JsonArray plan = (JsonArray) gw.pool.query("EXPLAIN (ANALYZE, FORMAT JSON) " + sql).execute()
      .await(30, TimeUnit.SECONDS).iterator().next().getValue(0);
    return plan.getJsonObject(0).getDouble("Execution Time");
  }

  @Test
  @Timeout(120)
  @DisplayName("The webhook health figures come from counters and indexes, not from counting the hour: right, and fast over 200k deliveries")
  void healthWithoutScanning(Vertx vertx) throws Exception {
    GatewayFixture gw = GatewayFixture.start(vertx, Map.of());
    // 200k deliveries of the last 50 minutes, written as the ingest statement would have counted them.
    gw.pool.query("""
      INSERT INTO deliveries (id, event, content_type, body, received_at)
      SELECT 'bulk-' || g, 'push', 'application/json', '\\x00'::bytea, now() - (g % 3000) * interval '1 second'
        FROM generate_series(1, 200000) g
      """).execute().await(60, TimeUnit.SECONDS);
    gw.pool.query("""
      INSERT INTO delivery_counts AS c (slot, shard, minute_start, total)
      SELECT (floor(extract(epoch FROM date_trunc('minute', received_at)) / 60)::bigint % 60)::smallint, 0,
             date_trunc('minute', received_at), count(*)
        FROM deliveries GROUP BY date_trunc('minute', received_at)
      ON CONFLICT (slot, shard) DO UPDATE SET total = c.total + excluded.total
      """).execute().await(30, TimeUnit.SECONDS);
    gw.pool.query("ANALYZE deliveries").execute().await(30, TimeUnit.SECONDS);
    gw.pool.query("ANALYZE job_queue").execute().await(30, TimeUnit.SECONDS);

    for (int i = 0; i < 3; i++) {
      assertThat(gw.deliver("push", "live-" + i, PUSH).statusCode()).isEqualTo(202);
    }
    TestJobs.finish(gw.pool, "live-1", "dead", 3, "failed for the test");

    List<Long> millis = new ArrayList<>();
    JsonObject health = null;
    for (int i = 0; i < 15; i++) {
      long started = System.nanoTime();
      health = gw.client.get("/webhooks/github/health").send().await(10, TimeUnit.SECONDS).bodyAsJsonObject();
      millis.add(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
    }
    assertThat(health.getLong("total_events_last_hour")).isEqualTo(200_003);
    assertThat(health.getLong("failed_events_last_hour")).isEqualTo(1);
    assertThat(health.getString("status")).isEqualTo("healthy");
    assertThat(health.getString("last_event_at")).isNotNull();

    StringBuilder whole = new StringBuilder();
    gw.pool.query("EXPLAIN " + IngestQueries.HEALTH).execute().await(10, TimeUnit.SECONDS)
      .forEach(r -> whole.append(r.getString(0)).append('\n'));
    assertThat(whole.toString()).as(whole.toString()).doesNotContain("Seq Scan on deliveries");
    double counted = executionMs(gw, IngestQueries.HEALTH);
    double scanned = executionMs(gw, COUNT_THE_HOUR);
    Collections.sort(millis);
    System.out.printf("Health over 200k deliveries of the hour: query %.2f ms (counting the hour: %.2f ms); "
      + "HTTP median %d ms, max %d ms%n", counted, scanned, millis.get(millis.size() / 2), millis.get(millis.size() - 1));
    assertThat(counted).isLessThan(20.0);
    assertThat(millis.get(millis.size() / 2)).isLessThan(100L);
  }
}
