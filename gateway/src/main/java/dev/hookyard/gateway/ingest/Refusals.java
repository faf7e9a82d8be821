package dev.hookyard.gateway.ingest;

import dev.hookyard.common.JsonDates;
import dev.hookyard.common.logging.FailureCause;
import dev.hookyard.common.logging.LogContext;
import dev.hookyard.common.logging.RepeatedFailures;
import dev.hookyard.common.metrics.HookyardMetrics;
import dev.hookyard.gateway.http.ApiErrors;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.event.Level;

import java.time.ZoneOffset;
import java.util.List;
import java.util.Set;

/**
 * Every webhook request answered with anything but a 2xx: counted by reason in
 * {@code hookyard_webhook_refused_total{reason}}, logged by cause (the first at once,
 * then one line per cause per interval: {@link RepeatedFailures}), and named on
 * {@code /webhooks/github/health} while the cause lasts.
 */
final class Refusals {

  private static final Logger log = LoggerFactory.getLogger(Refusals.class);
  /** How long a refused connection stays open, unread, before it is closed. */
  private static final long LINGER_MS = 250;

  static final String BAD_SIGNATURE = "bad_signature";
  static final String BAD_HEADER = "bad_header";
  static final String UNSUPPORTED_MEDIA_TYPE = "unsupported_media_type";
  static final String TOO_LARGE = "too_large";
  static final String BODY_TIMEOUT = "body_timeout";
  static final String INVALID_BODY = "invalid_body";
  static final String UNSTORABLE = "unstorable";
  static final String OVER_CAPACITY = "over_capacity";
  static final String FORBIDDEN_SOURCE = "forbidden_source";
  static final String SOURCES_UNKNOWN = "sources_unknown";

  /** Every reason the counter can carry; each is registered at zero, so a rate over it exists before the first refusal. */
  static final List<String> REASONS = List.of(FailureCause.DISK_FULL, FailureCause.DATABASE_UNAVAILABLE,
    FailureCause.DATABASE_TIMEOUT, FailureCause.DATABASE_OUT_OF_MEMORY, FailureCause.DATABASE_OUT_OF_CONNECTIONS,
    FailureCause.DATABASE_READ_ONLY, FailureCause.DATABASE_ERROR, OVER_CAPACITY, SOURCES_UNKNOWN, FailureCause.ERROR,
    BAD_SIGNATURE, BAD_HEADER, UNSUPPORTED_MEDIA_TYPE, TOO_LARGE, BODY_TIMEOUT, INVALID_BODY, UNSTORABLE, FORBIDDEN_SOURCE);

  /** Reasons that are the sender's doing: they never make the endpoint's health degraded. */
  private static final Set<String> SENDERS = Set.of(BAD_SIGNATURE, BAD_HEADER, UNSUPPORTED_MEDIA_TYPE, TOO_LARGE, BODY_TIMEOUT,
    INVALID_BODY, UNSTORABLE, FORBIDDEN_SOURCE);

  /** The cause of a refusal decided before anything was stored, from its answer's error code and message. */
  static FailureCause beforeStore(String code, String message) {
    return switch (code) {
      case "missing_signature", "invalid_signature", "unauthorized" -> FailureCause.keyed(BAD_SIGNATURE, message);
      case "missing_header", "invalid_header" -> FailureCause.keyed(BAD_HEADER, message);
      case "payload_too_large" -> FailureCause.of(TOO_LARGE, message);
      case "request_timeout" -> FailureCause.of(BODY_TIMEOUT, message);
      case "over_capacity" -> new FailureCause(OVER_CAPACITY, OVER_CAPACITY + ":bodies", message, null);
      case "unavailable" -> FailureCause.of(SOURCES_UNKNOWN, message);
      case "invalid_body" -> FailureCause.of(INVALID_BODY, message);
      default -> FailureCause.keyed(code, message);
    };
  }

  /** The cause of a delivery the store did not take. */
  static FailureCause fromStore(Throwable err) {
    if (err instanceof DeliveryStore.Unstorable refused) {
      return FailureCause.keyed(UNSTORABLE, refused.getMessage());
    }
    if (err instanceof DeliveryStore.Overloaded) {
      return new FailureCause(OVER_CAPACITY, OVER_CAPACITY + ":waiting", err.getMessage(), null);
    }
    return FailureCause.ofDatabase(err);
  }

  /**
   * Counts and logs one refusal. {@code deliveryId} and {@code event} are the request's
   * once checked (null before: a malformed header is never written to the log).
   */
  static void refused(RoutingContext ctx, int status, FailureCause cause, String deliveryId, String event) {
    HookyardMetrics.deliveryRefused(cause.reason());
    String example = deliveryId != null ? deliveryId : "a request from " + remote(ctx);
    try (LogContext.Scope fields = LogContext.delivery(deliveryId, event)) {
      refusals(ctx.vertx()).record(cause, example, () ->
        (deliveryId != null ? "Delivery " + deliveryId + " (" + event + ")" : "A delivery from " + remote(ctx))
          + " refused with " + status + ": " + cause.text());
    }
  }

  private static String remote(RoutingContext ctx) {
    return ctx.request().remoteAddress() == null ? "an unknown address" : ctx.request().remoteAddress().hostAddress();
  }

  private static RepeatedFailures refusals(Vertx vertx) {
    return RepeatedFailures.of(vertx, log, Level.WARN, "deliveries refused");
  }

  /** The causes of refusals within the last interval, for the health answer. */
  static JsonArray ongoing(Vertx vertx) {
    JsonArray causes = new JsonArray();
    for (RepeatedFailures.Ongoing o : refusals(vertx).ongoing()) {
      causes.add(new JsonObject()
        .put("reason", o.cause().reason())
        .put("cause", o.cause().text())
        .put("since", JsonDates.iso(o.since().atOffset(ZoneOffset.UTC)))
        .put("last_at", JsonDates.iso(o.last().atOffset(ZoneOffset.UTC)))
        .put("count", o.count()));
    }
    return causes;
  }

  /** Whether deliveries are being refused for a cause of hookyard's or its database's (not the senders'). */
  static boolean refusingOwnFault(JsonArray ongoing) {
    for (Object o : ongoing) {
      if (!SENDERS.contains(((JsonObject) o).getString("reason"))) {
        return true;
      }
    }
    return false;
  }

  private Refusals() {
  }

  /**
   * Refuses a request whose body is not (or no longer) read: reading stops, the answer
   * is sent, and the connection is closed a moment later, so the rest of the body is
   * never drained. The moment lets the answer reach a client that is still sending: a
   * socket closed with unread bytes is reset, and a reset can overtake the answer.
   */
  static void refuseEarly(RoutingContext ctx, int status, String code, String message) {
    HookyardMetrics.deliveryRejected(code);
    refused(ctx, status, beforeStore(code, message), null, null);
    HttpServerResponse response = ctx.response();
    if (response.ended() || response.closed()) {
      return;
    }
    ctx.request().pause();
    response.setStatusCode(status)
      .putHeader("Content-Type", "application/json")
      .putHeader("Connection", "close")
      .end(new JsonObject().put("error", code).put("message", message).encode())
      .onComplete(ar -> ctx.vertx().setTimer(LINGER_MS, t -> ctx.request().connection().close()));
  }

  /** Refuses a delivery whose body was read, its id and event checked. */
  static void reject(RoutingContext ctx, int status, String code, String message, String deliveryId, String event) {
    reject(ctx, status, code, message, beforeStore(code, message), deliveryId, event);
  }

  static void reject(RoutingContext ctx, int status, String code, String message, FailureCause cause, String deliveryId,
                     String event) {
    HookyardMetrics.deliveryRejected(code);
    refused(ctx, status, cause, deliveryId, event);
    ApiErrors.send(ctx, status, code, message);
  }
}
