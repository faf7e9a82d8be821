package dev.hookyard.gateway;

import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

/** {@code Authorization: Bearer <admin token>}, compared in constant time; 401 otherwise. */
final class AdminAuth implements Handler<RoutingContext> {

  private final byte[] token;

  AdminAuth(String token) {
    this.token = ("Bearer " + token).getBytes(StandardCharsets.UTF_8);
  }

  @Override
  public void handle(RoutingContext ctx) {
    String header = ctx.request().getHeader("Authorization");
    if (header != null && MessageDigest.isEqual(token, header.trim().getBytes(StandardCharsets.UTF_8))) {
      ctx.next();
    } else {
      ctx.response().putHeader("WWW-Authenticate", "Bearer");
      ApiErrors.send(ctx, 401, "unauthorized", "a valid admin bearer token is required");
    }
  }
}
