package dev.hookyard.gateway.http;

import dev.hookyard.common.db.DatabaseFailures;
import dev.hookyard.common.logging.FailureCause;
import dev.hookyard.common.logging.LogContext;
import dev.hookyard.common.logging.RepeatedFailures;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.event.Level;

import java.util.concurrent.ThreadLocalRandom;

/** Every error answer has the same shape: {@code {"error":"<code>","message":"<human text>"}}. */
public final class ApiErrors {

  private static final Logger log = LoggerFactory.getLogger(ApiErrors.class);
  private static final String DELIVERIES = "/api/v1/deliveries/";

  public static void send(RoutingContext ctx, int status, String code, String message) {
    if (ctx.response().ended()) {
      return;
    }
    ctx.response()
      .setStatusCode(status)
      .putHeader("Content-Type", "application/json")
      .end(new JsonObject().put("error", code).put("message", message).encode());
  }

  /** {@code 404 not_found}: "no " + {@code what} (a repository, a workspace … by its name). */
  public static void notFound(RoutingContext ctx, String what) {
    send(ctx, 404, "not_found", "no " + what);
  }

  public static void json(RoutingContext ctx, int status, Object body) {
    ctx.response()
      .setStatusCode(status)
      .putHeader("Content-Type", "application/json")
      .end(body instanceof JsonObject o ? o.encode() : io.vertx.core.json.Json.encode(body));
  }

  /**
   * A failed admin write: a unique-constraint violation (SQL state 23505) is the
   * caller's conflict, anything else is answered as {@link #failed}.
   */
  public static void conflictOrFailed(RoutingContext ctx, Throwable err, String conflict) {
    if (err instanceof io.vertx.pgclient.PgException pg && "23505".equals(pg.getSqlState())) {
      send(ctx, 409, "conflict", conflict);
    } else {
      failed(ctx, err);
    }
  }

  /**
   * A request whose work failed, answered by what failed: the database unreachable or
   * unable to serve ({@link DatabaseFailures#unreachable}) is {@link #unavailable};
   * anything else is a fault inside hookyard, {@link #internal}.
   */
  public static void failed(RoutingContext ctx, Throwable err) {
    if (DatabaseFailures.unreachable(err)) {
      unavailable(ctx, err);
    } else {
      internal(ctx, err);
    }
  }

  /**
   * The database did not answer: {@code 503} with {@code Retry-After}, logged by cause
   * (an outage would otherwise write a line per request, health probes included).
   */
  private static void unavailable(RoutingContext ctx, Throwable err) {
    String request = ctx.request().method() + " " + ctx.request().path();
    FailureCause cause = FailureCause.ofDatabase(err);
    RepeatedFailures.of(ctx.vertx(), log, Level.WARN, "requests answered 503")
      .record(cause, request, () -> "Request " + request + " answered 503: " + cause.text());
    ctx.response().putHeader("Retry-After", "5");
    send(ctx, 503, "unavailable", "the database did not answer; retry later");
  }

  /**
   * A fault inside hookyard (a bug, not the caller's and not the database's):
   * {@code 500 internal}, logged once with its stack, the request's id (also in the
   * answer, so a report can be matched to the line) and the delivery it concerns.
   */
  public static void internal(RoutingContext ctx, Throwable err) {
    String requestId = Long.toHexString(ThreadLocalRandom.current().nextLong() >>> 1);
    String path = ctx.request().path();
    String deliveryId = path != null && path.startsWith(DELIVERIES) ? ctx.pathParam("id") : null;
    try (LogContext.Scope fields = LogContext.request(requestId, deliveryId)) {
      log.error("Request {} {} failed inside hookyard (request {})", ctx.request().method(), path, requestId, err);
    }
    send(ctx, 500, "internal", "the request failed inside hookyard (request " + requestId + ")");
  }

  private ApiErrors() {
  }
}
