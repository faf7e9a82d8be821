package dev.hookyard.app;

import dev.hookyard.common.config.HookyardConfig;
import dev.hookyard.common.testing.TestDatabase;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import io.vertx.pgclient.PgConnectOptions;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

class ClusterTest {

  @Test
  @DisplayName("A gateway-only node and a processors-only node form a cluster, and a delivery posted to the first is processed by the second")
  void gatewayAndProcessorsOnTwoNodes() throws Exception {
    PgConnectOptions db = TestDatabase.fresh();
    String clusterName = "hookyard-test-" + UUID.randomUUID();

    Map<String, String> gatewayEnv = TestHookyard.config(db);
    gatewayEnv.put(HookyardConfig.ROLES, "gateway");
    gatewayEnv.put("HOOKYARD_CLUSTER_NAME", clusterName);

    Map<String, String> processorsEnv = TestHookyard.config(db);
    processorsEnv.put(HookyardConfig.ROLES, "processors");
    processorsEnv.remove(HookyardConfig.WEBHOOK_SECRETS);
    processorsEnv.remove(HookyardConfig.ADMIN_TOKEN);
    processorsEnv.put("HOOKYARD_CLUSTER_NAME", clusterName);
    // Polling every ten minutes: only the wake-up crossing the cluster can make the job run in time.
    processorsEnv.put(HookyardConfig.QUEUE_POLL_MS, "600000");

    try (Hookyard processors = TestHookyard.start(processorsEnv);
         Hookyard gateway = TestHookyard.start(gatewayEnv)) {
      assertThat(gateway.vertx().isClustered()).isTrue();
      assertThat(processors.vertx().isClustered()).isTrue();

      WebClient client = TestHookyard.client(gateway, gatewayEnv);
      byte[] body = "{\"action\":\"opened\",\"issue\":{\"id\":1,\"number\":1}}".getBytes(StandardCharsets.UTF_8);
      assertThat(TestHookyard.deliver(client, "issues", "cluster-1", body).statusCode()).isEqualTo(202);

      String status = null;
      long deadline = System.currentTimeMillis() + 20_000;
      while (System.currentTimeMillis() < deadline) {
        JsonObject d = TestHookyard.admin(client, HttpMethod.GET, "/api/v1/deliveries/cluster-1").bodyAsJsonObject();
        JsonArray jobs = d.getJsonArray("jobs");
        status = jobs.getJsonObject(0).getString("status");
        if ("done".equals(status)) {
          break;
        }
        Thread.sleep(100);
      }
      assertThat(status).isEqualTo("done");

      // The processors node serves its own probes, and generated no credentials of its own.
      assertThat(processors.credentials().generated()).isFalse();
      assertThat(java.nio.file.Files.exists(java.nio.file.Path.of(processorsEnv.get(HookyardConfig.DATA_DIR), "credentials.json"))).isFalse();
      WebClient processorsClient = TestHookyard.client(processors, processorsEnv);
      assertThat(processorsClient.get("/ready").send().await(10, java.util.concurrent.TimeUnit.SECONDS).statusCode()).isEqualTo(200);
      assertThat(processorsClient.post("/webhooks/github").send().await(10, java.util.concurrent.TimeUnit.SECONDS).statusCode())
        .isEqualTo(404);
    }
  }
}
