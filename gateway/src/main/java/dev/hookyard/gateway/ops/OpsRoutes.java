package dev.hookyard.gateway.ops;

import dev.hookyard.gateway.http.ApiErrors;
import dev.hookyard.common.Addresses;
import dev.hookyard.common.db.DatabaseCondition;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.internal.VertxInternal;
import io.vertx.core.json.JsonObject;
import io.vertx.core.spi.cluster.ClusterManager;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.micrometer.PrometheusScrapingHandler;
import io.vertx.sqlclient.Pool;

/**
 * {@code /health} (liveness), {@code /ready} (database and event bus answer), {@code /metrics}.
 * While recent failures show the database refusing writes for a reason of its own, its
 * {@code database} field names it ({@code "disk full"}) instead of {@code "up"}.
 * Every role depends on the database and on its own event bus; {@code /ready} also tells
 * how many processes this one sees in the cluster, which is not a dependency: a gateway
 * alone keeps storing deliveries, processors alone keep polling for jobs.
 */
public final class OpsRoutes {

  private final Vertx vertx;
  private final Pool pool;

  public OpsRoutes(Vertx vertx, Pool pool) {
    this.vertx = vertx;
    this.pool = pool;
  }

  public void mount(Router router) {
    router.get("/health").handler(ctx -> ApiErrors.json(ctx, 200, new JsonObject().put("status", "up")));
    router.get("/ready").handler(this::ready);
    router.get("/metrics").handler(PrometheusScrapingHandler.create());
  }

  private void ready(RoutingContext ctx) {
    // A database that answers may still refuse writes (a full disk): named, but still ready,
    // since every replica shares the database and taking them all out of service would
    // turn 503s into connection errors.
    Future<String> db = pool.query(OpsQueries.PROBE).execute().map(r -> {
      String condition = DatabaseCondition.of(vertx).current();
      return condition == null ? "up" : condition;
    }).otherwise("down");
    // This node's own event bus: a peer that died (and is not yet dropped from the
    // cluster) is not this process's dependency, and must not make it unready.
    Future<String> bus = vertx.eventBus()
      .request(Addresses.PING, new JsonObject().put("type", "ping"), new DeliveryOptions().setSendTimeout(2_000).setLocalOnly(true))
      .map(r -> "up").otherwise("down");
    Future.join(db, bus).onComplete(ar -> {
      boolean ready = !"down".equals(db.result()) && "up".equals(bus.result());
      ApiErrors.json(ctx, ready ? 200 : 503, new JsonObject()
        .put("status", ready ? "ready" : "not_ready")
        .put("database", db.result())
        .put("event_bus", bus.result())
        .put("cluster_members", clusterMembers()));
    });
  }

  /** Processes in the cluster as this one sees it (itself included); 1 when not clustered. */
  private int clusterMembers() {
    ClusterManager cluster = ((VertxInternal) vertx).clusterManager();
    if (cluster == null) {
      return 1;
    }
    return cluster.isActive() ? cluster.getNodes().size() : 0;
  }

  /** Registers this node's answer to the readiness ping; every process registers one. */
  public static Future<Void> answerPings(Vertx vertx) {
    return vertx.eventBus().<JsonObject>consumer(Addresses.PING, m -> m.reply(new JsonObject().put("type", "pong")))
      .completion();
  }
}
