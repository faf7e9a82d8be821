package dev.hookyard.gateway.http;

import dev.hookyard.common.logging.FailureCause;
import dev.hookyard.common.logging.RepeatedFailures;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.event.Level;

/** Every error answer has the same shape: {@code {"error":"<code>","message":"<human text>"}}. */
public final class ApiErrors {

  private static final Logger log = LoggerFactory.getLogger(ApiErrors.class);

  public static void send(RoutingContext ctx, int status, String code, String message) {
    if (ctx.response().ended()) {
      return;
    }
    ctx.response()
      .setStatusCode(status)
      .putHeader("Content-Type", "application/json")
      .end(new JsonObject().put("error", code).put("message", message).encode());
  }

  public static void json(RoutingContext ctx, int status, Object body) {
    ctx.response()
      .setStatusCode(status)
      .putHeader("Content-Type", "application/json")
      .end(body instanceof JsonObject o ? o.encode() : io.vertx.core.json.Json.encode(body));
  }

  /**
   * A failed admin write: a unique-constraint violation (SQL state 23505) is the
   * caller's conflict, anything else means the database is not answering.
   */
  public static void conflictOrUnavailable(RoutingContext ctx, Throwable err, String conflict) {
    if (err instanceof io.vertx.pgclient.PgException pg && "23505".equals(pg.getSqlState())) {
      send(ctx, 409, "conflict", conflict);
    } else {
      unavailable(ctx, err);
    }
  }

  /**
   * The database did not answer: {@code 503} with {@code Retry-After}, logged by cause
   * (an outage would otherwise write a line per request, health probes included).
   */
  public static void unavailable(RoutingContext ctx, Throwable err) {
    String request = ctx.request().method() + " " + ctx.request().path();
    FailureCause cause = FailureCause.ofDatabase(err);
    RepeatedFailures.of(ctx.vertx(), log, Level.WARN, "requests answered 503")
      .record(cause, request, () -> "Request " + request + " answered 503: " + cause.text());
    ctx.response().putHeader("Retry-After", "5");
    send(ctx, 503, "unavailable", "the database did not answer; retry later");
  }

  private ApiErrors() {
  }
}
