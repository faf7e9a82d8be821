package dev.hookyard.gateway.ops;

import dev.hookyard.gateway.http.ApiErrors;
import dev.hookyard.common.config.HookyardConfig;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.ext.web.Router;
import io.vertx.sqlclient.Pool;

/**
 * Operations endpoints alone ({@code /health}, {@code /ready}, {@code /metrics}), for a
 * process that runs no gateway: a processors or scheduler pod still needs probes and a scrape target.
 */
public final class OpsVerticle extends VerticleBase {

  private final HookyardConfig config;
  private final Pool pool;

  public OpsVerticle(HookyardConfig config, Pool pool) {
    this.config = config;
    this.pool = pool;
  }

  @Override
  public Future<?> start() {
    Router router = Router.router(vertx);
    new OpsRoutes(vertx, pool).mount(router);
    router.route().last().handler(ctx -> ApiErrors.send(ctx, 404, "not_found", "this process serves only /health, /ready and /metrics"));
    return vertx.createHttpServer(new HttpServerOptions().setHttp2ClearTextEnabled(false)).requestHandler(router)
      .listen(config.integer(HookyardConfig.HTTP_PORT, HookyardConfig.DEFAULT_HTTP_PORT), config.string(HookyardConfig.HTTP_HOST, HookyardConfig.DEFAULT_HTTP_HOST));
  }
}
