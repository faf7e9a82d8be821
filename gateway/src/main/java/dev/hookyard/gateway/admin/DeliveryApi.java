package dev.hookyard.gateway.admin;

import dev.hookyard.common.JsonDates;
import dev.hookyard.common.queue.Enqueue;
import dev.hookyard.gateway.http.ApiErrors;
import dev.hookyard.gateway.http.QueryParams;
import dev.hookyard.gateway.http.AdminAuth;
import dev.hookyard.common.Queues;
import dev.hookyard.common.queue.QueueAdmin;
import dev.hookyard.common.webhook.BodyCodec;
import dev.hookyard.common.webhook.GitHubSignature;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.Tuple;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.List;

import static dev.hookyard.common.JsonDates.iso;

/** Admin routes over deliveries and jobs: inspect, replay, dead letters, retry. */
final class DeliveryApi {

  private static final Logger log = LoggerFactory.getLogger(DeliveryApi.class);

  private final Vertx vertx;
  private final Pool pool;
  private final QueueAdmin queue;
  private final GitHubSignature signature;

  DeliveryApi(Vertx vertx, Pool pool, QueueAdmin queue, GitHubSignature signature) {
    this.vertx = vertx;
    this.pool = pool;
    this.queue = queue;
    this.signature = signature;
  }

  /** Mounts the routes; {@code auth} guards every one of them. */
  void mount(Router router, AdminAuth auth) {
    router.get("/webhooks/github/events").handler(auth).handler(this::list);
    router.get("/api/v1/deliveries/:id").handler(auth).handler(this::get);
    router.post("/api/v1/deliveries/:id/replay").handler(auth).handler(this::replay);
    router.get("/api/v1/jobs/stats").handler(auth).handler(this::stats);
    router.get("/api/v1/jobs/dead").handler(auth).handler(this::dead);
    router.post("/api/v1/jobs/:id/retry").handler(auth).handler(this::retry);
  }

  /** Statuses a delivery is listed by: its latest job's. */
  private static final List<String> LISTED_STATUSES = QueueAdmin.STATUSES;
  private static final OffsetDateTime EARLIEST = OffsetDateTime.of(1970, 1, 1, 0, 0, 0, 0, ZoneOffset.UTC);
  private static final OffsetDateTime LATEST = OffsetDateTime.of(9999, 1, 1, 0, 0, 0, 0, ZoneOffset.UTC);

  /**
   * Deliveries newest first, filtered, a page at a time: a full page answers the next
   * page's {@code cursor} in {@code X-Next-Cursor} and a {@code Link: rel="next"} header.
   */
  private void list(RoutingContext ctx) {
    Integer limit = QueryParams.intParam(ctx, "limit", 50, 1, 1000);
    String status = QueryParams.oneOf(ctx, "status", LISTED_STATUSES);
    OffsetDateTime since = QueryParams.time(ctx, "since");
    OffsetDateTime until = QueryParams.time(ctx, "until");
    Cursor after = Cursor.parse(ctx);
    if (limit == null || ctx.response().ended()) {
      return;
    }
    Tuple params = Tuple.of(since == null ? EARLIEST : since, until == null ? LATEST : until,
      QueryParams.optional(ctx, "event"), QueryParams.optional(ctx, "action"), QueryParams.optional(ctx, "repository"), status)
      .addOffsetDateTime(after == null ? LATEST : after.at()).addString(after == null ? "" : after.id()).addInteger(limit);
    pool.preparedQuery(DeliveryQueries.LIST)
      .execute(params)
      .onSuccess(rows -> {
        JsonArray out = new JsonArray();
        Row last = null;
        for (Row r : rows) {
          out.add(withJobState(new JsonObject()
            .put("delivery_id", r.getString("id"))
            .put("event", r.getString("event"))
            .put("action", r.getString("action"))
            .put("repository", r.getString("repository")), r)
            .put("received_at", iso(r.getOffsetDateTime("received_at"))));
          last = r;
        }
        if (rows.size() == limit) {
          String next = new Cursor(last.getOffsetDateTime("received_at"), last.getString("id")).encode();
          ctx.response().putHeader("X-Next-Cursor", next)
            .putHeader("Link", "<" + nextPage(ctx, next) + ">; rel=\"next\"");
        }
        ApiErrors.json(ctx, 200, out);
      })
      .onFailure(err -> ApiErrors.failed(ctx, err));
  }

  /** This request's path and query with {@code cursor} replaced. */
  private static String nextPage(RoutingContext ctx, String cursor) {
    StringBuilder uri = new StringBuilder(ctx.request().path()).append("?cursor=").append(cursor);
    ctx.queryParams().forEach((name, value) -> {
      if (!name.equals("cursor")) {
        uri.append('&').append(URLEncoder.encode(name, StandardCharsets.UTF_8)).append('=')
          .append(URLEncoder.encode(value, StandardCharsets.UTF_8));
      }
    });
    return uri.toString();
  }

  /** A keyset position in the newest-first listing: the last delivery of a page. Opaque to clients. */
  private record Cursor(OffsetDateTime at, String id) {

    String encode() {
      return Base64.getUrlEncoder().withoutPadding()
        .encodeToString((at.toInstant() + "|" + id).getBytes(StandardCharsets.UTF_8));
    }

    /** The request's {@code cursor}; null when absent, or once 400 is answered. */
    static Cursor parse(RoutingContext ctx) {
      String v = QueryParams.optional(ctx, "cursor");
      if (v == null) {
        return null;
      }
      try {
        String s = new String(Base64.getUrlDecoder().decode(v), StandardCharsets.UTF_8);
        int bar = s.indexOf('|');
        return new Cursor(Instant.parse(s.substring(0, bar)).atOffset(ZoneOffset.UTC), s.substring(bar + 1));
      } catch (RuntimeException e) {
        ApiErrors.send(ctx, 400, "bad_request", "cursor must be the X-Next-Cursor of an earlier page");
        return null;
      }
    }
  }

  /** Loads the delivery named in the path and hands it on; 404 when there is none. */
  private void withDelivery(RoutingContext ctx, java.util.function.Function<Row, Future<?>> then) {
    String id = ctx.pathParam("id");
    pool.preparedQuery(DeliveryQueries.GET).execute(Tuple.of(id)).compose(rows -> {
      if (rows.size() == 0) {
        ApiErrors.send(ctx, 404, "not_found", "no delivery " + id);
        return Future.succeededFuture();
      }
      return then.apply(rows.iterator().next());
    }).onFailure(err -> ApiErrors.failed(ctx, err));
  }

  /**
   * One delivery with its jobs (status, attempts, result, error) and the board changes
   * it caused; with {@code ?body=true}, the stored body itself, byte for byte as received,
   * under its content type and GitHub's headers.
   */
  private void get(RoutingContext ctx) {
    String bodyParam = QueryParams.oneOf(ctx, "body", List.of("true", "false"));
    if (ctx.response().ended()) {
      return;
    }
    boolean rawBody = "true".equals(bodyParam);
    withDelivery(ctx, d -> {
      String id = d.getString("id");
      Buffer body = BodyCodec.forThisThread().expand(d.getBuffer("body"));
      if (rawBody) {
        ctx.response().putHeader("Content-Type", d.getString("content_type"))
          .putHeader("X-GitHub-Event", d.getString("event")).putHeader("X-GitHub-Delivery", id);
        if (d.getString("signature") != null) {
          ctx.response().putHeader(GitHubSignature.HEADER, d.getString("signature"));
        }
        return ctx.response().end(body);
      }
      return Future.all(pool.preparedQuery(DeliveryQueries.JOBS_OF).execute(Tuple.of(id)),
        pool.preparedQuery(DeliveryQueries.BOARD_CHANGES_OF).execute(Tuple.of(id))).map(both -> {
        JsonArray jobList = new JsonArray();
        for (Row j : both.<RowSet<Row>>resultAt(0)) {
          JsonObject payload = j.getValue("payload") instanceof JsonObject p ? p : null;
          jobList.add(withJobState(new JsonObject()
            .put("id", j.getLong("id"))
            .put("queue", j.getString("queue")), j)
            .put("operation_id", payload == null ? null : payload.getLong("reprocess"))
            .put("created_at", iso(j.getOffsetDateTime("created_at")))
            .put("finished_at", iso(j.getOffsetDateTime("finished_at"))));
        }
        JsonArray board = new JsonArray();
        for (Row h : both.<RowSet<Row>>resultAt(1)) {
          board.add(new JsonObject().put("id", h.getLong("id")).put("workspace", h.getString("slug"))
            .put("identifier", h.getString("identifier")).put("type", h.getString("type"))
            .put("from", h.getString("from_value")).put("to", h.getString("to_value"))
            .put("pr_number", h.getInteger("pr_number")).put("at", iso(h.getOffsetDateTime("at"))));
        }
        JsonObject out = new JsonObject()
          .put("delivery_id", d.getString("id"))
          .put("event", d.getString("event"))
          .put("action", d.getString("action"))
          .put("repository", d.getString("repository"))
          .put("content_type", d.getString("content_type"))
          .put("signature", d.getString("signature"))
          .put("size_bytes", body.length())
          .put("received_at", iso(d.getOffsetDateTime("received_at")))
          .put("body", body.toString(StandardCharsets.UTF_8))
          .put("jobs", jobList)
          .put("board_changes", board);
        ApiErrors.json(ctx, 200, out);
        return null;
      });
    });
  }

  private void replay(RoutingContext ctx) {
    withDelivery(ctx, d -> {
      String id = d.getString("id");
      String q = Queues.forEvent(d.getString("event"));
      // The stored bytes are the signed bytes: the replay says whether today's secrets still accept them.
      boolean verified = d.getString("signature") != null
        && signature.verify(d.getString("signature"), BodyCodec.forThisThread().expand(d.getBuffer("body")));
      return queue.replay(q, id).map(jobId -> {
        Enqueue.wake(vertx, q);
        log.info("Delivery {} replayed as job {}", id, jobId);
        ApiErrors.json(ctx, 202, new JsonObject()
          .put("delivery_id", id).put("job_id", jobId).put("queue", q)
          .put("status", "queued").put("signature_verified", verified));
        return null;
      });
    });
  }

  private void stats(RoutingContext ctx) {
    queue.stats().onSuccess(s -> ApiErrors.json(ctx, 200, s)).onFailure(err -> ApiErrors.failed(ctx, err));
  }

  private void dead(RoutingContext ctx) {
    Integer limit = QueryParams.intParam(ctx, "limit", 100, 1, 1000);
    if (limit == null) {
      return;
    }
    queue.dead(limit).onSuccess(d -> ApiErrors.json(ctx, 200, d)).onFailure(err -> ApiErrors.failed(ctx, err));
  }

  private void retry(RoutingContext ctx) {
    long id;
    try {
      id = Long.parseLong(ctx.pathParam("id"));
    } catch (NumberFormatException e) {
      ApiErrors.send(ctx, 400, "bad_request", "job id must be a number");
      return;
    }
    queue.retry(id).compose(q -> {
      if (q.isPresent()) {
        Enqueue.wake(vertx, q.get());
        ApiErrors.json(ctx, 202, new JsonObject().put("id", id).put("queue", q.get()).put("status", "queued"));
        return Future.succeededFuture();
      }
      return queue.status(id).map(status -> {
        if (status.isEmpty()) {
          ApiErrors.send(ctx, 404, "not_found", "no job " + id);
        } else {
          ApiErrors.send(ctx, 409, "not_retryable", "job " + id + " is " + status.get() + "; only dead or failed jobs can be retried");
        }
        return null;
      });
    }).onFailure(err -> ApiErrors.failed(ctx, err));
  }

  /** A job's status, attempts, result note and last error, as every listing shows them. */
  private static JsonObject withJobState(JsonObject o, Row r) {
    return o.put("status", r.getString("status"))
      .put("attempts", r.getInteger("attempts"))
      .put("result", r.getString("result"))
      .put("error", r.getString("last_error"));
  }
}
