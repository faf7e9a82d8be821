package dev.hookyard.common.queue;

import dev.hookyard.common.logging.FailureCause;
import dev.hookyard.common.logging.RepeatedFailures;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.event.Level;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The jobs a worker has claimed and not yet settled. A job is settled as soon as it
 * finishes — settlements that finish while one is being written share the next
 * statement, up to {@link #MAX_SETTLE_BATCH} of them — and every third of a lease the
 * leases of the jobs still in hand are renewed, so no other worker takes a job this one
 * still works on or will start. Used on the worker's context only.
 */
final class JobsInHand {

  private static final Logger log = LoggerFactory.getLogger(JobsInHand.class);
  private static final int SETTLE_TRIES = 5;
  /**
   * Settlements written by one statement at most: the rest follow in the next. Unbounded,
   * a slow settle let the next one grow with every job finished meanwhile, and each grew
   * slower with its size (tens of thousands of rows in one statement, minutes each).
   */
  static final int MAX_SETTLE_BATCH = 500;

  private final Vertx vertx;
  private final JobQueue queue;
  private final String queueName;
  private final RepeatedFailures unsettled;
  private final String workerId;
  private final long leaseMs;
  private final Map<Long, Job> held = new LinkedHashMap<>();
  private final List<JobQueue.Settlement> pending = new ArrayList<>();
  private final List<Promise<Void>> drained = new ArrayList<>();
  private final long renewTimer;
  private boolean writing;
  private int failedWrites;

  JobsInHand(Vertx vertx, JobQueue queue, String queueName, String workerId, long leaseMs) {
    this.vertx = vertx;
    this.queue = queue;
    this.queueName = queueName;
    this.unsettled = RepeatedFailures.of(vertx, log, Level.WARN, "settlement batches of " + queueName + " not written");
    this.workerId = workerId;
    this.leaseMs = leaseMs;
    this.renewTimer = vertx.setPeriodic(Math.max(1, leaseMs / 3), t -> renew());
  }

  void add(List<Job> jobs) {
    jobs.forEach(j -> held.put(j.id(), j));
  }

  /** Whether the job still waits for its settlement. */
  boolean holds(Job job) {
    return held.containsKey(job.id());
  }

  int size() {
    return held.size();
  }

  /** Settles one job (once; later calls for it are ignored). */
  void settle(JobQueue.Settlement settlement) {
    if (held.remove(settlement.jobId()) == null) {
      return;
    }
    pending.add(settlement);
    write();
  }

  /** Completes once nothing is held and every settlement is written (or left to lease expiry). */
  Future<Void> drained() {
    Promise<Void> p = Promise.promise();
    drained.add(p);
    write();
    return p.future();
  }

  void close() {
    vertx.cancelTimer(renewTimer);
  }

  private void write() {
    if (writing) {
      return;
    }
    if (pending.isEmpty()) {
      if (held.isEmpty() && !drained.isEmpty()) {
        List<Promise<Void>> done = new ArrayList<>(drained);
        drained.clear();
        done.forEach(Promise::tryComplete);
      }
      return;
    }
    writing = true;
    List<JobQueue.Settlement> first = pending.subList(0, Math.min(pending.size(), MAX_SETTLE_BATCH));
    List<JobQueue.Settlement> batch = new ArrayList<>(first);
    first.clear();
    queue.settle(workerId, batch).onComplete(ar -> {
      writing = false;
      if (ar.failed()) {
        if (++failedWrites < SETTLE_TRIES) {
          pending.addAll(0, batch);
          vertx.setTimer(200L * failedWrites, t -> write());
          return;
        }
        // The rows stay 'running' under this worker's id; the lease is no longer renewed,
        // so once it expires another claim rescues them: delayed, never lost.
        FailureCause cause = FailureCause.ofDatabase(ar.cause());
        unsettled.record(cause, batch.size() + " settlement(s)", () -> "Queue " + queueName + ": " + batch.size()
          + " settlement(s) not written, left to lease expiry: " + cause.text());
      }
      failedWrites = 0;
      write();
    });
  }

  private void renew() {
    if (held.isEmpty()) {
      return;
    }
    queue.renew(workerId, new ArrayList<>(held.values()), leaseMs)
      .onFailure(err -> log.debug("Queue {}: leases not renewed: {}", queueName, err.toString()));
  }
}
