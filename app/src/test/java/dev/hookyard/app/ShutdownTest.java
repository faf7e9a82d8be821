package dev.hookyard.app;

import dev.hookyard.common.config.HookyardConfig;
import dev.hookyard.common.testing.TcpProxy;
import dev.hookyard.common.testing.TestDatabase;
import dev.hookyard.common.webhook.GitHubSignature;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import io.vertx.pgclient.PgConnectOptions;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

class ShutdownTest {

  @Test
  @DisplayName("Stopping while a delivery is being stored lets it finish: it is answered 202 and is in the database")
  void drainsInFlightDelivery() throws Exception {
    Vertx side = Vertx.vertx();
    try {
      PgConnectOptions db = TestDatabase.fresh();
      TcpProxy proxy = new TcpProxy(side, db.getHost(), db.getPort());
      int proxyPort = proxy.start().await(10, TimeUnit.SECONDS);
      Map<String, String> env = TestHookyard.config(new PgConnectOptions(db).setPort(proxyPort));
      env.put(HookyardConfig.ROLES, "gateway");
      env.put(HookyardConfig.CLUSTER, "false");
      Hookyard hookyard = TestHookyard.start(env);

      WebClient client = WebClient.create(side, new WebClientOptions().setDefaultHost("127.0.0.1")
        .setDefaultPort(Integer.parseInt(env.get(HookyardConfig.HTTP_PORT))));
      byte[] body = "{\"ref\":\"refs/heads/main\"}".getBytes(StandardCharsets.UTF_8);
      proxy.hold();
      Future<HttpResponse<Buffer>> inFlight = client.post("/webhooks/github")
        .putHeader("Content-Type", "application/json").putHeader("X-GitHub-Event", "push")
        .putHeader("X-GitHub-Delivery", "in-flight-at-stop")
        .putHeader(GitHubSignature.HEADER, GitHubSignature.sign(TestHookyard.SECRET, body))
        .sendBuffer(Buffer.buffer(body));
      Thread.sleep(300);
      assertThat(inFlight.isComplete()).isFalse();

      CompletableFuture<Void> closing = CompletableFuture.runAsync(hookyard::close);
      Thread.sleep(300);
      proxy.release();
      closing.get(30, TimeUnit.SECONDS);

      HttpResponse<Buffer> answer = inFlight.await(10, TimeUnit.SECONDS);
      assertThat(answer.statusCode()).isEqualTo(202);
      TestDatabase.execute(db, "DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM deliveries WHERE id = 'in-flight-at-stop') "
        + "THEN RAISE EXCEPTION 'delivery missing'; END IF; END $$");
    } finally {
      side.close().await(10, TimeUnit.SECONDS);
    }
  }
}
