package dev.hookyard.gateway;

import dev.hookyard.common.testing.TestJobs;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

@ExtendWith(VertxExtension.class)
class AdminApiTest {

  private static final String PUSH = "{\"ref\":\"refs/heads/main\",\"after\":\"abc\"}";

  private GatewayFixture gw;

  @BeforeEach
  void setUp(Vertx vertx) throws Exception {
    gw = GatewayFixture.start(vertx, Map.of());
  }

  @Test
  @DisplayName("Admin routes answer 401 without the bearer token or with a wrong one")
  void requiresToken() throws Exception {
    for (String uri : new String[] {"/api/v1/jobs/stats", "/api/v1/jobs/dead", "/api/v1/deliveries/x", "/webhooks/github/events"}) {
      HttpResponse<Buffer> none = gw.client.get(uri).send().await(10, TimeUnit.SECONDS);
      assertThat(none.statusCode()).as(uri).isEqualTo(401);
      assertThat(none.bodyAsJsonObject().getString("error")).isEqualTo("unauthorized");
      assertThat(gw.client.get(uri).bearerTokenAuthentication("wrong").send().await(10, TimeUnit.SECONDS).statusCode())
        .as(uri).isEqualTo(401);
    }
    assertThat(gw.client.post("/api/v1/jobs/1/retry").send().await(10, TimeUnit.SECONDS).statusCode()).isEqualTo(401);
  }

  @Test
  @DisplayName("A delivery is shown with its raw body and jobs, and a replay queues it again")
  void deliveryAndReplay() throws Exception {
    gw.deliver("push", "guid-r", PUSH);

    JsonObject d = gw.admin(HttpMethod.GET, "/api/v1/deliveries/guid-r").bodyAsJsonObject();
    assertThat(d.getString("delivery_id")).isEqualTo("guid-r");
    assertThat(d.getString("event")).isEqualTo("push");
    assertThat(d.getString("body")).isEqualTo(PUSH);
    assertThat(d.getJsonArray("jobs")).hasSize(1);
    assertThat(d.getJsonArray("jobs").getJsonObject(0).getString("queue")).isEqualTo("webhook.push");

    HttpResponse<Buffer> replay = gw.admin(HttpMethod.POST, "/api/v1/deliveries/guid-r/replay");
    assertThat(replay.statusCode()).isEqualTo(202);
    assertThat(replay.bodyAsJsonObject().getString("status")).isEqualTo("queued");
    assertThat(replay.bodyAsJsonObject().getBoolean("signature_verified")).isTrue();
    long jobId = replay.bodyAsJsonObject().getLong("job_id");
    assertThat(gw.count("SELECT count(*) FROM jobs WHERE delivery_id = 'guid-r'")).isEqualTo(2);
    assertThat(gw.count("SELECT count(*) FROM jobs WHERE id = $1 AND status = 'queued'", jobId)).isEqualTo(1);
    assertThat(gw.count("SELECT count(*) FROM deliveries")).isEqualTo(1);

    assertThat(gw.admin(HttpMethod.GET, "/api/v1/deliveries/nope").statusCode()).isEqualTo(404);
    assertThat(gw.admin(HttpMethod.POST, "/api/v1/deliveries/nope/replay").statusCode()).isEqualTo(404);
  }

  @Test
  @DisplayName("Job stats count per queue, dead letters list their reasons, and a dead job can be retried once")
  void statsDeadAndRetry() throws Exception {
    gw.deliver("push", "guid-1", PUSH);
    gw.deliver("push", "guid-2", PUSH);
    gw.deliver("issues", "guid-3", "{\"action\":\"opened\"}");
    TestJobs.finish(gw.pool, "guid-2", "dead", 3, "handler exploded");

    JsonObject stats = gw.admin(HttpMethod.GET, "/api/v1/jobs/stats").bodyAsJsonObject();
    JsonObject push = stats.getJsonObject("webhook.push");
    assertThat(push.getLong("queued")).isEqualTo(1);
    assertThat(push.getLong("dead")).isEqualTo(1);
    assertThat(push.getLong("running")).isZero();
    assertThat(push.getLong("done")).isZero();
    assertThat(push.getLong("failed")).isZero();
    assertThat(push.getDouble("oldest_queued_age_s")).isGreaterThanOrEqualTo(0.0);
    assertThat(stats.getJsonObject("webhook.issues").getLong("queued")).isEqualTo(1);

    JsonArray dead = gw.admin(HttpMethod.GET, "/api/v1/jobs/dead").bodyAsJsonArray();
    assertThat(dead).hasSize(1);
    JsonObject letter = dead.getJsonObject(0);
    assertThat(letter.getString("delivery_id")).isEqualTo("guid-2");
    assertThat(letter.getString("reason")).isEqualTo("handler exploded");

    long id = letter.getLong("id");
    HttpResponse<Buffer> retry = gw.admin(HttpMethod.POST, "/api/v1/jobs/" + id + "/retry");
    assertThat(retry.statusCode()).isEqualTo(202);
    assertThat(gw.count("SELECT count(*) FROM jobs WHERE id = $1 AND status = 'queued' AND attempts = 0", id)).isEqualTo(1);
    HttpResponse<Buffer> again = gw.admin(HttpMethod.POST, "/api/v1/jobs/" + id + "/retry");
    assertThat(again.statusCode()).isEqualTo(409);
    assertThat(again.bodyAsJsonObject().getString("error")).isEqualTo("not_retryable");
    assertThat(gw.admin(HttpMethod.POST, "/api/v1/jobs/999999/retry").statusCode()).isEqualTo(404);
    assertThat(gw.admin(HttpMethod.POST, "/api/v1/jobs/abc/retry").statusCode()).isEqualTo(400);
    assertThat(gw.admin(HttpMethod.GET, "/api/v1/jobs/dead").bodyAsJsonArray()).isEmpty();
  }

  @Test
  @DisplayName("The delivery list is newest first and filters by event, status and limit")
  void listDeliveries() throws Exception {
    gw.deliver("push", "guid-a", PUSH);
    gw.deliver("issues", "guid-b", "{\"action\":\"closed\"}");
    gw.deliver("push", "guid-c", PUSH);
    TestJobs.finish(gw.pool, "guid-a", "done", 1, null);

    JsonArray all = gw.admin(HttpMethod.GET, "/webhooks/github/events").bodyAsJsonArray();
    assertThat(all).hasSize(3);
    assertThat(all.getJsonObject(0).getString("delivery_id")).isEqualTo("guid-c");
    JsonArray pushes = gw.admin(HttpMethod.GET, "/webhooks/github/events?event=push").bodyAsJsonArray();
    assertThat(pushes).hasSize(2);
    JsonArray done = gw.admin(HttpMethod.GET, "/webhooks/github/events?status=done").bodyAsJsonArray();
    assertThat(done).hasSize(1);
    assertThat(done.getJsonObject(0).getString("delivery_id")).isEqualTo("guid-a");
    assertThat(gw.admin(HttpMethod.GET, "/webhooks/github/events?limit=1").bodyAsJsonArray()).hasSize(1);
    assertThat(gw.admin(HttpMethod.GET, "/webhooks/github/events?limit=0").statusCode()).isEqualTo(400);
  }
}
