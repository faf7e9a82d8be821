package dev.hookyard.scheduler;

import io.vertx.core.Future;

import java.time.Duration;
import java.time.Instant;

/** Periodic work of the scheduler role. */
public interface ScheduledTask {

  /** A stable name: the key of its firings. */
  String name();

  /** How often it fires. */
  Duration every();

  /**
   * Whether it fires once per period across the whole cluster (a claim in the database)
   * rather than in every scheduler process (per-process work such as gauges).
   */
  default boolean clusterWide() {
    return true;
  }

  /** Does the work as of {@code now}; a short summary of what it did. */
  Future<String> run(java.time.Instant now);

  static long period(Instant now, Duration every) {
    return now.toEpochMilli() / Math.max(1, every.toMillis());
  }
}
