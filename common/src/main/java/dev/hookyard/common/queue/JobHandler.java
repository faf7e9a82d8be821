package dev.hookyard.common.queue;

import io.vertx.core.Future;

/**
 * The work behind one queue. A failed future is retried with backoff, unless it
 * failed with {@link PermanentJobFailure}, which dead-letters the job at once.
 * Handlers must be idempotent: a job can run again after a crash.
 */
@FunctionalInterface
public interface JobHandler {
  Future<JobOutcome> handle(Job job);
}
