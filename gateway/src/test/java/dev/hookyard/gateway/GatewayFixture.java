package dev.hookyard.gateway;

import dev.hookyard.common.testing.Ports;
import dev.hookyard.gateway.ops.OpsRoutes;
import dev.hookyard.common.config.Credentials;
import dev.hookyard.common.config.HookyardConfig;
import dev.hookyard.common.db.Database;
import dev.hookyard.common.testing.TcpProxy;
import dev.hookyard.common.testing.TestDatabase;
import dev.hookyard.common.webhook.GitHubSignature;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** A real gateway on a free port over a fresh database, and a client that signs like GitHub. */
final class GatewayFixture {

  static final String SECRET = "current-secret";
  static final String OLD_SECRET = "previous-secret";
  static final String TOKEN = "admin-token-for-tests";

  final Vertx vertx;
  final Pool pool;
  final WebClient client;
  final int port;
  final PgConnectOptions db;

  private GatewayFixture(Vertx vertx, Pool pool, WebClient client, int port, PgConnectOptions db) {
    this.vertx = vertx;
    this.pool = pool;
    this.client = client;
    this.port = port;
    this.db = db;
  }

  static GatewayFixture start(Vertx vertx, Map<String, String> extraConfig) throws Exception {
    return start(vertx, extraConfig, TestDatabase.fresh());
  }

  static GatewayFixture start(Vertx vertx, Map<String, String> extraConfig, PgConnectOptions db) throws Exception {
    int port = Ports.freePort();
    Pool pool = Database.createPool(vertx, db, 8);
    Map<String, String> env = new HashMap<>(extraConfig);
    env.put(HookyardConfig.HTTP_PORT, String.valueOf(port));
    env.put(HookyardConfig.HTTP_HOST, "127.0.0.1");
    HookyardConfig config = HookyardConfig.from(env);
    OpsRoutes.answerPings(vertx).await(10, TimeUnit.SECONDS);
    vertx.deployVerticle(new GatewayVerticle(config, new Credentials(List.of(SECRET, OLD_SECRET), TOKEN, false), pool))
      .await(10, TimeUnit.SECONDS);
    WebClient client = WebClient.create(vertx, new WebClientOptions().setDefaultHost("127.0.0.1").setDefaultPort(port),
      new io.vertx.core.http.PoolOptions().setHttp1MaxSize(64));
    return new GatewayFixture(vertx, pool, client, port, db);
  }

  /** A gateway whose database connections pass through {@code proxy}, so the test can cut them. */
  static GatewayFixture behind(TcpProxy proxy, Vertx vertx, Map<String, String> extraConfig, PgConnectOptions db) throws Exception {
    int proxyPort = proxy.start().await(10, TimeUnit.SECONDS);
    return start(vertx, extraConfig, new PgConnectOptions(db).setPort(proxyPort));
  }

  /** A GitHub-style delivery: signed with {@code secret} unless it is null. */
  HttpResponse<Buffer> deliver(String event, String guid, Buffer body, String secret, String contentType) throws Exception {
    return deliverAsync(event, guid, body, secret, contentType).await(20, TimeUnit.SECONDS);
  }

  Future<HttpResponse<Buffer>> deliverAsync(String event, String guid, Buffer body, String secret, String contentType) {
    return deliverAsync(event, guid, body, secret, contentType, null);
  }

  /** As sent through a proxy that adds {@code X-Forwarded-For}. */
  Future<HttpResponse<Buffer>> deliverAsync(String event, String guid, Buffer body, String secret, String contentType,
                                            String forwardedFor) {
    HttpRequest<Buffer> req = client.post("/webhooks/github");
    MultiMap h = req.headers();
    if (forwardedFor != null) {
      h.set("X-Forwarded-For", forwardedFor);
    }
    if (contentType != null) {
      h.set("Content-Type", contentType);
    }
    if (event != null) {
      h.set("X-GitHub-Event", event);
    }
    if (guid != null) {
      h.set("X-GitHub-Delivery", guid);
    }
    if (secret != null) {
      h.set("X-Hub-Signature-256", GitHubSignature.sign(secret, body.getBytes()));
    }
    return req.sendBuffer(body);
  }

  HttpResponse<Buffer> deliver(String event, String guid, String json) throws Exception {
    return deliver(event, guid, Buffer.buffer(json), SECRET, "application/json");
  }

  HttpResponse<Buffer> admin(HttpMethod method, String uri) throws Exception {
    return client.request(method, uri).bearerTokenAuthentication(TOKEN).send().await(20, TimeUnit.SECONDS);
  }

  long count(String sql, Object... params) throws Exception {
    return pool.preparedQuery(sql).execute(Tuple.from(params)).await(10, TimeUnit.SECONDS).iterator().next().getLong(0);
  }
}
