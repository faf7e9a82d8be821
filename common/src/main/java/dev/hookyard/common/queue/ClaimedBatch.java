package dev.hookyard.common.queue;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The jobs one claim statement handed a worker, until each is settled. A job is settled
 * as soon as it finishes — settlements that finish while one is being written share the
 * next statement — and the leases of jobs still in hand are renewed every third of a
 * lease, so no other worker takes a job this one is still working on. Runs on the
 * worker's context only.
 */
final class ClaimedBatch {

  private static final Logger log = LoggerFactory.getLogger(ClaimedBatch.class);
  private static final int SETTLE_TRIES = 5;

  private final Vertx vertx;
  private final JobQueue queue;
  private final String queueName;
  private final String workerId;
  private final long leaseMs;
  private final Map<Long, Job> inHand = new LinkedHashMap<>();
  private final List<JobQueue.Settlement> pending = new ArrayList<>();
  private final Promise<Void> settled = Promise.promise();
  private final long renewTimer;
  private boolean writing;
  private int failedWrites;

  ClaimedBatch(Vertx vertx, JobQueue queue, String queueName, String workerId, long leaseMs, List<Job> jobs) {
    this.vertx = vertx;
    this.queue = queue;
    this.queueName = queueName;
    this.workerId = workerId;
    this.leaseMs = leaseMs;
    jobs.forEach(j -> inHand.put(j.id(), j));
    this.renewTimer = vertx.setPeriodic(Math.max(1, leaseMs / 3), t -> renew());
  }

  /** Whether the job still waits for its settlement. */
  boolean holds(Job job) {
    return inHand.containsKey(job.id());
  }

  /** Settles one job (once; later calls for it are ignored). */
  void settle(JobQueue.Settlement settlement) {
    if (inHand.remove(settlement.jobId()) == null) {
      return;
    }
    pending.add(settlement);
    write();
  }

  /** Completes once every job of the batch has been settled and written (or given up to its lease). */
  Future<Void> done() {
    return settled.future();
  }

  private void write() {
    if (writing) {
      return;
    }
    if (pending.isEmpty()) {
      if (inHand.isEmpty()) {
        vertx.cancelTimer(renewTimer);
        settled.tryComplete();
      }
      return;
    }
    writing = true;
    List<JobQueue.Settlement> batch = new ArrayList<>(pending);
    pending.clear();
    queue.settle(workerId, batch).onComplete(ar -> {
      writing = false;
      if (ar.failed()) {
        if (++failedWrites < SETTLE_TRIES) {
          pending.addAll(0, batch);
          vertx.setTimer(200L * failedWrites, t -> write());
          return;
        }
        // The rows stay 'running' under this worker's lease; once it expires another
        // claim rescues them, so nothing is lost — only delayed.
        log.warn("Queue {}: {} settlement(s) not written, left to lease expiry: {}", queueName, batch.size(), ar.cause().toString());
      } else {
        failedWrites = 0;
      }
      write();
    });
  }

  private void renew() {
    if (inHand.isEmpty()) {
      return;
    }
    queue.renew(workerId, new ArrayList<>(inHand.values()), leaseMs)
      .onFailure(err -> log.debug("Queue {}: leases not renewed: {}", queueName, err.toString()));
  }

  /** Stops renewing {@code job}'s lease without settling it (its run is abandoned to lease expiry). */
  void abandon(Job job) {
    inHand.remove(job.id());
    write();
  }
}
