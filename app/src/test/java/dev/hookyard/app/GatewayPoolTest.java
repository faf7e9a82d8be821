package dev.hookyard.app;

import dev.hookyard.common.config.HookyardConfig;
import dev.hookyard.common.testing.TestDatabase;
import io.vertx.core.Future;
import io.vertx.ext.web.client.WebClient;
import io.vertx.sqlclient.SqlConnection;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

class GatewayPoolTest {

  @Test
  @Timeout(90)
  @DisplayName("With every worker connection taken, the all-in-one process still stores deliveries through the gateway's own pool")
  void workersCannotStarveIngest() throws Exception {
    Map<String, String> env = TestHookyard.config(TestDatabase.fresh());
    env.put(HookyardConfig.DB_POOL_SIZE, "2");
    env.put(HookyardConfig.DB_GATEWAY_POOL_SIZE, "2");
    env.put(HookyardConfig.INGEST_TIMEOUT_MS, "2000");
    try (Hookyard h = TestHookyard.start(env)) {
      assertThat(h.gatewayPool()).isNotSameAs(h.pool());
      // Busy workers: both connections of their pool held.
      SqlConnection a = h.pool().getConnection().await(10, TimeUnit.SECONDS);
      SqlConnection b = h.pool().getConnection().await(10, TimeUnit.SECONDS);
      try {
        Future<?> waiting = h.pool().query("SELECT 1").execute();
        WebClient client = TestHookyard.client(h, env);
        for (int i = 0; i < 5; i++) {
          byte[] body = ("{\"ref\":\"refs/heads/feature-" + i + "\"}").getBytes(StandardCharsets.UTF_8);
          assertThat(TestHookyard.deliver(client, "push", "starved-" + i, body).statusCode()).isEqualTo(202);
        }
        // The workers' pool really was exhausted all along.
        assertThat(waiting.isComplete()).isFalse();
        assertThat(h.gatewayPool().query("SELECT count(*) FROM deliveries WHERE id LIKE 'starved-%'").execute()
          .await(10, TimeUnit.SECONDS).iterator().next().getLong(0)).isEqualTo(5);
      } finally {
        a.close();
        b.close();
      }
    }
  }
}
