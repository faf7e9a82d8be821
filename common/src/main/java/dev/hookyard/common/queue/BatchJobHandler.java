package dev.hookyard.common.queue;

import io.vertx.core.Future;

import java.util.List;

/**
 * A handler that can do the work of several jobs of its queue at once, so that their
 * facts are written set-based: one statement per table and one transaction for the
 * batch instead of one per job. {@link JobWorker} hands it the jobs that are waiting for
 * a lane together (one job alone still goes through {@link #handle}). A batch that fails
 * as a whole is not settled as a failure: each of its jobs runs again alone through
 * {@link #handle}, so one bad job costs only itself its attempt.
 */
public interface BatchJobHandler extends JobHandler {

  /** The outcomes of {@code jobs}, in their order. */
  Future<List<JobOutcome>> handleAll(List<Job> jobs);

  /** The most jobs handed over at once. */
  default int maxBatch() {
    return 100;
  }
}
