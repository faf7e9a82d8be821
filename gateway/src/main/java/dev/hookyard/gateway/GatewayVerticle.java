package dev.hookyard.gateway;

import dev.hookyard.gateway.http.ApiErrors;
import dev.hookyard.gateway.http.AdminAuth;
import dev.hookyard.gateway.http.QueryParams;
import dev.hookyard.common.config.Credentials;
import dev.hookyard.common.config.HookyardConfig;
import dev.hookyard.common.github.GitHubApi;
import dev.hookyard.common.webhook.GitHubSignature;
import dev.hookyard.gateway.admin.AdminRoutes;
import dev.hookyard.gateway.board.BoardRoutes;
import dev.hookyard.gateway.ingest.IngestRoutes;
import dev.hookyard.gateway.ops.OpsRoutes;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.handler.BodyHandler;
import io.vertx.sqlclient.Pool;

import java.util.concurrent.TimeUnit;

/**
 * The gateway: webhook ingest, admin API and operations endpoints on one HTTP port.
 * Deploy several instances to use several event loops; they share the port.
 */
public final class GatewayVerticle extends VerticleBase {

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
    AdminAuth auth = new AdminAuth(credentials.adminToken());

    Router router = Router.router(vertx);
    return new IngestRoutes(vertx, config, signature, pool).mount(router, GitHubApi.of(vertx, config)::hookRanges)
      .compose(v -> listen(router, auth, signature));
  }

  private Future<?> listen(Router router, AdminAuth auth, GitHubSignature signature) {
    // Admin request bodies are small JSON documents; the webhook routes read their own raw bodies.
    router.route("/api/v1/*").handler(BodyHandler.create(false).setBodyLimit(64 * 1024));
    for (String queried : QueryParams.QUERIED) {
      router.route(queried).handler(QueryParams::decodable);
    }
    new AdminRoutes(vertx, pool, signature).mount(router, auth);
    new BoardRoutes(vertx, pool, credentials.adminToken()).mount(router, auth);
    new OpsRoutes(vertx, pool).mount(router);
    router.route().last().handler(ctx -> ApiErrors.send(ctx, 404, "not_found", "no route for " + ctx.request().method() + " " + ctx.request().path()));
    router.errorHandler(500, ctx -> ApiErrors.internal(ctx, ctx.failure()));
    router.errorHandler(413, ctx -> ApiErrors.send(ctx, 413, "payload_too_large", "the request body is over the limit"));
    router.errorHandler(405, ctx -> ApiErrors.send(ctx, 405, "method_not_allowed", ctx.request().method() + " is not allowed on " + ctx.request().path()));

    // No HTTP/2 upgrade sniffing: webhook senders speak HTTP/1.1, and the h2c detection
    // path skips the connection metrics Vert.x 5.0.8 then dereferences, hanging requests.
    server = vertx.createHttpServer(new HttpServerOptions().setCompressionSupported(false).setHttp2ClearTextEnabled(false)
      // A connection silent this long is dead (GitHub itself gives up after 10 s).
      .setIdleTimeout(120))
      .requestHandler(router);
    return server.listen(config.integer(HookyardConfig.HTTP_PORT, HookyardConfig.DEFAULT_HTTP_PORT), config.string(HookyardConfig.HTTP_HOST, HookyardConfig.DEFAULT_HTTP_HOST));
  }

  /**
   * Stops taking connections and lets the requests in flight finish (their deliveries
   * are being stored and deserve their answer), for at most the shutdown grace.
   */
  @Override
  public Future<?> stop() {
    return server.shutdown(config.longValue(HookyardConfig.SHUTDOWN_GRACE_MS, HookyardConfig.DEFAULT_SHUTDOWN_GRACE_MS) / 2, TimeUnit.MILLISECONDS);
  }

  /** Port actually bound (useful when configured as 0). */
  public int port() {
    return server.actualPort();
  }
}
