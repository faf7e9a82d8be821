package dev.hookyard.gateway.ingest;

import dev.hookyard.common.logging.FailureCause;
import dev.hookyard.common.logging.LogContext;
import dev.hookyard.common.metrics.HookyardMetrics;
import dev.hookyard.common.queue.IngestFirst;
import dev.hookyard.gateway.http.ApiErrors;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.regex.Pattern;

/**
 * The answer to a delivery once the store has spoken: {@code 202} for a stored one,
 * {@code 200 duplicate} for an id already stored, {@code 400} when PostgreSQL refused this
 * delivery's own values, {@code 503} when it could not be stored.
 */
final class Acknowledgement {

  private static final Logger log = LoggerFactory.getLogger(Acknowledgement.class);

  /** Delivery ids hookyard accepts: GitHub's GUIDs, and the prefixed ids of alerts. */
  static final Pattern DELIVERY_ID = Pattern.compile("[A-Za-z0-9._:-]{1,128}");

  static void answer(RoutingContext ctx, Future<DeliveryStore.Result> stored, String deliveryId, String event, long started) {
    // The store answers on a later callback: the delivery's log fields go with each.
    stored
      .onSuccess(LogContext.delivery(deliveryId, event, result -> {
        if (result == DeliveryStore.Result.DUPLICATE) {
          HookyardMetrics.deliveryDuplicate();
          log.debug("Delivery {} ({}) already stored", deliveryId, event);
          ApiErrors.json(ctx, 200, new JsonObject().put("delivery_id", deliveryId).put("duplicate", true));
        } else {
          HookyardMetrics.deliveryReceived(event);
          log.debug("Delivery {} ({}) stored", deliveryId, event);
          ctx.response().setStatusCode(202).putHeader("Content-Type", "application/json")
            .end("{\"delivery_id\":\"" + deliveryId + "\",\"event\":\"" + event + "\",\"status\":\"queued\"}");
        }
        long took = System.nanoTime() - started;
        HookyardMetrics.ackLatency(took);
        IngestFirst.of(ctx.vertx()).acknowledged(took);
      }))
      .onFailure(LogContext.delivery(deliveryId, event, err -> {
        FailureCause cause = Refusals.fromStore(err);
        if (err instanceof DeliveryStore.Unstorable refused) {
          Refusals.reject(ctx, 400, "unstorable", "the delivery could not be stored: " + refused.getMessage(), cause, deliveryId, event);
          return;
        }
        ctx.response().putHeader("Retry-After", "5");
        Refusals.reject(ctx, 503, "unavailable", "the delivery could not be stored; retry later", cause, deliveryId, event);
      }));
  }

  private Acknowledgement() {
  }
}
