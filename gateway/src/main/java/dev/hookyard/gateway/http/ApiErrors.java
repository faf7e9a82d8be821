package dev.hookyard.gateway.http;

import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

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

  /** The database did not answer: {@code 503} with {@code Retry-After}, and one log line. */
  public static void unavailable(RoutingContext ctx, Throwable err) {
    log.warn("Request {} {} failed: {}", ctx.request().method(), ctx.request().path(), err.toString());
    ctx.response().putHeader("Retry-After", "5");
    send(ctx, 503, "unavailable", "the database did not answer; retry later");
  }

  private ApiErrors() {
  }
}
