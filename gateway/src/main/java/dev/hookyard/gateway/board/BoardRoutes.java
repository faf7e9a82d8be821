package dev.hookyard.gateway.board;

import dev.hookyard.common.board.IssueStatus;
import dev.hookyard.gateway.http.AdminAuth;
import dev.hookyard.gateway.http.ApiErrors;
import dev.hookyard.gateway.http.Workspaces;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.StaticHandler;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;

import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The live board: the issues API, board tokens, the columns, Server-Sent Events, the
 * SockJS event-bus bridge and the board page with its scripts (all served from the jar).
 */
public final class BoardRoutes {

  private static final SecureRandom RANDOM = new SecureRandom();

  private final Vertx vertx;
  private final Pool pool;
  private final BoardAccess access;

  public BoardRoutes(Vertx vertx, Pool pool, String adminToken) {
    this.vertx = vertx;
    this.pool = pool;
    this.access = new BoardAccess(pool, adminToken);
  }

  /** Mounts every board route; {@code /api/v1/*} bodies are read by the caller's body handler. */
  public void mount(Router router, AdminAuth auth) {
    new IssueApi(vertx, pool).mount(router, auth);
    router.post("/api/v1/workspaces/:ws/board-tokens").handler(auth).handler(this::createToken);
    router.get("/api/v1/workspaces/:ws/board").handler(access.guard()).handler(this::columns);
    router.get("/api/v1/workspaces/:ws/board/events").handler(access.guard()).handler(new BoardEventStream(vertx, pool)::handle);
    router.route("/eventbus/*").subRouter(BoardBridge.router(vertx, access));
    router.get("/board/assets/sockjs/*").handler(StaticHandler.create("META-INF/resources/webjars/sockjs-client/1.6.1/dist")
      .setCachingEnabled(true));
    router.get("/board/assets/*").handler(StaticHandler.create("board").setCachingEnabled(true));
    router.get("/board/:ws").handler(ctx -> ctx.response().putHeader("Content-Type", "text/html; charset=utf-8")
      .sendFile("board/index.html"));
  }

  private void createToken(RoutingContext ctx) {
    String slug = ctx.pathParam("ws");
    byte[] raw = new byte[32];
    RANDOM.nextBytes(raw);
    String token = "hyb_" + Base64.getUrlEncoder().withoutPadding().encodeToString(raw);
    pool.preparedQuery(BoardQueries.CREATE_TOKEN).execute(Tuple.of(slug, BoardAccess.sha256(token))).onSuccess(rows -> {
      if (rows.size() == 0) {
        Workspaces.notFound(ctx, slug);
      } else {
        ApiErrors.json(ctx, 201, new JsonObject().put("token", token).put("workspace", slug)
          .put("created_at", rows.iterator().next().getOffsetDateTime("created_at").toInstant().toString()));
      }
    }).onFailure(err -> ApiErrors.unavailable(ctx, err));
  }

  private void columns(RoutingContext ctx) {
    String slug = ctx.pathParam("ws");
    Workspaces.id(pool, slug).compose(ws -> ws == null ? io.vertx.core.Future.succeededFuture((JsonObject) null)
        : pool.preparedQuery(BoardQueries.COLUMNS).execute(Tuple.of(slug)).map(rows -> {
          Map<String, JsonArray> byStatus = new LinkedHashMap<>();
          IssueStatus.ORDER.forEach(s -> byStatus.put(s, new JsonArray()));
          for (Row r : rows) {
            byStatus.get(r.getString("status")).add(new JsonObject().put("identifier", r.getString("identifier"))
              .put("title", r.getString("title")).put("status", r.getString("status")).put("priority", r.getString("priority"))
              .put("labels", new JsonArray(Arrays.asList((Object[]) r.getArrayOfStrings("labels"))))
              .put("error_source", r.getString("error_source")));
          }
          JsonArray columns = new JsonArray();
          byStatus.forEach((status, issues) -> columns.add(new JsonObject().put("status", status).put("issues", issues)));
          return new JsonObject().put("workspace", slug).put("columns", columns);
        }))
      .onSuccess(board -> {
        if (board == null) {
          Workspaces.notFound(ctx, slug);
        } else {
          ApiErrors.json(ctx, 200, board);
        }
      }).onFailure(err -> ApiErrors.unavailable(ctx, err));
  }
}
