package dev.hookyard.gateway;

import dev.hookyard.common.Queues;
import dev.hookyard.common.config.Credentials;
import dev.hookyard.common.config.HookyardConfig;
import dev.hookyard.common.queue.JobQueue;
import dev.hookyard.common.webhook.GitHubSignature;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.handler.BodyHandler;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.TimeUnit;

/**
 * The gateway: webhook ingest, admin API and operations endpoints on one HTTP port.
 * Deploy several instances to use several event loops; they share the port.
 */
public final class GatewayVerticle extends VerticleBase {

  private static final Logger log = LoggerFactory.getLogger(GatewayVerticle.class);

  private final HookyardConfig config;
  private final Credentials credentials;
  private final Pool pool;
  private HttpServer server;

  public GatewayVerticle(HookyardConfig config, Credentials credentials, Pool pool) {
    this.config = config;
    this.credentials = credentials;
    this.pool = pool;
  }

  @Override
  public Future<?> start() {
    GitHubSignature signature = new GitHubSignature(credentials.webhookSecrets());
    DeliveryStore store = new DeliveryStore(vertx, pool,
      Integer.highestOneBit(Math.max(1, config.integer(HookyardConfig.INGEST_BATCH_SIZE, 256))),
      Math.max(1, config.integer(HookyardConfig.INGEST_IN_FLIGHT, 1)),
      config.integer(HookyardConfig.INGEST_TIMEOUT_MS, 5_000));
    long maxBody = config.longValue(HookyardConfig.MAX_BODY_BYTES, 26_214_400L);
    AdminAuth auth = new AdminAuth(credentials.adminToken());

    Router router = Router.router(vertx);
    router.post("/webhooks/github").handler(new WebhookIngest(signature, store, maxBody));
    String sentrySecret = config.string(HookyardConfig.SENTRY_SECRET, null);
    if (sentrySecret != null) {
      router.post("/webhooks/sentry").handler(AlertIngest.sentry(sentrySecret, store, maxBody));
    }
    String lokiToken = config.string(HookyardConfig.LOKI_TOKEN, null);
    if (lokiToken != null) {
      router.post("/webhooks/loki").handler(AlertIngest.loki(lokiToken, store, maxBody));
    }
    router.get("/webhooks/github").handler(ctx -> ApiErrors.json(ctx, 200, new JsonObject()
      .put("status", "ok")
      .put("endpoint", "/webhooks/github")
      .put("supported_events", new JsonArray(new java.util.ArrayList<Object>(Queues.PROCESSED_EVENTS)).add("ping"))));
    router.get("/webhooks/github/health").handler(ctx -> pool.query(DeliveryQueries.HEALTH).execute()
      .onSuccess(rows -> ApiErrors.json(ctx, 200, health(rows.iterator().next())))
      .onFailure(err -> DeliveryApi.unavailable(ctx, err)));
    // Admin request bodies are small JSON documents; the webhook routes read their own raw bodies.
    router.route("/api/v1/*").handler(BodyHandler.create(false).setBodyLimit(64 * 1024));
    new DeliveryApi(vertx, pool, new JobQueue(pool), signature).mount(router, auth);
    RepositoryApi repositories = new RepositoryApi(pool);
    repositories.mount(router, auth);
    new WorkspaceApi(pool, repositories).mount(router, auth);
    new ProjectApi(pool).mount(router, auth);
    new UserApi(vertx, pool).mount(router, auth);
    new DeveloperMetricsApi(pool).mount(router, auth);
    new OpsRoutes(vertx, pool).mount(router);
    router.route().last().handler(ctx -> ApiErrors.send(ctx, 404, "not_found", "no route for " + ctx.request().method() + " " + ctx.request().path()));
    router.errorHandler(500, ctx -> {
      log.error("Unhandled error on {} {}", ctx.request().method(), ctx.request().path(), ctx.failure());
      ApiErrors.send(ctx, 500, "internal_error", "the request failed inside hookyard");
    });
    router.errorHandler(413, ctx -> ApiErrors.send(ctx, 413, "payload_too_large", "the request body is over the limit"));
    router.errorHandler(405, ctx -> ApiErrors.send(ctx, 405, "method_not_allowed", ctx.request().method() + " is not allowed on " + ctx.request().path()));

    // No HTTP/2 upgrade sniffing: webhook senders speak HTTP/1.1, and the h2c detection
    // path skips the connection metrics Vert.x 5.0.8 then dereferences, hanging requests.
    server = vertx.createHttpServer(new HttpServerOptions().setCompressionSupported(false).setHttp2ClearTextEnabled(false)
      // A connection silent this long is dead (GitHub itself gives up after 10 s).
      .setIdleTimeout(120))
      .requestHandler(router);
    return server.listen(config.integer(HookyardConfig.HTTP_PORT, 8080), config.string(HookyardConfig.HTTP_HOST, "0.0.0.0"));
  }

  /**
   * Stops taking connections and lets the requests in flight finish (their deliveries
   * are being stored and deserve their answer), for at most the shutdown grace.
   */
  @Override
  public Future<?> stop() {
    return server.shutdown(config.longValue(HookyardConfig.SHUTDOWN_GRACE_MS, 20_000) / 2, TimeUnit.MILLISECONDS);
  }

  /** Port actually bound (useful when configured as 0). */
  public int port() {
    return server.actualPort();
  }

  static JsonObject health(Row r) {
    long total = r.getLong("total");
    long failed = r.getLong("failed");
    double rate = total == 0 ? 1.0 : (double) (total - failed) / total;
    return new JsonObject()
      .put("status", rate >= 0.95 ? "healthy" : "degraded")
      .put("success_rate", Math.round(rate * 10_000) / 10_000.0)
      .put("total_events_last_hour", total)
      .put("failed_events_last_hour", failed)
      .put("last_event_at", JobQueue.iso(r.getOffsetDateTime("last_event_at")));
  }
}
