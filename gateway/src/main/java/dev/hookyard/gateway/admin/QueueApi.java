package dev.hookyard.gateway.admin;

import dev.hookyard.common.Queues;
import dev.hookyard.common.queue.Enqueue;
import dev.hookyard.common.queue.QueueAdmin;
import dev.hookyard.gateway.http.AdminAuth;
import dev.hookyard.gateway.http.ApiErrors;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.function.Function;

import static dev.hookyard.common.JsonDates.iso;

/** Pausing and resuming a queue: its jobs wait, deliveries are still stored. */
final class QueueApi {

  private static final Logger log = LoggerFactory.getLogger(QueueApi.class);

  private final Vertx vertx;
  private final QueueAdmin queue;

  QueueApi(Vertx vertx, QueueAdmin queue) {
    this.vertx = vertx;
    this.queue = queue;
  }

  void mount(Router router, AdminAuth auth) {
    router.post("/api/v1/queues/:queue/pause").handler(auth).handler(ctx -> change(ctx, queue::pause, true));
    router.post("/api/v1/queues/:queue/resume").handler(auth).handler(ctx -> change(ctx, queue::resume, false));
  }

  private void change(RoutingContext ctx, Function<String, Future<Boolean>> change, boolean pausing) {
    String name = ctx.pathParam("queue");
    if (!Queues.all().contains(name)) {
      ApiErrors.send(ctx, 404, "not_found", "no queue " + name + "; queues are " + String.join(", ", Queues.all()));
      return;
    }
    change.apply(name).compose(changed -> queue.paused().map(paused -> {
      if (changed) {
        log.info("Queue {} {}", name, pausing ? "paused: its jobs wait until it is resumed" : "resumed");
      }
      if (!pausing) {
        // Workers poll anyway; the wake-up lets them start at once, in every process.
        Enqueue.wake(vertx, name);
      }
      ApiErrors.json(ctx, 200, new JsonObject().put("queue", name).put("paused", paused.containsKey(name))
        .put("paused_at", paused.containsKey(name) ? iso(paused.get(name)) : null).put("changed", changed));
      return null;
    })).onFailure(err -> ApiErrors.failed(ctx, err));
  }
}
