package dev.hookyard.scheduler;

import dev.hookyard.common.Queues;
import dev.hookyard.common.metrics.HookyardMetrics;
import dev.hookyard.common.queue.QueueAdmin;
import io.vertx.core.Future;

import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.Set;

/**
 * Keeps the {@code hookyard_queue_depth}, {@code hookyard_queue_oldest_job_seconds} and
 * {@code hookyard_queue_paused} gauges of every queue current. Gauges live in
 * each process's own registry, so every scheduler process runs it (not cluster-wide).
 */
final class QueueDepthTask implements ScheduledTask {

  private final QueueAdmin queue;
  private final Duration every;
  private final Set<String> known = new HashSet<>(Queues.webhookQueues());

  QueueDepthTask(QueueAdmin queue, Duration every) {
    this.queue = queue;
    this.every = every;
  }

  @Override
  public String name() {
    return "queue-depth";
  }

  @Override
  public Duration every() {
    return every;
  }

  @Override
  public boolean clusterWide() {
    return false;
  }

  @Override
  public Future<String> run(Instant now) {
    return queue.depth().map(depths -> {
      known.addAll(depths.keySet());
      long total = 0;
      for (String q : known) {
        QueueAdmin.Depth depth = depths.getOrDefault(q, new QueueAdmin.Depth(0, 0, false));
        HookyardMetrics.queueDepth(q, depth.jobs());
        HookyardMetrics.queueOldestJob(q, depth.oldestSeconds());
        HookyardMetrics.queuePaused(q, depth.paused());
        total += depth.jobs();
      }
      return total + " jobs waiting in " + known.size() + " queues";
    });
  }
}
