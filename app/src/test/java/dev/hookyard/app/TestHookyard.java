package dev.hookyard.app;

import dev.hookyard.common.testing.Ports;
import dev.hookyard.common.config.HookyardConfig;
import dev.hookyard.common.testing.TestDatabase;
import dev.hookyard.common.webhook.GitHubSignature;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import io.vertx.pgclient.PgConnectOptions;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Starts whole hookyard processes (in this JVM) the way {@code Main} does, on a test database. */
final class TestHookyard {

  static final String SECRET = "app-test-secret";
  static final String TOKEN = "app-test-token";

  static Map<String, String> config(PgConnectOptions db) throws IOException {
    Map<String, String> env = new HashMap<>();
    env.put(HookyardConfig.DB_URL, TestDatabase.url(db));
    env.put(HookyardConfig.HTTP_PORT, String.valueOf(Ports.freePort()));
    env.put(HookyardConfig.HTTP_HOST, "127.0.0.1");
    env.put(HookyardConfig.DATA_DIR, Files.createTempDirectory("hookyard-app-test").toString());
    env.put(HookyardConfig.WEBHOOK_SECRETS, SECRET);
    env.put(HookyardConfig.ADMIN_TOKEN, TOKEN);
    env.put(HookyardConfig.GATEWAY_INSTANCES, "1");
    return env;
  }

  static Hookyard start(Map<String, String> env) throws Exception {
    return Hookyard.start(HookyardConfig.from(env));
  }

  static WebClient client(Hookyard h, Map<String, String> env) {
    return WebClient.create(h.vertx(), new WebClientOptions().setDefaultHost("127.0.0.1")
      .setDefaultPort(Integer.parseInt(env.get(HookyardConfig.HTTP_PORT))));
  }

  static HttpResponse<Buffer> deliver(WebClient client, String event, String guid, byte[] body) throws Exception {
    return client.post("/webhooks/github")
      .putHeader("Content-Type", "application/json")
      .putHeader("X-GitHub-Event", event)
      .putHeader("X-GitHub-Delivery", guid)
      .putHeader(GitHubSignature.HEADER, GitHubSignature.sign(SECRET, body))
      .sendBuffer(Buffer.buffer(body))
      .await(30, TimeUnit.SECONDS);
  }

  static HttpResponse<Buffer> admin(WebClient client, HttpMethod method, String uri) throws Exception {
    return client.request(method, uri).bearerTokenAuthentication(TOKEN).send().await(30, TimeUnit.SECONDS);
  }

  static HttpResponse<Buffer> adminPost(WebClient client, String uri, io.vertx.core.json.JsonObject body) throws Exception {
    return client.post(uri).bearerTokenAuthentication(TOKEN).sendJsonObject(body).await(30, TimeUnit.SECONDS);
  }

  /**
   * A column counting the done push jobs of deliveries matching {@code deliveries} (a
   * condition on {@code w.delivery_id}) whose outcome names no index job of
   * {@code indexStatuses}: the push's own ("queued index job N", "index job for SHA already
   * queued") or a newer push's of its batch ("indexed with the newer push SHA of its batch").
   */
  static String unindexedPushes(String deliveries, String indexStatuses) {
    return """
      (SELECT count(*) FROM jobs w
        WHERE w.queue = 'webhook.push' AND w.status = 'done' AND %s
          AND NOT EXISTS (SELECT 1 FROM jobs i WHERE i.queue = 'index-repository' AND i.status IN (%s)
                            AND (w.result LIKE 'queued index job ' || i.id || ',%%'
                                 OR w.result LIKE '%%' || (i.payload ->> 'commit_sha') || '%%'))) AS unindexed
      """.formatted(deliveries, indexStatuses);
  }

  static Path tempDir() throws IOException {
    return Files.createTempDirectory("hookyard-app-test");
  }

  private TestHookyard() {
  }
}
