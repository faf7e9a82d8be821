package dev.hookyard.gateway.board;

import dev.hookyard.gateway.http.ApiErrors;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.json.JsonObject;
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

  /** What a token may do on a workspace's board; {@code reason} is the 401's {@code reason} field. */
  enum Verdict {
    ALLOWED(null), MISSING("missing_token"), INVALID("invalid_token"), OTHER_WORKSPACE("other_workspace");

    final String reason;

    Verdict(String reason) {
      this.reason = reason;
    }
  }

  /** A verdict, and for {@link Verdict#OTHER_WORKSPACE} the workspace the token belongs to. */
  record Check(Verdict verdict, String tokenWorkspace) {
  }

  private final Pool pool;
  private final byte[] admin;

  BoardAccess(Pool pool, String adminToken) {
    this.pool = pool;
    this.admin = adminToken.getBytes(StandardCharsets.UTF_8);
  }

  /** Whether {@code token} may read {@code workspace}'s board. */
  Future<Boolean> allows(String token, String workspace) {
    return check(token, workspace).map(c -> c.verdict() == Verdict.ALLOWED);
  }

  /** Whether {@code token} may read {@code workspace}'s board, and if not, why. */
  Future<Check> check(String token, String workspace) {
    if (token == null || token.isEmpty() || workspace == null) {
      return Future.succeededFuture(new Check(Verdict.MISSING, null));
    }
    if (MessageDigest.isEqual(admin, token.getBytes(StandardCharsets.UTF_8))) {
      return Future.succeededFuture(new Check(Verdict.ALLOWED, null));
    }
    return pool.preparedQuery(BoardQueries.TOKEN_WORKSPACE).execute(Tuple.of(sha256(token))).map(rows -> {
      if (rows.size() == 0) {
        return new Check(Verdict.INVALID, null);
      }
      String owner = rows.iterator().next().getString("slug");
      return owner.equals(workspace) ? new Check(Verdict.ALLOWED, owner) : new Check(Verdict.OTHER_WORKSPACE, owner);
    });
  }

  /**
   * A route guard for {@code :ws}: 401 without a token valid for it, saying which of
   * missing, not valid, or another workspace's it was (the page shows it) and how to get one.
   */
  Handler<RoutingContext> guard() {
    return ctx -> {
      String ws = ctx.pathParam("ws");
      check(tokenOf(ctx), ws).onComplete(ar -> {
        if (ar.failed()) {
          ApiErrors.failed(ctx, ar.cause());
        } else if (ar.result().verdict() == Verdict.ALLOWED) {
          ctx.next();
        } else {
          ctx.response().putHeader("WWW-Authenticate", "Bearer");
          ApiErrors.json(ctx, 401, new JsonObject().put("error", "unauthorized").put("reason", ar.result().verdict().reason)
            .put("message", refusal(ar.result(), ws)));
        }
      });
    };
  }

  static String refusal(Check check, String ws) {
    String how = "the admin token can make one: POST /api/v1/workspaces/" + ws + "/board-tokens";
    return switch (check.verdict()) {
      case MISSING -> "this board needs a token (?token=…): the admin token or a board token of workspace " + ws + "; " + how;
      case INVALID -> "this token is not valid: mistyped, cut short, or from a data dir that was reset; " + how;
      case OTHER_WORKSPACE -> "this board token belongs to workspace " + check.tokenWorkspace() + ", not " + ws + "; " + how;
      case ALLOWED -> "allowed";
    };
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
