package dev.hookyard.common.queue;

import dev.hookyard.common.Addresses;
import dev.hookyard.common.logging.FailureCause;
import dev.hookyard.common.logging.LogContext;
import dev.hookyard.common.logging.RepeatedFailures;
import dev.hookyard.common.metrics.HookyardMetrics;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.MessageConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.event.Level;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * Drains one queue. Jobs are claimed in batches and run at most {@code concurrency} at a
 * time; each is settled as it finishes, and the leases of jobs in hand are renewed
 * (see {@link JobsInHand}). More jobs are claimed as lanes free up, so one slow job
 * never holds the rest of the queue back. Every job ends within its timeout counted
 * from its claim: one that never started by then goes back to the queue with its
 * attempt given back; one whose handler throws anything or has not answered is settled
 * as a failure. Woken by {@code jobs.wake.<queue>}; polls as a fallback, so a lost
 * wake-up only costs latency. Stopping gives back the jobs not started and waits for
 * those running. A {@link BatchJobHandler} gets the waiting jobs several to a lane (see
 * {@link #batchSize()}), and a batch of them that fails runs again job by job.
 */
public final class JobWorker extends VerticleBase {

  private static final Logger log = LoggerFactory.getLogger(JobWorker.class);
  /** How much work ahead of its lanes a worker claims; see {@link #claimTarget()}. */
  private static final double PREFETCH_NANOS = TimeUnit.MILLISECONDS.toNanos(100);

  /** The longest a {@link RetryLater} postpones a job. */
  private static final long MAX_RETRY_LATER_MS = TimeUnit.HOURS.toMillis(1);

  /** A claimed job and the moment its time is up. */
  private record Claimed(Job job, long deadlineNanos) {
  }

  private final JobQueue queue;
  private final String queueName;
  private final JobHandler handler;
  private final QueueSettings settings;
  private final ArrayDeque<Claimed> waiting = new ArrayDeque<>();

  private String workerId;
  private HookyardMetrics.JobMeters meters;
  // Jobs failing for one cause (a full disk, an unreachable service) are logged by cause, not one line each.
  private RepeatedFailures retrying;
  private RepeatedFailures timedOut;
  private RepeatedFailures dead;
  private JobsInHand inHand;
  private MessageConsumer<Object> wakeups;
  private long pollTimer = -1;
  private int running;
  private boolean claiming;
  private boolean morePending;
  private boolean stopping;
  private boolean failing;
  private IngestFirst ingestFirst;
  /** Lanes held back by {@link IngestFirst}, waiting for {@link #resume} (registered once) or the timer. */
  private boolean gated;
  private long gateTimer = -1;
  private final Runnable resume = () -> context.runOnContext(v -> resumeLanes());
  /** Moving mean of the handler time of this worker's jobs; negative until one has finished. */
  private double meanJobNanos = -1;

  public JobWorker(JobQueue queue, String queueName, JobHandler handler, QueueSettings settings) {
    this.queue = queue;
    this.queueName = queueName;
    this.handler = handler;
    this.settings = settings;
  }

  @Override
  public Future<?> start() {
    workerId = queueName + "/" + UUID.randomUUID();
    meters = HookyardMetrics.jobMeters(queueName);
    retrying = RepeatedFailures.of(vertx, log, Level.INFO, "jobs of " + queueName + " retried after a failure");
    timedOut = RepeatedFailures.of(vertx, log, Level.WARN, "jobs of " + queueName + " retried after timing out");
    dead = RepeatedFailures.of(vertx, log, Level.WARN, "jobs of " + queueName + " dead-lettered");
    inHand = new JobsInHand(vertx, queue, queueName, workerId, settings.leaseMs());
    ingestFirst = IngestFirst.of(vertx);
    wakeups = vertx.eventBus().consumer(Addresses.wake(queueName), m -> poll());
    pollTimer = vertx.setPeriodic(settings.pollMs(), t -> poll());
    return wakeups.completion().onSuccess(v -> poll());
  }

  @Override
  public Future<?> stop() {
    stopping = true;
    vertx.cancelTimer(pollTimer);
    Future<Void> unregistered = wakeups.unregister();
    while (!waiting.isEmpty()) {
      inHand.settle(JobQueue.Settlement.release(waiting.poll().job()));
    }
    return Future.join(unregistered, inHand.drained()).onComplete(ar -> inHand.close());
  }

  /** This worker's id, as stored in {@code jobs.locked_by} while it holds a job. */
  public String workerId() {
    return workerId;
  }

  private void poll() {
    if (stopping) {
      return;
    }
    // Enough claimed jobs are already waiting for a lane: claim again as they start.
    if (claiming || !wantsMore()) {
      morePending = true;
      return;
    }
    int room = claimTarget() - waiting.size();
    claiming = true;
    morePending = false;
    queue.claim(queueName, workerId, room, settings.leaseMs()).onComplete(ar -> {
      claiming = false;
      if (ar.failed()) {
        if (!failing) {
          log.warn("Queue {}: claiming failed, will keep polling: {}", queueName, ar.cause().toString());
        }
        failing = true;
        return;
      }
      if (failing) {
        log.info("Queue {}: claiming works again", queueName);
        failing = false;
      }
      List<Job> jobs = ar.result();
      long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(settings.jobTimeoutMs());
      inHand.add(jobs);
      jobs.forEach(j -> waiting.add(new Claimed(j, deadline)));
      // A full claim means more may be waiting in the queue.
      morePending |= jobs.size() >= room;
      startLanes();
    });
  }

  private void startLanes() {
    while (running < settings.concurrency() && !waiting.isEmpty()) {
      if (!ingestFirst.tryStart(gated ? null : resume)) {
        // Acknowledgements are slow and the process's lane is taken: wait for it to end
        // (or for the window to pass, should it end with the lane still running). One
        // wake-up and one timer at a time, however often this is tried.
        gated = true;
        if (gateTimer < 0) {
          gateTimer = vertx.setTimer(IngestFirst.SLOW_WINDOW_MS, t -> {
            gateTimer = -1;
            resumeLanes();
          });
        }
        break;
      }
      int size = batchSize();
      running++;
      Future<Void> lane;
      if (size == 1) {
        lane = runLogged(waiting.poll());
      } else {
        List<Claimed> batch = new ArrayList<>(size);
        for (int i = 0; i < size; i++) {
          batch.add(waiting.poll());
        }
        lane = runBatch(batch);
      }
      if (lane.isComplete()) {
        // Finished at once: the lane is free again without a callback (and no recursion).
        running--;
        ingestFirst.ended();
      } else {
        lane.onComplete(ar -> {
          running--;
          ingestFirst.ended();
          startLanes();
        });
      }
    }
    if (morePending && !claiming && wantsMore()) {
      context.runOnContext(v -> poll());
    }
  }

  /** A lane of the process ended, or the window passed: try again, and wait anew if need be. */
  private void resumeLanes() {
    if (gated) {
      gated = false;
      startLanes();
    }
  }

  /**
   * How many waiting jobs the next lane takes: one, unless the handler takes batches;
   * then the waiting jobs shared out over the free lanes, so a few jobs still start
   * side by side and a backlog goes in batches of up to {@link BatchJobHandler#maxBatch}.
   */
  private int batchSize() {
    if (!(handler instanceof BatchJobHandler batches)) {
      return 1;
    }
    int free = settings.concurrency() - running;
    return Math.max(1, Math.min(batches.maxBatch(), (waiting.size() + free - 1) / free));
  }

  /**
   * Runs jobs together through {@link BatchJobHandler#handleAll} and settles each with
   * its outcome. The batch's time is its earliest job's; a job whose time is up before it
   * starts, or whose expired runs used up its attempts, is settled as alone. A batch that
   * fails, or answers the wrong number of outcomes, runs again job by job.
   */
  private Future<Void> runBatch(List<Claimed> batch) {
    List<Claimed> live = new ArrayList<>(batch.size());
    for (Claimed c : batch) {
      Job job = c.job();
      if (job.previousRunExpired() && job.attempt() > settings.maxAttempts()) {
        inHand.settle(deadLetter(job, "lease expired on attempt " + (job.attempt() - 1) + " of " + settings.maxAttempts(),
          FailureCause.of("lease_expired", "the lease expired on the last attempt")));
      } else if (c.deadlineNanos() <= System.nanoTime() || stopping) {
        inHand.settle(JobQueue.Settlement.release(job));
      } else {
        live.add(c);
      }
    }
    if (live.size() <= 1) {
      return live.isEmpty() ? Future.succeededFuture() : runLogged(live.get(0));
    }
    List<Job> jobs = live.stream().map(Claimed::job).toList();
    long deadline = live.stream().mapToLong(Claimed::deadlineNanos).min().getAsLong();
    long started = System.nanoTime();
    Future<List<JobOutcome>> outcomes;
    try {
      outcomes = ((BatchJobHandler) handler).handleAll(jobs);
    } catch (Throwable e) {
      outcomes = Future.failedFuture(e);
    }
    if (outcomes == null) {
      outcomes = Future.failedFuture(new IllegalStateException("handler returned no outcomes"));
    }
    Promise<Void> lane = Promise.promise();
    long timer = vertx.setTimer(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())), t -> {
      long took = System.nanoTime() - started;
      for (Job job : jobs) {
        if (inHand.holds(job)) {
          meters.finished("timeout", took);
          inHand.settle(timedOut(job, took));
        }
      }
      vertx.setTimer(settings.leaseMs(), l -> lane.tryComplete());
    });
    outcomes.onComplete(ar -> {
      vertx.cancelTimer(timer);
      List<JobOutcome> answered = ar.succeeded() ? ar.result() : null;
      if (answered == null || answered.size() != jobs.size() || answered.stream().anyMatch(Objects::isNull)) {
        log.debug("Queue {}: a batch of {} jobs failed ({}), running them one by one", queueName, jobs.size(),
          ar.failed() ? ar.cause().toString() : "wrong number of outcomes");
        alone(live, 0).onComplete(v -> lane.tryComplete());
        return;
      }
      long took = System.nanoTime() - started;
      for (int i = 0; i < jobs.size(); i++) {
        Job job = jobs.get(i);
        if (inHand.holds(job)) {
          JobOutcome outcome = answered.get(i);
          meters.finished(outcome.status(), took);
          inHand.settle(JobQueue.Settlement.of(job, outcome));
        }
      }
      // The moving mean is per job: a batch of n costs each of its jobs a share.
      timed((double) took / jobs.size());
      lane.tryComplete();
    });
    return lane.future();
  }

  /** Runs the jobs of a failed batch from index {@code i} on, one after another. */
  private Future<Void> alone(List<Claimed> jobs, int i) {
    while (i < jobs.size() && !inHand.holds(jobs.get(i).job())) {
      i++;
    }
    if (i == jobs.size()) {
      return Future.succeededFuture();
    }
    int next = i + 1;
    return runLogged(jobs.get(i)).transform(ar -> alone(jobs, next));
  }

  /**
   * How many jobs to hold claimed: about {@link #PREFETCH_NANOS} of work for the lanes,
   * judged by how long this queue's jobs have taken, between one per lane and the batch
   * size. Quick jobs are claimed hundreds at a time, so the queue's statements are few
   * per job; slow ones no further ahead than they will start, so jobs are not held here
   * while another worker could run them.
   */
  private int claimTarget() {
    int lanes = Math.min(settings.concurrency(), settings.batchSize());
    if (meanJobNanos < 0) {
      return lanes;
    }
    double ahead = Math.ceil(settings.concurrency() * (PREFETCH_NANOS / Math.max(meanJobNanos, 1_000)));
    return (int) Math.max(lanes, Math.min(settings.batchSize(), ahead));
  }

  /** Whether to claim now: fewer jobs wait for a lane than half the target (at least one per lane). */
  private boolean wantsMore() {
    return waiting.size() < Math.max(settings.concurrency(), claimTarget() / 2);
  }

  /**
   * {@link #run} with the job's log fields in place; its callbacks carry them too, so the
   * handler's synchronous part and the settlement lines name the job and its delivery.
   */
  private Future<Void> runLogged(Claimed claimed) {
    try (LogContext.Scope fields = LogContext.job(claimed.job())) {
      return run(claimed);
    }
  }

  /** Runs one job and settles it; the returned future frees its lane. */
  private Future<Void> run(Claimed claimed) {
    Job job = claimed.job();
    if (job.previousRunExpired() && job.attempt() > settings.maxAttempts()) {
      String reason = "lease expired on attempt " + (job.attempt() - 1) + " of " + settings.maxAttempts();
      inHand.settle(deadLetter(job, reason, FailureCause.of("lease_expired", "the lease expired on the last attempt")));
      return Future.succeededFuture();
    }
    long remainingMs = TimeUnit.NANOSECONDS.toMillis(claimed.deadlineNanos() - System.nanoTime());
    if (remainingMs <= 0 || stopping) {
      // Never started: back to the queue with its attempt given back.
      inHand.settle(JobQueue.Settlement.release(job));
      return Future.succeededFuture();
    }
    long started = System.nanoTime();
    Future<JobOutcome> outcome = handle(job);
    if (outcome.isComplete()) {
      // Answered at once (most handlers that ignore an event): no time limit to watch.
      finish(job, started, outcome);
      return Future.succeededFuture();
    }
    Promise<Void> lane = Promise.promise();
    long timer = vertx.setTimer(remainingMs, LogContext.job(job, t -> {
      if (inHand.holds(job)) {
        meters.finished("timeout", System.nanoTime() - started);
        timed(System.nanoTime() - started);
        inHand.settle(timedOut(job, System.nanoTime() - started));
        // A handler cannot be cancelled: its lane stays taken until it answers or a lease
        // has passed, and its retry is not due before that either.
        vertx.setTimer(settings.leaseMs(), l -> lane.tryComplete());
      }
    }));
    outcome.onComplete(LogContext.job(job, ar -> {
      vertx.cancelTimer(timer);
      finish(job, started, outcome);
      lane.tryComplete();
    }));
    return lane.future();
  }

  private void timed(double nanos) {
    meanJobNanos = meanJobNanos < 0 ? nanos : meanJobNanos + 0.05 * (nanos - meanJobNanos);
  }

  private Future<JobOutcome> handle(Job job) {
    try {
      Future<JobOutcome> outcome = handler.handle(job);
      return outcome != null ? outcome : Future.failedFuture(new IllegalStateException("handler returned no outcome"));
    } catch (Throwable e) {
      return Future.failedFuture(e);
    }
  }

  /** Settles a job whose handler has answered, unless its time ran out first. */
  private void finish(Job job, long started, Future<JobOutcome> outcome) {
    if (!inHand.holds(job)) {
      return;
    }
    long took = System.nanoTime() - started;
    timed(took);
    if (outcome.succeeded() && outcome.result() != null) {
      meters.finished(outcome.result().status(), took);
      log.debug("Job {} ({} delivery {}) {} in {} ms", job.id(), queueName, job.deliveryId(), outcome.result().status(),
        TimeUnit.NANOSECONDS.toMillis(took));
      inHand.settle(JobQueue.Settlement.of(job, outcome.result()));
    } else {
      meters.finished("error", took);
      inHand.settle(failed(job, outcome.failed() ? outcome.cause() : new IllegalStateException("handler answered no outcome")));
    }
  }

  private JobQueue.Settlement timedOut(Job job, long tookNanos) {
    String reason = "timed out after " + TimeUnit.NANOSECONDS.toMillis(tookNanos) + " ms";
    FailureCause cause = FailureCause.of(FailureCause.TIMEOUT, "timed out (the handler had not answered within "
      + settings.jobTimeoutMs() + " ms of the claim)");
    if (job.attempt() >= settings.maxAttempts()) {
      return deadLetter(job, "attempt " + job.attempt() + " of " + settings.maxAttempts() + " " + reason, cause);
    }
    long delay = Math.max(settings.backoffMs(job.attempt()), settings.leaseMs());
    timedOut.record(cause, example(job),
      () -> "Job " + describe(job) + " attempt " + job.attempt() + " " + reason + ", retrying in " + delay + " ms");
    meters.retried();
    return JobQueue.Settlement.retry(job, reason, delay);
  }

  private JobQueue.Settlement failed(Job job, Throwable error) {
    String reason = error.getMessage() == null || error instanceof Error ? error.toString() : error.getMessage();
    FailureCause cause = FailureCause.of(error);
    if (error instanceof PermanentJobFailure) {
      return deadLetter(job, reason, cause);
    }
    if (error instanceof RetryLater later) {
      // At least a second, at most an hour (GitHub's rate-limit windows are an hour long).
      long delay = Math.min(MAX_RETRY_LATER_MS, Math.max(1_000, later.at().toEpochMilli() - System.currentTimeMillis()));
      log.info("Job {} ({} delivery {}) attempt {} postponed for {} ms: {}",
        job.id(), queueName, job.deliveryId(), job.attempt(), delay, reason);
      meters.retried();
      return JobQueue.Settlement.later(job, reason, delay);
    }
    if (job.attempt() >= settings.maxAttempts()) {
      return deadLetter(job, "attempt " + job.attempt() + " of " + settings.maxAttempts() + " failed: " + reason, cause);
    }
    long delay = settings.backoffMs(job.attempt());
    retrying.record(cause, example(job),
      () -> "Job " + describe(job) + " attempt " + job.attempt() + " failed, retrying in " + delay + " ms: " + reason);
    meters.retried();
    return JobQueue.Settlement.retry(job, reason, delay);
  }

  private JobQueue.Settlement deadLetter(Job job, String reason, FailureCause cause) {
    dead.record(cause, example(job), () -> "Job " + describe(job) + " dead-lettered: " + reason);
    meters.dead();
    return JobQueue.Settlement.dead(job, reason);
  }

  private String describe(Job job) {
    return job.id() + " (" + queueName + " delivery " + job.deliveryId() + ")";
  }

  private static String example(Job job) {
    return "job " + job.id() + (job.deliveryId() == null ? "" : " (delivery " + job.deliveryId() + ")");
  }
}
