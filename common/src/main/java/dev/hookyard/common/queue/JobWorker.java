package dev.hookyard.common.queue;

import dev.hookyard.common.Addresses;
import dev.hookyard.common.metrics.HookyardMetrics;
import io.vertx.core.Future;
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
 * {@code concurrency} at once), settles the batch in one statement. Woken by {@code jobs.wake.<queue>}; polls as a fallback, so a
 * lost wake-up only costs latency. Stopping waits for the batch in hand.
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
      // Lane i runs jobs i, i + lanes, i + 2 × lanes … one after another.
      List<Future<JobQueue.Settlement>> runs = new ArrayList<>(jobs.size());
      int lanes = Math.min(settings.concurrency(), jobs.size());
      for (int i = 0; i < jobs.size(); i++) {
        Job job = jobs.get(i);
        runs.add(i < lanes ? run(job) : runs.get(i - lanes).transform(previous -> run(job)));
      }
      return Future.join(runs).transform(ignored -> {
        List<JobQueue.Settlement> settled = new ArrayList<>(runs.size());
        runs.forEach(f -> settled.add(f.result()));
        return queue.settle(workerId, settled);
      }).map(n -> jobs.size());
    });
  }

  private Future<JobQueue.Settlement> run(Job job) {
    if (job.previousRunExpired() && job.attempt() > settings.maxAttempts()) {
      String reason = "lease expired on attempt " + (job.attempt() - 1) + " of " + settings.maxAttempts();
      return Future.succeededFuture(deadLetter(job, reason));
    }
    long started = System.nanoTime();
    Future<JobOutcome> outcome;
    try {
      outcome = handler.handle(job);
      if (outcome == null) {
        outcome = Future.failedFuture(new IllegalStateException("handler returned no outcome"));
      }
    } catch (RuntimeException e) {
      outcome = Future.failedFuture(e);
    }
    return outcome
      .timeout(Math.max(1, settings.leaseMs() * 9 / 10), TimeUnit.MILLISECONDS)
      .transform(ar -> {
        long took = System.nanoTime() - started;
        if (ar.succeeded()) {
          HookyardMetrics.jobFinished(queueName, ar.result().status(), took);
          return Future.succeededFuture(JobQueue.Settlement.of(job, ar.result()));
        }
        HookyardMetrics.jobFinished(queueName, "error", took);
        return Future.succeededFuture(failed(job, ar.cause()));
      });
  }

  private JobQueue.Settlement failed(Job job, Throwable cause) {
    String reason = cause.getMessage() == null ? cause.toString() : cause.getMessage();
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
