package dev.hookyard.common.queue;

import dev.hookyard.common.Addresses;
import dev.hookyard.common.metrics.HookyardMetrics;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.MessageConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * Drains one queue: claims a batch, runs the handler on every job of it (at most
 * {@code concurrency} at once) and settles each job as it finishes, renewing the leases
 * of the jobs still in hand. Every job ends within its timeout counted from the claim:
 * one that never started by then goes back to the queue with its attempt given back;
 * one whose handler throws anything or does not answer is settled as a failure.
 * Woken by {@code jobs.wake.<queue>}; polls as a fallback, so a lost wake-up only costs
 * latency. Stopping waits for the jobs already started.
 */
public final class JobWorker extends VerticleBase {

  private static final Logger log = LoggerFactory.getLogger(JobWorker.class);

  private final JobQueue queue;
  private final String queueName;
  private final JobHandler handler;
  private final QueueSettings settings;

  private String workerId;
  private MessageConsumer<Object> wakeups;
  private long pollTimer = -1;
  private Future<Integer> round;
  private boolean wakePending;
  private boolean stopping;
  private boolean failing;

  public JobWorker(JobQueue queue, String queueName, JobHandler handler, QueueSettings settings) {
    this.queue = queue;
    this.queueName = queueName;
    this.handler = handler;
    this.settings = settings;
  }

  @Override
  public Future<?> start() {
    workerId = queueName + "/" + UUID.randomUUID();
    wakeups = vertx.eventBus().consumer(Addresses.wake(queueName), m -> poll());
    pollTimer = vertx.setPeriodic(settings.pollMs(), t -> poll());
    return wakeups.completion().onSuccess(v -> poll());
  }

  @Override
  public Future<?> stop() {
    stopping = true;
    vertx.cancelTimer(pollTimer);
    Future<Void> unregistered = wakeups.unregister();
    Future<?> inHand = round == null ? Future.succeededFuture() : round.otherwiseEmpty();
    return Future.join(unregistered, inHand);
  }

  /** This worker's id, as stored in {@code jobs.locked_by} while it holds a job. */
  public String workerId() {
    return workerId;
  }

  private void poll() {
    if (stopping) {
      return;
    }
    if (round != null) {
      wakePending = true;
      return;
    }
    wakePending = false;
    round = runRound();
    round.onComplete(ar -> {
      round = null;
      if (ar.failed()) {
        if (!failing) {
          log.warn("Queue {}: claiming or settling failed, will keep polling: {}", queueName, ar.cause().toString());
        }
        failing = true;
        return;
      }
      if (failing) {
        log.info("Queue {}: claiming works again", queueName);
        failing = false;
      }
      if (ar.result() >= settings.batchSize() || wakePending) {
        context.runOnContext(v -> poll());
      }
    });
  }

  private Future<Integer> runRound() {
    return queue.claim(queueName, workerId, settings.batchSize(), settings.leaseMs()).compose(jobs -> {
      if (jobs.isEmpty()) {
        return Future.succeededFuture(0);
      }
      // Every job must be finished within the timeout counted from this claim, so a job
      // is never still running when its lease (renewed meanwhile) could pass to another worker.
      long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(settings.jobTimeoutMs());
      ClaimedBatch batch = new ClaimedBatch(vertx, queue, queueName, workerId, settings.leaseMs(), jobs);
      // Lane i runs jobs i, i + lanes, i + 2 × lanes … one after another.
      List<Future<Void>> lanes = new ArrayList<>(jobs.size());
      int width = Math.min(settings.concurrency(), jobs.size());
      for (int i = 0; i < jobs.size(); i++) {
        Job job = jobs.get(i);
        lanes.add(i < width ? run(job, batch, deadline) : lanes.get(i - width).transform(previous -> run(job, batch, deadline)));
      }
      return batch.done().map(v -> jobs.size());
    });
  }

  /** Runs one job and settles it; the returned future frees its lane. */
  private Future<Void> run(Job job, ClaimedBatch batch, long deadline) {
    if (job.previousRunExpired() && job.attempt() > settings.maxAttempts()) {
      String reason = "lease expired on attempt " + (job.attempt() - 1) + " of " + settings.maxAttempts();
      batch.settle(deadLetter(job, reason));
      return Future.succeededFuture();
    }
    long remainingMs = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
    if (remainingMs <= 0 || stopping) {
      // Never started: back to the queue with its attempt given back.
      batch.settle(JobQueue.Settlement.release(job));
      return Future.succeededFuture();
    }
    long started = System.nanoTime();
    Future<JobOutcome> outcome;
    try {
      outcome = handler.handle(job);
      if (outcome == null) {
        outcome = Future.failedFuture(new IllegalStateException("handler returned no outcome"));
      }
    } catch (Throwable e) {
      outcome = Future.failedFuture(e);
    }
    Promise<Void> lane = Promise.promise();
    long timer = vertx.setTimer(remainingMs, t -> {
      if (batch.holds(job)) {
        HookyardMetrics.jobFinished(queueName, "timeout", System.nanoTime() - started);
        batch.settle(timedOut(job, System.nanoTime() - started));
        // The handler cannot be cancelled: its lane stays taken until it answers or a
        // lease has passed, and its retry is not due before that either.
        vertx.setTimer(settings.leaseMs(), l -> lane.tryComplete());
      }
    });
    outcome.onComplete(ar -> {
      vertx.cancelTimer(timer);
      if (batch.holds(job)) {
        long took = System.nanoTime() - started;
        if (ar.succeeded() && ar.result() != null) {
          HookyardMetrics.jobFinished(queueName, ar.result().status(), took);
          batch.settle(JobQueue.Settlement.of(job, ar.result()));
        } else {
          HookyardMetrics.jobFinished(queueName, "error", took);
          batch.settle(failed(job, ar.failed() ? ar.cause() : new IllegalStateException("handler answered no outcome")));
        }
      }
      lane.tryComplete();
    });
    return lane.future();
  }

  private JobQueue.Settlement timedOut(Job job, long tookNanos) {
    String reason = "timed out after " + TimeUnit.NANOSECONDS.toMillis(tookNanos) + " ms";
    if (job.attempt() >= settings.maxAttempts()) {
      return deadLetter(job, "attempt " + job.attempt() + " of " + settings.maxAttempts() + " " + reason);
    }
    long delay = Math.max(settings.backoffMs(job.attempt()), settings.leaseMs());
    log.warn("Job {} ({} delivery {}) attempt {} {}, retrying in {} ms", job.id(), queueName, job.deliveryId(), job.attempt(),
      reason, delay);
    HookyardMetrics.jobRetried(queueName);
    return JobQueue.Settlement.retry(job, reason, delay);
  }

  private JobQueue.Settlement failed(Job job, Throwable cause) {
    String reason = cause.getMessage() == null ? cause.toString()
      : cause instanceof Error ? cause.toString() : cause.getMessage();
    if (cause instanceof PermanentJobFailure) {
      return deadLetter(job, reason);
    }
    if (job.attempt() >= settings.maxAttempts()) {
      return deadLetter(job, "attempt " + job.attempt() + " of " + settings.maxAttempts() + " failed: " + reason);
    }
    long delay = settings.backoffMs(job.attempt());
    log.info("Job {} ({} delivery {}) attempt {} failed, retrying in {} ms: {}",
      job.id(), queueName, job.deliveryId(), job.attempt(), delay, reason);
    HookyardMetrics.jobRetried(queueName);
    return JobQueue.Settlement.retry(job, reason, delay);
  }

  private JobQueue.Settlement deadLetter(Job job, String reason) {
    log.warn("Job {} ({} delivery {}) dead-lettered: {}", job.id(), queueName, job.deliveryId(), reason);
    HookyardMetrics.jobDead(queueName);
    return JobQueue.Settlement.dead(job, reason);
  }
}
