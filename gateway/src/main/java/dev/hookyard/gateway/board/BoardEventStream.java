package dev.hookyard.gateway.board;

import dev.hookyard.common.Addresses;
import dev.hookyard.common.board.BoardEvents;
import dev.hookyard.gateway.http.ApiErrors;
import dev.hookyard.gateway.http.Workspaces;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code GET …/board/events}: the board's messages as Server-Sent Events. The live
 * consumer is registered first; with {@code Last-Event-ID} the history after that id is
 * replayed from the database, then live messages follow, none twice (by id).
 */
final class BoardEventStream {

  private static final int PAGE = 500;
  private static final long HEARTBEAT_MS = 15_000;

  private final Vertx vertx;
  private final Pool pool;

  BoardEventStream(Vertx vertx, Pool pool) {
    this.vertx = vertx;
    this.pool = pool;
  }

  void handle(RoutingContext ctx) {
    String slug = ctx.pathParam("ws");
    Long after = lastEventId(ctx);
    if (after != null && after < 0) {
      ApiErrors.send(ctx, 400, "bad_request", "Last-Event-ID must be a message id");
      return;
    }
    Workspaces.id(pool, slug).onComplete(ar -> {
      if (ar.failed()) {
        ApiErrors.failed(ctx, ar.cause());
      } else if (ar.result() == null) {
        Workspaces.notFound(ctx, slug);
      } else {
        new Stream(ctx, slug, ar.result(), after).open();
      }
    });
  }

  /** One client's stream. */
  private final class Stream {
    private final RoutingContext ctx;
    private final HttpServerResponse res;
    private final String slug;
    private final long workspaceId;
    private final List<JsonObject> held = new ArrayList<>();
    // Ids already sent. Transactions commit out of id order, so a later id can arrive
    // first: the ids themselves are remembered, not just the highest.
    private final Set<Long> sent = Collections.newSetFromMap(new LinkedHashMap<>() {
      @Override
      protected boolean removeEldestEntry(Map.Entry<Long, Boolean> eldest) {
        return size() > 10_000;
      }
    });
    private final long after;
    private boolean replaying;
    private boolean closed;
    private MessageConsumer<JsonObject> consumer;
    private long heartbeat = -1;

    Stream(RoutingContext ctx, String slug, long workspaceId, Long after) {
      this.ctx = ctx;
      this.res = ctx.response();
      this.slug = slug;
      this.workspaceId = workspaceId;
      this.after = after == null ? -1 : after;
      this.replaying = after != null;
    }

    void open() {
      res.setChunked(true).putHeader("Content-Type", "text/event-stream").putHeader("Cache-Control", "no-cache")
        .putHeader("X-Accel-Buffering", "no");
      res.write("retry: 2000\n: board " + slug + "\n\n");
      res.closeHandler(v -> close());
      res.exceptionHandler(err -> close());
      consumer = vertx.eventBus().consumer(Addresses.board(slug), m -> {
        if (replaying) {
          held.add(m.body());
        } else {
          send(m.body());
        }
      });
      heartbeat = vertx.setPeriodic(HEARTBEAT_MS, t -> {
        if (!closed) {
          res.write(": ping\n\n");
        }
      });
      consumer.completion().compose(v -> replaying ? replay() : Future.succeededFuture()).onComplete(ar -> {
        replaying = false;
        held.forEach(this::send);
        held.clear();
        if (ar.failed()) {
          close();
          res.reset();
        }
      });
    }

    /** Pages of history after the client's last id, until a short page. */
    private Future<Void> replay() {
      return replayFrom(after);
    }

    private Future<Void> replayFrom(long from) {
      return pool.preparedQuery(BoardQueries.HISTORY_SINCE).execute(Tuple.of(workspaceId, from, PAGE)).compose(rows -> {
        long last = from;
        for (var r : rows) {
          JsonObject m = BoardEvents.message(r);
          send(m);
          last = m.getLong("id");
        }
        return rows.size() < PAGE || closed ? Future.succeededFuture() : replayFrom(last);
      });
    }

    private void send(JsonObject message) {
      if (!closed && message.getValue("id") == null) {
        // Not from the history (a project's progress, say): live only, nothing to resume from.
        res.write("event: " + message.getString("type") + "\ndata: " + message.encode() + "\n\n");
        return;
      }
      long id = message.getLong("id", -1L);
      if (closed || id <= after || !sent.add(id)) {
        return;
      }
      res.write("id: " + id + "\nevent: " + message.getString("type") + "\ndata: " + message.encode() + "\n\n");
    }

    private void close() {
      if (closed) {
        return;
      }
      closed = true;
      vertx.cancelTimer(heartbeat);
      if (consumer != null) {
        consumer.unregister();
      }
    }
  }

  private static Long lastEventId(RoutingContext ctx) {
    String v = ctx.request().getHeader("Last-Event-ID");
    if (v == null || v.isBlank()) {
      v = ctx.request().getParam("last_event_id");
    }
    if (v == null || v.isBlank()) {
      return null;
    }
    try {
      return Long.parseLong(v.trim());
    } catch (NumberFormatException e) {
      return -1L;
    }
  }
}
