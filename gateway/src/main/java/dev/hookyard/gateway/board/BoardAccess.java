package dev.hookyard.gateway.board;

import dev.hookyard.gateway.http.ApiErrors;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * Who may watch a workspace's board: the admin token, or a read-only board token of
 * that workspace (only its SHA-256 is stored). Tokens come as
 * {@code Authorization: Bearer …} or {@code ?token=} (browsers' EventSource and SockJS
 * cannot set headers).
 */
final class BoardAccess {

  private final Pool pool;
  private final byte[] admin;

  BoardAccess(Pool pool, String adminToken) {
    this.pool = pool;
    this.admin = adminToken.getBytes(StandardCharsets.UTF_8);
  }

  /** Whether {@code token} may read {@code workspace}'s board. */
  Future<Boolean> allows(String token, String workspace) {
    if (token == null || token.isEmpty() || workspace == null) {
      return Future.succeededFuture(false);
    }
    if (MessageDigest.isEqual(admin, token.getBytes(StandardCharsets.UTF_8))) {
      return Future.succeededFuture(true);
    }
    return pool.preparedQuery(BoardQueries.TOKEN_VALID).execute(Tuple.of(workspace, sha256(token)))
      .map(rows -> rows.size() == 1);
  }

  /** A route guard for {@code :ws}: 401 without a token valid for it. */
  Handler<RoutingContext> guard() {
    return ctx -> allows(tokenOf(ctx), ctx.pathParam("ws")).onComplete(ar -> {
      if (ar.succeeded() && ar.result()) {
        ctx.next();
      } else if (ar.failed()) {
        ApiErrors.unavailable(ctx, ar.cause());
      } else {
        ctx.response().putHeader("WWW-Authenticate", "Bearer");
        ApiErrors.send(ctx, 401, "unauthorized", "the admin token or a board token of workspace " + ctx.pathParam("ws")
          + " is required");
      }
    });
  }

  static String tokenOf(RoutingContext ctx) {
    String header = ctx.request().getHeader("Authorization");
    if (header != null && header.regionMatches(true, 0, "Bearer ", 0, 7)) {
      return header.substring(7).trim();
    }
    return ctx.request().getParam("token");
  }

  static byte[] sha256(String token) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 unavailable", e);
    }
  }
}
