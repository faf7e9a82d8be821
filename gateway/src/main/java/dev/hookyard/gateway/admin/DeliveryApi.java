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
import io.vertx.sqlclient.Tuple;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;

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

  private void list(RoutingContext ctx) {
    Integer limit = QueryParams.intParam(ctx, "limit", 50, 1, 1000);
    if (limit == null) {
      return;
    }
    String event = ctx.request().getParam("event");
    String status = ctx.request().getParam("status");
    pool.preparedQuery(DeliveryQueries.LIST)
      .execute(Tuple.of(blankToNull(event), blankToNull(status), limit))
      .onSuccess(rows -> {
        JsonArray out = new JsonArray();
        for (Row r : rows) {
          out.add(withJobState(new JsonObject()
            .put("delivery_id", r.getString("id"))
            .put("event", r.getString("event"))
            .put("action", r.getString("action")), r)
            .put("received_at", iso(r.getOffsetDateTime("received_at"))));
        }
        ApiErrors.json(ctx, 200, out);
      })
      .onFailure(err -> ApiErrors.unavailable(ctx, err));
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
    }).onFailure(err -> ApiErrors.unavailable(ctx, err));
  }

  private void get(RoutingContext ctx) {
    withDelivery(ctx, d -> {
      String id = d.getString("id");
      return pool.preparedQuery(DeliveryQueries.JOBS_OF).execute(Tuple.of(id)).map(jobs -> {
        JsonArray jobList = new JsonArray();
        for (Row j : jobs) {
          jobList.add(withJobState(new JsonObject()
            .put("id", j.getLong("id"))
            .put("queue", j.getString("queue")), j)
            .put("created_at", iso(j.getOffsetDateTime("created_at")))
            .put("finished_at", iso(j.getOffsetDateTime("finished_at"))));
        }
        Buffer body = BodyCodec.forThisThread().expand(d.getBuffer("body"));
        JsonObject out = new JsonObject()
          .put("delivery_id", d.getString("id"))
          .put("event", d.getString("event"))
          .put("action", d.getString("action"))
          .put("content_type", d.getString("content_type"))
          .put("signature", d.getString("signature"))
          .put("size_bytes", body.length())
          .put("received_at", iso(d.getOffsetDateTime("received_at")))
          .put("body", body.toString(StandardCharsets.UTF_8))
          .put("jobs", jobList);
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
    queue.stats().onSuccess(s -> ApiErrors.json(ctx, 200, s)).onFailure(err -> ApiErrors.unavailable(ctx, err));
  }

  private void dead(RoutingContext ctx) {
    Integer limit = QueryParams.intParam(ctx, "limit", 100, 1, 1000);
    if (limit == null) {
      return;
    }
    queue.dead(limit).onSuccess(d -> ApiErrors.json(ctx, 200, d)).onFailure(err -> ApiErrors.unavailable(ctx, err));
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
    }).onFailure(err -> ApiErrors.unavailable(ctx, err));
  }

  /** A job's status, attempts, result note and last error, as every listing shows them. */
  private static JsonObject withJobState(JsonObject o, Row r) {
    return o.put("status", r.getString("status"))
      .put("attempts", r.getInteger("attempts"))
      .put("result", r.getString("result"))
      .put("error", r.getString("last_error"));
  }

  private static String blankToNull(String s) {
    return s == null || s.isBlank() ? null : s.trim();
  }
}
