package dev.hookyard.gateway.http;

import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;

/** {@code Authorization: Bearer <admin token>}, compared in constant time; 401 otherwise. */
public final class AdminAuth implements Handler<RoutingContext> {

  private final BearerToken token;

  public AdminAuth(String token) {
    this.token = new BearerToken(token);
  }

  @Override
  public void handle(RoutingContext ctx) {
    if (token.matches(ctx.request().getHeader("Authorization"))) {
      ctx.next();
    } else {
      ctx.response().putHeader("WWW-Authenticate", "Bearer");
      ApiErrors.send(ctx, 401, "unauthorized", "a valid admin bearer token is required");
    }
  }
}
