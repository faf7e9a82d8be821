package dev.hookyard.common.queue;

import dev.hookyard.common.config.HookyardConfig;

/**
 * How one queue is drained.
 *
 * @param maxAttempts attempts before a job is dead-lettered
 * @param backoffBaseMs delay after the first failure; doubled after each further one
 * @param backoffMaxMs cap on that delay
 * @param leaseMs how long a claim holds before another worker may take the job
 * @param pollMs how often an idle worker looks for jobs it was not woken for
 * @param batchSize the most jobs claimed in one statement: a worker claims about 100 ms of
 *        its lanes' work ahead, judged by how long the queue's jobs take, up to this many
 * @param concurrency jobs of a batch running at once; the rest wait for a free lane, so
 *        one busy queue cannot take every connection of the pool
 * @param jobTimeoutMs a job's time limit counted from its claim; leases are renewed
 *        while the worker holds the job, so the limit, not the lease, ends a slow job
 */
public record QueueSettings(int maxAttempts, long backoffBaseMs, long backoffMaxMs, long leaseMs, long pollMs, int batchSize,
                            int concurrency, long jobTimeoutMs) {

  /** The settings of a queue nothing is configured for: {@code HookyardConfig}'s defaults. */
  public static QueueSettings defaults() {
    return new QueueSettings(HookyardConfig.DEFAULT_QUEUE_MAX_ATTEMPTS, HookyardConfig.DEFAULT_QUEUE_BACKOFF_BASE_MS,
      HookyardConfig.DEFAULT_QUEUE_BACKOFF_MAX_MS, HookyardConfig.DEFAULT_QUEUE_LEASE_MS, HookyardConfig.DEFAULT_QUEUE_POLL_MS,
      HookyardConfig.DEFAULT_QUEUE_BATCH_SIZE, HookyardConfig.DEFAULT_QUEUE_CONCURRENCY,
      jobTimeoutFor(HookyardConfig.DEFAULT_QUEUE_LEASE_MS));
  }

  /** A job's time limit when none is set: 90 % of its queue's lease, as before leases were renewed. */
  static long jobTimeoutFor(long leaseMs) {
    return leaseMs * 9 / 10;
  }

  public static QueueSettings of(HookyardConfig config, String queue) {
    QueueSettings d = defaults();
    return new QueueSettings(
      config.perQueue(queue, HookyardConfig.QUEUE_MAX_ATTEMPTS, d.maxAttempts),
      config.perQueue(queue, HookyardConfig.QUEUE_BACKOFF_BASE_MS, (int) d.backoffBaseMs),
      config.perQueue(queue, HookyardConfig.QUEUE_BACKOFF_MAX_MS, (int) d.backoffMaxMs),
      config.perQueue(queue, HookyardConfig.QUEUE_LEASE_MS, (int) d.leaseMs),
      config.perQueue(queue, HookyardConfig.QUEUE_POLL_MS, (int) d.pollMs),
      config.perQueue(queue, HookyardConfig.QUEUE_BATCH_SIZE, d.batchSize),
      Math.max(1, config.perQueue(queue, HookyardConfig.QUEUE_CONCURRENCY, d.concurrency)),
      Math.max(1, config.perQueue(queue, HookyardConfig.QUEUE_JOB_TIMEOUT_MS,
        (int) jobTimeoutFor(config.perQueue(queue, HookyardConfig.QUEUE_LEASE_MS, (int) d.leaseMs)))));
  }

  /** Delay before attempt {@code failedAttempt + 1}: base, 2×base, 4×base … capped. */
  public long backoffMs(int failedAttempt) {
    int shift = Math.min(Math.max(failedAttempt - 1, 0), 30);
    return Math.min(backoffBaseMs << shift, backoffMaxMs);
  }

  public QueueSettings withBackoff(long baseMs, long maxMs) {
    return new QueueSettings(maxAttempts, baseMs, maxMs, leaseMs, pollMs, batchSize, concurrency, jobTimeoutMs);
  }

  public QueueSettings withPoll(long ms) {
    return new QueueSettings(maxAttempts, backoffBaseMs, backoffMaxMs, leaseMs, ms, batchSize, concurrency, jobTimeoutMs);
  }

  public QueueSettings withLease(long lease, long jobTimeout) {
    return new QueueSettings(maxAttempts, backoffBaseMs, backoffMaxMs, lease, pollMs, batchSize, concurrency, jobTimeout);
  }

  public QueueSettings withLanes(int batch, int lanes) {
    return new QueueSettings(maxAttempts, backoffBaseMs, backoffMaxMs, leaseMs, pollMs, batch, lanes, jobTimeoutMs);
  }
}
