package dev.hookyard.gateway;

import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

/** Every error answer has the same shape: {@code {"error":"<code>","message":"<human text>"}}. */
final class ApiErrors {

  static void send(RoutingContext ctx, int status, String code, String message) {
    if (ctx.response().ended()) {
      return;
    }
    ctx.response()
      .setStatusCode(status)
      .putHeader("Content-Type", "application/json")
      .end(new JsonObject().put("error", code).put("message", message).encode());
  }

  static void json(RoutingContext ctx, int status, Object body) {
    ctx.response()
      .setStatusCode(status)
      .putHeader("Content-Type", "application/json")
      .end(body instanceof JsonObject o ? o.encode() : io.vertx.core.json.Json.encode(body));
  }

  /**
   * A failed admin write: a unique-constraint violation (SQL state 23505) is the
   * caller's conflict, anything else means the database is not answering.
   */
  static void conflictOrUnavailable(RoutingContext ctx, Throwable err, String conflict) {
    if (err instanceof io.vertx.pgclient.PgException pg && "23505".equals(pg.getSqlState())) {
      send(ctx, 409, "conflict", conflict);
    } else {
      DeliveryApi.unavailable(ctx, err);
    }
  }

  private ApiErrors() {
  }
}
