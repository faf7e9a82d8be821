package dev.hookyard.gateway.board;

import dev.hookyard.common.board.BoardEvents;
import dev.hookyard.common.board.IssueStatus;
import dev.hookyard.gateway.http.AdminAuth;
import dev.hookyard.gateway.http.ApiErrors;
import dev.hookyard.gateway.http.QueryParams;
import dev.hookyard.gateway.http.Workspaces;
import io.vertx.core.Future;
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

import static dev.hookyard.common.JsonDates.iso;

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
    router.get("/api/v1/workspaces/:ws/board/issues/:identifier").handler(access.guard()).handler(this::issue);
    router.get("/api/v1/workspaces/:ws/board/history").handler(access.guard()).handler(this::history);
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
    }).onFailure(err -> ApiErrors.failed(ctx, err));
  }

  /**
   * {@code {workspace,name,issue_prefix,columns:[{status,issues:[card]}]}}: the columns in
   * status order, each card most urgent first, then most recently changed.
   */
  private void columns(RoutingContext ctx) {
    String slug = ctx.pathParam("ws");
    pool.preparedQuery(BoardQueries.WORKSPACE).execute(Tuple.of(slug)).compose(found -> {
      if (found.size() == 0) {
        return Future.succeededFuture((JsonObject) null);
      }
      Row ws = found.iterator().next();
      return pool.preparedQuery(BoardQueries.COLUMNS)
        .execute(Tuple.tuple().addLong(ws.getLong("id")).addArrayOfString(IssueStatus.PRIORITIES.toArray(new String[0])))
        .map(rows -> {
          Map<String, JsonArray> byStatus = new LinkedHashMap<>();
          IssueStatus.ORDER.forEach(s -> byStatus.put(s, new JsonArray()));
          for (Row r : rows) {
            byStatus.get(r.getString("status")).add(card(r));
          }
          JsonArray columns = new JsonArray();
          byStatus.forEach((status, issues) -> columns.add(new JsonObject().put("status", status).put("issues", issues)));
          return new JsonObject().put("workspace", slug).put("name", ws.getString("name"))
            .put("issue_prefix", ws.getString("issue_prefix")).put("columns", columns);
        });
    }).onSuccess(board -> {
      if (board == null) {
        Workspaces.notFound(ctx, slug);
      } else {
        ApiErrors.json(ctx, 200, board);
      }
    }).onFailure(err -> ApiErrors.failed(ctx, err));
  }

  /** One card: the issue, its linked PRs, and the state of its latest fix attempt (null: none). */
  private static JsonObject card(Row r) {
    Object prs = r.getValue("prs");
    JsonObject fix = r.getString("fix_status") == null ? null : new JsonObject()
      .put("status", r.getString("fix_status")).put("pr_number", r.getInteger("fix_pr_number"))
      .put("deployed_at", iso(r.getOffsetDateTime("fix_deployed_at")))
      .put("verification_deadline", iso(r.getOffsetDateTime("fix_deadline")))
      .put("verified_at", iso(r.getOffsetDateTime("fix_verified_at")))
      .put("failed_at", iso(r.getOffsetDateTime("fix_failed_at")))
      .put("failure_reason", r.getString("fix_failure_reason"));
    return new JsonObject().put("identifier", r.getString("identifier"))
      .put("title", r.getString("title")).put("status", r.getString("status")).put("priority", r.getString("priority"))
      .put("labels", new JsonArray(Arrays.asList((Object[]) r.getArrayOfStrings("labels"))))
      .put("error_source", r.getString("error_source"))
      .put("updated_at", iso(r.getOffsetDateTime("updated_at")))
      .put("prs", prs instanceof JsonArray a ? a : new JsonArray())
      .put("fix", fix);
  }

  /** One issue as the admin API shows it, for a board token too (read-only): the card's detail view. */
  private void issue(RoutingContext ctx) {
    String slug = ctx.pathParam("ws");
    String identifier = ctx.pathParam("identifier");
    IssueView.read(pool, slug, identifier).onSuccess(issue -> {
      if (issue == null) {
        ApiErrors.send(ctx, 404, "not_found", "workspace " + slug + " has no issue " + identifier);
      } else {
        ApiErrors.json(ctx, 200, issue);
      }
    }).onFailure(err -> ApiErrors.failed(ctx, err));
  }

  /** The workspace's latest board messages, newest first ({@code ?limit=}, 1–200, default 20): the live panel on load. */
  private void history(RoutingContext ctx) {
    String slug = ctx.pathParam("ws");
    Integer limit = QueryParams.intParam(ctx, "limit", 20, 1, 200);
    if (limit == null) {
      return;
    }
    Workspaces.id(pool, slug).compose(ws -> ws == null ? Future.succeededFuture((JsonArray) null)
        : pool.preparedQuery(BoardQueries.HISTORY_RECENT).execute(Tuple.of(slug, limit)).map(rows -> {
          JsonArray out = new JsonArray();
          rows.forEach(r -> out.add(BoardEvents.message(r)));
          return out;
        }))
      .onSuccess(messages -> {
        if (messages == null) {
          Workspaces.notFound(ctx, slug);
        } else {
          ApiErrors.json(ctx, 200, messages);
        }
      }).onFailure(err -> ApiErrors.failed(ctx, err));
  }
}
