package dev.hookyard.scheduler;

import dev.hookyard.common.Queues;
import dev.hookyard.common.metrics.HookyardMetrics;
import dev.hookyard.common.queue.JobQueue;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.HashSet;
import java.util.Set;

/**
 * Keeps the {@code hookyard_queue_depth} gauge of every queue current. A read, so every
 * scheduler process runs it without the cluster-wide lock the mutating tasks take.
 */
public final class QueueGaugeVerticle extends VerticleBase {

  private static final Logger log = LoggerFactory.getLogger(QueueGaugeVerticle.class);

  private final JobQueue queue;
  private final long periodMs;
  private final Set<String> known = new HashSet<>(Queues.webhookQueues());
  private long timer;

  public QueueGaugeVerticle(JobQueue queue, long periodMs) {
    this.queue = queue;
    this.periodMs = periodMs;
  }

  @Override
  public Future<?> start() {
    timer = vertx.setPeriodic(0, periodMs, t -> refresh());
    return Future.succeededFuture();
  }

  @Override
  public Future<?> stop() {
    vertx.cancelTimer(timer);
    return Future.succeededFuture();
  }

  private void refresh() {
    queue.depth().onSuccess(depths -> {
      known.addAll(depths.keySet());
      for (String q : known) {
        HookyardMetrics.queueDepth(q, depths.getOrDefault(q, 0L));
      }
    }).onFailure(err -> log.debug("Queue depth not refreshed: {}", err.toString()));
  }

}
