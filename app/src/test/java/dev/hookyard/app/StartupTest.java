package dev.hookyard.app;

import dev.hookyard.common.testing.Ports;
import dev.hookyard.common.config.Credentials;
import dev.hookyard.common.config.HookyardConfig;
import dev.hookyard.common.db.Database;
import dev.hookyard.common.testing.TestDatabase;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import io.vertx.pgclient.PgConnectOptions;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

class StartupTest {

  @Test
  @DisplayName("Without a database URL, hookyard runs an embedded PostgreSQL in the data dir and keeps deliveries and credentials across restarts")
  void embeddedDatabaseSurvivesRestart() throws Exception {
    Path dataDir = TestHookyard.tempDir();
    Map<String, String> env = new HashMap<>();
    env.put(HookyardConfig.DATA_DIR, dataDir.toString());
    env.put(HookyardConfig.HTTP_PORT, String.valueOf(Ports.freePort()));
    env.put(HookyardConfig.HTTP_HOST, "127.0.0.1");

    Credentials first;
    try (Hookyard h = TestHookyard.start(env)) {
      assertThat(h.embeddedDatabase()).isTrue();
      first = h.credentials();
      assertThat(first.generated()).isTrue();
      assertThat(Files.exists(dataDir.resolve("credentials.json"))).isTrue();
      WebClient client = TestHookyard.client(h, env);
      byte[] body = "{\"ref\":\"refs/heads/main\"}".getBytes(StandardCharsets.UTF_8);
      var res = client.post("/webhooks/github").putHeader("Content-Type", "application/json")
        .putHeader("X-GitHub-Event", "push").putHeader("X-GitHub-Delivery", "kept-1")
        .putHeader("X-Hub-Signature-256", dev.hookyard.common.webhook.GitHubSignature.sign(first.webhookSecrets().get(0), body))
        .sendBuffer(io.vertx.core.buffer.Buffer.buffer(body)).await(30, TimeUnit.SECONDS);
      assertThat(res.statusCode()).isEqualTo(202);
    }

    try (Hookyard h = TestHookyard.start(env)) {
      assertThat(h.credentials().generated()).isFalse();
      assertThat(h.credentials().webhookSecrets()).isEqualTo(first.webhookSecrets());
      assertThat(h.credentials().adminToken()).isEqualTo(first.adminToken());
      WebClient client = TestHookyard.client(h, env);
      var d = client.request(HttpMethod.GET, "/api/v1/deliveries/kept-1").bearerTokenAuthentication(first.adminToken())
        .send().await(30, TimeUnit.SECONDS);
      assertThat(d.statusCode()).isEqualTo(200);
      JsonObject delivery = d.bodyAsJsonObject();
      assertThat(delivery.getString("body")).isEqualTo("{\"ref\":\"refs/heads/main\"}");
      // A delivery is answered only once its commit is flushed; the processors' work,
      // redone from stored deliveries after a database crash, does not wait for the flush.
      String syncCommit = h.gatewayPool().query("SHOW synchronous_commit").execute().await(10, TimeUnit.SECONDS)
        .iterator().next().getString(0);
      assertThat(syncCommit).isEqualTo("on");
      String workCommit = h.pool().query("SHOW synchronous_commit").execute().await(10, TimeUnit.SECONDS)
        .iterator().next().getString(0);
      assertThat(workCommit).isEqualTo("off");
      String fsync = h.pool().query("SHOW fsync").execute().await(10, TimeUnit.SECONDS).iterator().next().getString(0);
      assertThat(fsync).isEqualTo("on");
    }
  }

  @Test
  @DisplayName("Several processes migrating one empty database at once all start, and the schema is applied once")
  void concurrentMigrations() throws Exception {
    PgConnectOptions blank = TestDatabase.blank();
    List<CompletableFuture<Void>> starts = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      starts.add(CompletableFuture.runAsync(() -> Database.connect(blank)));
    }
    CompletableFuture.allOf(starts.toArray(new CompletableFuture[0])).get(60, TimeUnit.SECONDS);
    TestDatabase.execute(blank, "SELECT 1 FROM deliveries, jobs LIMIT 1");
    try (var c = java.sql.DriverManager.getConnection(Database.jdbcUrl(blank), blank.getUser(), blank.getPassword());
         var rs = c.createStatement().executeQuery(
           "SELECT count(*), count(DISTINCT version), max(version::int) FROM flyway_schema_history WHERE success")) {
      rs.next();
      // Every migration recorded exactly once.
      assertThat(rs.getInt(1)).isEqualTo(rs.getInt(2));
      assertThat(rs.getInt(3)).isGreaterThanOrEqualTo(2);
    }
  }

  @Test
  @DisplayName("A bad setting stops start-up with a message naming it")
  void badConfig() {
    Map<String, String> env = new HashMap<>();
    env.put(HookyardConfig.ROLES, "gateway,frontend");
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> TestHookyard.start(env))
      .hasMessageContaining("frontend");
  }
}
