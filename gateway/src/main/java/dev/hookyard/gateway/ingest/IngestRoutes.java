package dev.hookyard.gateway.ingest;

import dev.hookyard.common.JsonDates;
import dev.hookyard.common.Queues;
import dev.hookyard.common.config.HookyardConfig;
import dev.hookyard.common.db.DatabaseCondition;
import dev.hookyard.common.metrics.HookyardMetrics;
import dev.hookyard.common.webhook.GitHubSignature;
import dev.hookyard.gateway.http.ApiErrors;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * The webhook endpoints: GitHub deliveries, Sentry and Loki alerts (each only when its
 * secret is configured), the endpoint description and its health figures.
 */
public final class IngestRoutes {

  private final Vertx vertx;
  private final HookyardConfig config;
  private final GitHubSignature signature;
  private final Pool pool;
  private final DeliveryStore store;

  public IngestRoutes(Vertx vertx, HookyardConfig config, GitHubSignature signature, Pool pool) {
    this.vertx = vertx;
    this.config = config;
    this.signature = signature;
    this.pool = pool;
    this.store = new DeliveryStore(vertx, pool,
      Integer.highestOneBit(Math.max(1, config.integer(HookyardConfig.INGEST_BATCH_SIZE, HookyardConfig.DEFAULT_INGEST_BATCH_SIZE))),
      config.ingestInFlight(),
      config.integer(HookyardConfig.INGEST_TIMEOUT_MS, HookyardConfig.DEFAULT_INGEST_TIMEOUT_MS),
      config.integer(HookyardConfig.INGEST_MAX_WAITING, HookyardConfig.DEFAULT_INGEST_MAX_WAITING));
    HookyardMetrics.refusalReasons(Refusals.REASONS);
  }

  /**
   * Mounts the webhook routes. With {@code HOOKYARD_GITHUB_ALLOWED_CIDRS} set, GitHub
   * deliveries from other sources are refused first; {@code published} supplies GitHub's
   * hook ranges for the {@code meta} setting.
   */
  public Future<Void> mount(Router router, Supplier<Future<List<String>>> published) {
    long maxBody = config.longValue(HookyardConfig.MAX_BODY_BYTES, HookyardConfig.DEFAULT_MAX_BODY_BYTES);
    List<String> allowed = config.list(HookyardConfig.GITHUB_ALLOWED_CIDRS);
    List<String> proxies = config.list(HookyardConfig.TRUSTED_PROXIES);
    Future<SourceAllowList> sources = allowed.isEmpty() ? Future.succeededFuture(null)
      : allowed.equals(List.of("meta")) ? SourceAllowList.published(vertx, published, proxies,
        config.longValue(HookyardConfig.GITHUB_META_REFRESH_MS, HookyardConfig.DEFAULT_GITHUB_META_REFRESH_MS))
      : Future.succeededFuture(SourceAllowList.of(allowed, proxies));
    return sources.map(allowList -> {
      mountRoutes(router, allowList, maxBody);
      return null;
    });
  }

  private void mountRoutes(Router router, SourceAllowList allowList, long maxBody) {
    // One budget for every gateway instance of the process: bodies held at once, whichever loop reads them.
    RawBody.Limits limits = new RawBody.Limits(maxBody,
      BodyBudget.of(vertx, config.longValue(HookyardConfig.MAX_INFLIGHT_BYTES, HookyardConfig.DEFAULT_MAX_INFLIGHT_BYTES)),
      config.longValue(HookyardConfig.BODY_TIMEOUT_MS, HookyardConfig.DEFAULT_BODY_TIMEOUT_MS));
    if (allowList != null) {
      router.post("/webhooks/github").handler(allowList);
    }
    router.post("/webhooks/github").handler(new WebhookIngest(vertx, signature, store, limits));
    String sentrySecret = config.string(HookyardConfig.SENTRY_SECRET, null);
    if (sentrySecret != null) {
      router.post("/webhooks/sentry").handler(AlertIngest.sentry(vertx, sentrySecret, store, limits));
    }
    String lokiToken = config.string(HookyardConfig.LOKI_TOKEN, null);
    if (lokiToken != null) {
      router.post("/webhooks/loki").handler(AlertIngest.loki(vertx, lokiToken, store, limits));
    }
    router.get("/webhooks/github").handler(ctx -> ApiErrors.json(ctx, 200, new JsonObject()
      .put("status", "ok")
      .put("endpoint", "/webhooks/github")
      .put("supported_events", new JsonArray(new ArrayList<Object>(Queues.PROCESSED_EVENTS)).add("ping"))));
    router.get("/webhooks/github/health").handler(ctx -> pool.query(IngestQueries.HEALTH).execute()
      .onSuccess(rows -> ApiErrors.json(ctx, 200, health(rows.iterator().next())))
      .onFailure(err -> ApiErrors.failed(ctx, err)));
  }

  /**
   * The hour's figures from the database, and what this gateway sees now: the
   * database's condition ({@code "disk full"}) and the causes of refusals within the
   * last repeat interval. Refusals for a cause of hookyard's or its database's make the
   * endpoint degraded while they last; those that are the senders' doing do not.
   */
  private JsonObject health(Row r) {
    long total = r.getLong("total");
    long failed = r.getLong("failed");
    double rate = total == 0 ? 1.0 : (double) (total - failed) / total;
    String condition = DatabaseCondition.of(vertx).current();
    JsonArray refusing = Refusals.ongoing(vertx);
    boolean healthy = rate >= 0.95 && condition == null && !Refusals.refusingOwnFault(refusing);
    return new JsonObject()
      .put("status", healthy ? "healthy" : "degraded")
      .put("success_rate", Math.round(rate * 10_000) / 10_000.0)
      .put("total_events_last_hour", total)
      .put("failed_events_last_hour", failed)
      .put("last_event_at", JsonDates.iso(r.getOffsetDateTime("last_event_at")))
      .put("database", condition == null ? "up" : condition)
      .put("refusing", refusing);
  }
}
