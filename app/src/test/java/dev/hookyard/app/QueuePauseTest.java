package dev.hookyard.app;

import dev.hookyard.common.testing.Eventually;
import dev.hookyard.common.config.HookyardConfig;
import dev.hookyard.common.testing.TestDatabase;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import io.vertx.pgclient.PgConnectOptions;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

class QueuePauseTest {

  private static final String PUSH = "webhook.push";
  private static final String REPO = "acme/paused";

  @Test
  @DisplayName("A paused queue keeps accepting deliveries while no worker of two processes claims its jobs; the pause survives a restart, shows in the stats and on /metrics, and a resume lets the other process drain them")
  void pauseHoldsAcrossProcessesAndRestarts() throws Exception {
    PgConnectOptions db = TestDatabase.fresh();
    Map<String, String> envA = TestHookyard.config(db);
    envA.put(HookyardConfig.SCHEDULER_TICK_MS, "200");
    Map<String, String> envB = TestHookyard.config(db);
    envB.put(HookyardConfig.ROLES, "gateway,processors");
    envB.put(HookyardConfig.CLUSTER, "false");
    SignedPushes pushes = new SignedPushes("paused", REPO, 7070, "pause-");

    Hookyard a = TestHookyard.start(envA);
    // The clients outlive process A's restarts.
    io.vertx.core.Vertx vertx = io.vertx.core.Vertx.vertx();
    try (HookyardProcess b = HookyardProcess.start("pause-b", envB).awaitReady(Duration.ofSeconds(90))) {
      WebClient clientA = WebClient.create(vertx, new WebClientOptions().setDefaultHost("127.0.0.1")
        .setDefaultPort(Integer.parseInt(envA.get(HookyardConfig.HTTP_PORT))));
      WebClient clientB = WebClient.create(vertx, new WebClientOptions().setDefaultHost("127.0.0.1").setDefaultPort(b.port));
      pushes.track(clientA);

      // Bad input and no token are refused with the one error shape.
      HttpResponse<Buffer> unknown = TestHookyard.admin(clientA, HttpMethod.POST, "/api/v1/queues/webhook.nope/pause");
      assertThat(unknown.statusCode()).isEqualTo(404);
      assertThat(unknown.bodyAsJsonObject().getString("error")).isEqualTo("not_found");
      assertThat(clientA.post("/api/v1/queues/" + PUSH + "/pause").send().await(10, TimeUnit.SECONDS).statusCode()).isEqualTo(401);

      JsonObject paused = TestHookyard.admin(clientA, HttpMethod.POST, "/api/v1/queues/" + PUSH + "/pause").bodyAsJsonObject();
      assertThat(paused.getBoolean("paused")).isTrue();
      assertThat(paused.getBoolean("changed")).isTrue();
      assertThat(paused.getString("paused_at")).isNotNull();
      assertThat(TestHookyard.admin(clientB, HttpMethod.POST, "/api/v1/queues/" + PUSH + "/pause").bodyAsJsonObject()
        .getBoolean("changed")).isFalse();

      // Deliveries to either process are still stored and answered 202.
      for (int n = 1; n <= 4; n++) {
        assertThat(pushes.send(clientA, n)).isEqualTo(202);
        assertThat(pushes.send(clientB, n + 4)).isEqualTo(202);
      }
      holdsFor(clientA, Duration.ofMillis(2_500));
      JsonObject stats = TestHookyard.admin(clientB, HttpMethod.GET, "/api/v1/jobs/stats").bodyAsJsonObject().getJsonObject(PUSH);
      assertThat(stats.getBoolean("paused")).isTrue();
      assertThat(stats.getLong("queued")).isEqualTo(8);
      assertThat(stats.getLong("done")).isZero();
      Eventually.until(Duration.ofSeconds(10), "the paused gauge on /metrics", () -> metrics(clientA),
        m -> m.contains("hookyard_queue_paused{queue=\"" + PUSH + "\"} 1.0"));

      // A restart keeps the pause.
      a.close();
      a = TestHookyard.start(envA);
      assertThat(TestHookyard.admin(clientA, HttpMethod.GET, "/api/v1/jobs/stats").bodyAsJsonObject()
        .getJsonObject(PUSH).getBoolean("paused")).isTrue();
      holdsFor(clientA, Duration.ofMillis(1_500));

      // Process A goes; B alone resumes the queue and drains it.
      a.close();
      a = null;
      JsonObject resumed = TestHookyard.admin(clientB, HttpMethod.POST, "/api/v1/queues/" + PUSH + "/resume").bodyAsJsonObject();
      assertThat(resumed.getBoolean("paused")).isFalse();
      assertThat(resumed.getBoolean("changed")).isTrue();
      Eventually.until(Duration.ofSeconds(20), "every push done", () -> deliveries(clientB, "done").size(), n -> n == 8);
      stats = TestHookyard.admin(clientB, HttpMethod.GET, "/api/v1/jobs/stats").bodyAsJsonObject().getJsonObject(PUSH);
      assertThat(stats.getBoolean("paused")).isFalse();
      assertThat(stats.getLong("done")).isEqualTo(8);
    } finally {
      if (a != null) {
        a.close();
      }
      vertx.close().await(10, TimeUnit.SECONDS);
    }
  }

  /** For {@code time}, every push stays queued. */
  private static void holdsFor(WebClient client, Duration time) throws Exception {
    long end = System.nanoTime() + time.toNanos();
    do {
      assertThat(deliveries(client, "queued").size()).isEqualTo(8);
      Thread.sleep(250);
    } while (System.nanoTime() < end);
  }

  private static JsonArray deliveries(WebClient client, String status) throws Exception {
    HttpResponse<Buffer> got = TestHookyard.admin(client, HttpMethod.GET,
      "/webhooks/github/events?repository=" + REPO + "&status=" + status + "&limit=100");
    assertThat(got.statusCode()).as(got.bodyAsString()).isEqualTo(200);
    return got.bodyAsJsonArray();
  }

  private static String metrics(WebClient client) throws Exception {
    return client.get("/metrics").send().await(10, TimeUnit.SECONDS).bodyAsString();
  }
}
