package dev.hookyard.common.queue;

import dev.hookyard.common.testing.Eventually;
import dev.hookyard.common.db.Database;
import dev.hookyard.common.testing.TestDatabase;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;

import static org.assertj.core.api.Assertions.assertThat;

@ExtendWith(VertxExtension.class)
class JobWorkerTest {

  private Pool pool;
  private JobQueue queue;
  private QueueAdmin admin;

  @BeforeEach
  void setUp(Vertx vertx) {
    pool = Database.createPool(vertx, TestDatabase.fresh(), 4);
    queue = new JobQueue(pool);
    admin = new QueueAdmin(pool);
  }

  private long enqueue(String q, String dedupe) throws Exception {
    return Enqueue.one(pool, q, new JsonObject().put("n", 1), dedupe, 0)
      .await(10, TimeUnit.SECONDS).orElseThrow();
  }

  private Row job(long id) throws Exception {
    return pool.preparedQuery("SELECT * FROM jobs WHERE id = $1").execute(Tuple.of(id))
      .await(10, TimeUnit.SECONDS).iterator().next();
  }

  private Row awaitJob(long id, Predicate<Row> done) throws Exception {
    return Eventually.until(Duration.ofSeconds(20), "job " + id, () -> job(id), done);
  }

  private void deploy(Vertx vertx, String q, JobHandler handler, QueueSettings settings) throws Exception {
    vertx.deployVerticle(new JobWorker(queue, q, handler, settings)).await(10, TimeUnit.SECONDS);
  }

  @Test
  @DisplayName("A job that keeps failing is retried with doubling backoff, dead-lettered after max attempts, and runs again when retried")
  void retryBackoffDeadLetterAndRetry(Vertx vertx) throws Exception {
    List<Long> attemptsAt = new CopyOnWriteArrayList<>();
    AtomicInteger succeedFrom = new AtomicInteger(Integer.MAX_VALUE);
    JobHandler flaky = job -> {
      attemptsAt.add(System.nanoTime());
      return attemptsAt.size() >= succeedFrom.get()
        ? Future.succeededFuture(JobOutcome.done())
        : Future.failedFuture(new IllegalStateException("downstream unavailable"));
    };
    deploy(vertx, "test.flaky", flaky, QueueSettings.defaults().withBackoff(300, 10_000).withPoll(50));

    long id = enqueue("test.flaky", null);
    Row dead = awaitJob(id, r -> r.getString("status").equals("dead"));

    assertThat(dead.getString("status")).isEqualTo("dead");
    assertThat(dead.getInteger("attempts")).isEqualTo(3);
    assertThat(dead.getString("last_error")).contains("attempt 3 of 3 failed").contains("downstream unavailable");
    assertThat(attemptsAt).hasSize(3);
    long firstGapMs = (attemptsAt.get(1) - attemptsAt.get(0)) / 1_000_000;
    long secondGapMs = (attemptsAt.get(2) - attemptsAt.get(1)) / 1_000_000;
    assertThat(firstGapMs).isGreaterThanOrEqualTo(290);
    assertThat(secondGapMs).isGreaterThanOrEqualTo(590);

    var deadLetters = admin.dead(10).await(10, TimeUnit.SECONDS);
    assertThat(deadLetters).hasSize(1);
    assertThat(deadLetters.getJsonObject(0).getString("reason")).contains("downstream unavailable");

    succeedFrom.set(4);
    assertThat(admin.retry(id).await(10, TimeUnit.SECONDS)).contains("test.flaky");
    Enqueue.wake(vertx, "test.flaky");
    Row retried = awaitJob(id, r -> r.getString("status").equals("done"));
    assertThat(retried.getString("status")).isEqualTo("done");
    assertThat(retried.getInteger("attempts")).isEqualTo(1);
    assertThat(admin.retry(id).await(10, TimeUnit.SECONDS)).isEmpty();
  }

  @Test
  @DisplayName("A permanent failure dead-letters the job at once with its reason")
  void permanentFailureIsDeadAtOnce(Vertx vertx) throws Exception {
    AtomicInteger runs = new AtomicInteger();
    deploy(vertx, "test.permanent", job -> {
      runs.incrementAndGet();
      throw new PermanentJobFailure("payload is not a JSON object");
    }, QueueSettings.defaults().withPoll(50));

    long id = enqueue("test.permanent", null);
    Row dead = awaitJob(id, r -> r.getString("status").equals("dead"));

    assertThat(dead.getString("status")).isEqualTo("dead");
    assertThat(dead.getInteger("attempts")).isEqualTo(1);
    assertThat(dead.getString("last_error")).isEqualTo("payload is not a JSON object");
    assertThat(runs.get()).isEqualTo(1);
  }

  @Test
  @DisplayName("A job whose worker died is claimed again once its lease expires, and finished")
  void expiredLeaseIsRescued(Vertx vertx) throws Exception {
    long id = enqueue("test.lease", null);
    List<Job> claimedByDeadWorker = queue.claim("test.lease", "worker-that-dies", 10, 300).await(10, TimeUnit.SECONDS);
    assertThat(claimedByDeadWorker).extracting(Job::id).containsExactly(id);
    assertThat(queue.claim("test.lease", "other", 10, 300).await(10, TimeUnit.SECONDS)).isEmpty();

    List<Job> seen = new CopyOnWriteArrayList<>();
    deploy(vertx, "test.lease", job -> {
      seen.add(job);
      return Future.succeededFuture(JobOutcome.done());
    }, QueueSettings.defaults().withPoll(50));

    Row done = awaitJob(id, r -> r.getString("status").equals("done"));
    assertThat(done.getString("status")).isEqualTo("done");
    assertThat(done.getInteger("attempts")).isEqualTo(2);
    assertThat(seen).hasSize(1);
    assertThat(seen.get(0).previousRunExpired()).isTrue();

    // The dead worker's late answer must not overwrite the rescued job.
    int changed = queue.settle("worker-that-dies",
      List.of(JobQueue.Settlement.dead(claimedByDeadWorker.get(0), "late"))).await(10, TimeUnit.SECONDS);
    assertThat(changed).isZero();
    assertThat(job(id).getString("status")).isEqualTo("done");
  }

  @Test
  @DisplayName("A job whose lease expired on its last attempt is dead-lettered, not run again")
  void expiredLeaseOnLastAttemptIsDead(Vertx vertx) throws Exception {
    long id = enqueue("test.lease-last", null);
    pool.preparedQuery("UPDATE job_queue SET attempts = 2 WHERE id = $1").execute(Tuple.of(id)).await(10, TimeUnit.SECONDS);
    queue.claim("test.lease-last", "worker-that-dies", 10, 200).await(10, TimeUnit.SECONDS);

    AtomicInteger runs = new AtomicInteger();
    deploy(vertx, "test.lease-last", job -> {
      runs.incrementAndGet();
      return Future.succeededFuture(JobOutcome.done());
    }, QueueSettings.defaults().withPoll(50));

    Row dead = awaitJob(id, r -> r.getString("status").equals("dead"));
    assertThat(dead.getString("status")).isEqualTo("dead");
    assertThat(dead.getString("last_error")).contains("lease expired on attempt 3 of 3");
    assertThat(runs.get()).isZero();
  }

  @Test
  @DisplayName("A batch that takes longer than the lease is run once per job: each job settles as it ends and the rest keep their leases")
  void slowBatchRunsOncePerJob(Vertx vertx) throws Exception {
    List<Long> ids = new java.util.ArrayList<>();
    for (int i = 0; i < 4; i++) {
      ids.add(enqueue("test.slow", null));
    }
    java.util.Map<Long, AtomicInteger> runs = new java.util.concurrent.ConcurrentHashMap<>();
    JobHandler slow = job -> {
      runs.computeIfAbsent(job.id(), k -> new AtomicInteger()).incrementAndGet();
      return vertx.timer(300).map(t -> JobOutcome.done());
    };
    // One lane, a 400 ms lease: the fourth job ends 1.2 s after the claim. Two workers compete.
    QueueSettings settings = QueueSettings.defaults().withPoll(50).withLease(400, 10_000).withLanes(4, 1);
    deploy(vertx, "test.slow", slow, settings);
    deploy(vertx, "test.slow", slow, settings);

    for (long id : ids) {
      assertThat(awaitJob(id, r -> r.getString("status").equals("done")).getString("status")).isEqualTo("done");
    }
    assertThat(runs).hasSize(4);
    assertThat(runs.values()).allSatisfy(n -> assertThat(n.get()).isEqualTo(1));
    assertThat(ids).allSatisfy(id -> {
      try {
        assertThat(job(id).getInteger("attempts")).isEqualTo(1);
      } catch (Exception e) {
        throw new AssertionError(e);
      }
    });
  }

  @Test
  @DisplayName("A job that hangs holds one lane only: the rest of the queue keeps flowing past it")
  void hungJobHoldsOneLane(Vertx vertx) throws Exception {
    long hung = enqueue("test.hol", "hol-hung");
    List<Long> quick = new java.util.ArrayList<>();
    for (int i = 0; i < 30; i++) {
      quick.add(enqueue("test.hol", "hol-" + i));
    }
    deploy(vertx, "test.hol", job -> job.id() == hung ? io.vertx.core.Promise.<JobOutcome>promise().future()
        : Future.succeededFuture(JobOutcome.done()),
      QueueSettings.defaults().withPoll(50).withLease(10_000, 30_000).withLanes(5, 2));
    long started = System.nanoTime();
    for (long id : quick) {
      assertThat(awaitJob(id, r -> r.getString("status").equals("done")).getString("status")).isEqualTo("done");
    }
    assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(10));
    assertThat(job(hung).getString("status")).isEqualTo("running");
  }

  @Test
  @DisplayName("A handler that throws an Error is settled as a failure and the worker goes on with the next job")
  void errorIsAFailure(Vertx vertx) throws Exception {
    long bad = enqueue("test.error", "error-bad");
    long good = enqueue("test.error", "error-good");
    deploy(vertx, "test.error", job -> {
      if (job.id() == bad) {
        throw new AssertionError("invariant broken");
      }
      return Future.succeededFuture(JobOutcome.done());
    }, QueueSettings.defaults().withPoll(50).withBackoff(60_000, 60_000));

    Row failed = awaitJob(bad, r -> r.getString("status").equals("failed"));
    assertThat(failed.getString("status")).isEqualTo("failed");
    assertThat(failed.getString("last_error")).contains("invariant broken");
    assertThat(awaitJob(good, r -> r.getString("status").equals("done")).getString("status")).isEqualTo("done");
  }

  @Test
  @DisplayName("A handler that never answers is timed out counted from its claim, and its retry is not due before a lease has passed")
  void silentHandlerTimesOut(Vertx vertx) throws Exception {
    long id = enqueue("test.silent", null);
    AtomicInteger runs = new AtomicInteger();
    deploy(vertx, "test.silent", job -> {
      runs.incrementAndGet();
      return io.vertx.core.Promise.<JobOutcome>promise().future();
    }, QueueSettings.defaults().withPoll(50).withBackoff(10, 10).withLease(2_000, 300));

    Row failed = awaitJob(id, r -> r.getString("status").equals("failed"));
    assertThat(failed.getString("status")).isEqualTo("failed");
    assertThat(failed.getString("last_error")).contains("timed out");
    Row timing = pool.preparedQuery("SELECT extract(epoch FROM run_at - updated_at) * 1000 AS delay_ms FROM jobs WHERE id = $1")
      .execute(Tuple.of(id)).await(10, TimeUnit.SECONDS).iterator().next();
    assertThat(timing.getDouble("delay_ms")).isGreaterThanOrEqualTo(1_900.0);
    Thread.sleep(500);
    assertThat(runs.get()).isEqualTo(1);
  }

  @Test
  @DisplayName("A dedupe key makes a second enqueue of the same work a no-op")
  void dedupeKey(Vertx vertx) throws Exception {
    enqueue("test.dedupe", "repo:1:sha:abc");
    var second = Enqueue.one(pool, "test.dedupe", new JsonObject(), "repo:1:sha:abc", 0).await(10, TimeUnit.SECONDS);
    assertThat(second).isEmpty();
    long count = pool.query("SELECT count(*) FROM jobs WHERE queue = 'test.dedupe'").execute()
      .await(10, TimeUnit.SECONDS).iterator().next().getLong(0);
    assertThat(count).isEqualTo(1);
  }

  @Test
  @DisplayName("A dedupe key stays taken after its job has finished and moved to the history; a batch naming one key twice queues it once")
  void dedupeKeyOutlivesItsJob(Vertx vertx) throws Exception {
    long id = enqueue("test.keys", "repo:1:sha:def");
    deploy(vertx, "test.keys", job -> Future.succeededFuture(JobOutcome.done()), QueueSettings.defaults().withPoll(50));
    assertThat(awaitJob(id, r -> r.getString("status").equals("done")).getString("status")).isEqualTo("done");
    assertThat(pool.query("SELECT count(*) FROM job_queue").execute().await(10, TimeUnit.SECONDS).iterator().next().getLong(0))
      .isZero();

    assertThat(Enqueue.one(pool, "test.keys", new JsonObject(), "repo:1:sha:def", 0).await(10, TimeUnit.SECONDS)).isEmpty();
    int created = Enqueue.all(pool, "test.keys-batch", List.of(new JsonObject().put("n", 1), new JsonObject().put("n", 2),
        new JsonObject().put("n", 3), new JsonObject().put("n", 4)), Arrays.asList("k", "k", null, "repo:1:sha:def"), 0)
      .await(10, TimeUnit.SECONDS);
    assertThat(created).isEqualTo(2);
    assertThat(pool.query("SELECT count(*) FROM jobs WHERE queue = 'test.keys-batch' AND dedupe_key = 'k'").execute()
      .await(10, TimeUnit.SECONDS).iterator().next().getLong(0)).isEqualTo(1);
  }

  @Test
  @DisplayName("While acknowledgements are slow, the workers of a process run one lane between them; then all lanes again")
  void slowAcknowledgementsHoldProcessingToOneLane(Vertx vertx) throws Exception {
    for (String q : List.of("test.first-a", "test.first-b")) {
      pool.preparedQuery("INSERT INTO job_queue (queue, payload) SELECT $1, jsonb_build_object('n', g) FROM generate_series(1, 30) g")
        .execute(Tuple.of(q)).await(10, TimeUnit.SECONDS);
    }
    IngestFirst first = IngestFirst.of(vertx).target(5);
    AtomicInteger now = new AtomicInteger();
    AtomicInteger most = new AtomicInteger();
    AtomicInteger finished = new AtomicInteger();
    JobHandler slow = job -> {
      most.accumulateAndGet(now.incrementAndGet(), Math::max);
      return Future.future(p -> vertx.setTimer(20, t -> {
        now.decrementAndGet();
        finished.incrementAndGet();
        p.complete(JobOutcome.done());
      }));
    };
    // The gateway reports slow acknowledgements, three at first, then one every 50 ms for the first 30 jobs.
    long reports = vertx.setPeriodic(50, t -> first.acknowledged(TimeUnit.MILLISECONDS.toNanos(50)));
    for (int i = 0; i < 3; i++) {
      first.acknowledged(TimeUnit.MILLISECONDS.toNanos(50));
    }
    QueueSettings four = QueueSettings.defaults().withPoll(50).withLanes(QueueSettings.defaults().batchSize(), 4);
    deploy(vertx, "test.first-a", slow, four);
    deploy(vertx, "test.first-b", slow, four);
    Eventually.until("30 jobs finished", () -> finished.get() >= 30);
    assertThat(most.get()).as("lanes at once while slow").isEqualTo(1);
    vertx.cancelTimer(reports);
    Eventually.until("60 jobs finished", () -> finished.get() >= 60);
    assertThat(finished.get()).isEqualTo(60);
    assertThat(most.get()).as("lanes at once once quick again").isGreaterThan(1);
  }

  @Test
  @DisplayName("One or two slow acknowledgements among quick ones hold nothing back; three within the window do")
  void aSlowAcknowledgementAloneHoldsNothing(Vertx vertx) throws Exception {
    IngestFirst first = IngestFirst.of(vertx).target(5);
    long slow = TimeUnit.MILLISECONDS.toNanos(50);
    long quick = TimeUnit.MILLISECONDS.toNanos(1);
    first.acknowledged(slow);
    first.acknowledged(quick);
    first.acknowledged(slow);
    assertThat(first.slow()).as("after two slow acknowledgements").isFalse();
    Thread.sleep(IngestFirst.SLOW_WINDOW_MS + 50);
    first.acknowledged(slow);
    first.acknowledged(slow);
    assertThat(first.slow()).as("the fourth, once the first two are out of the window").isFalse();
    first.acknowledged(slow);
    assertThat(first.slow()).as("three within the window").isTrue();
  }

  @Test
  @DisplayName("A gateway's report of slow acknowledgements on the event bus holds back the processing that listens")
  void slowAcknowledgementsElsewhere(Vertx vertx) throws Exception {
    IngestFirst first = IngestFirst.of(vertx);
    first.listen().await(10, TimeUnit.SECONDS);
    assertThat(first.slow()).isFalse();
    vertx.eventBus().publish(dev.hookyard.common.Addresses.INGEST_SLOW, null);
    Eventually.until(Duration.ofSeconds(5), "processing held back", first::slow);
  }

  @Test
  @DisplayName("A worker claims no further ahead than its slow jobs will start, so another worker can take the rest")
  void slowJobsAreNotHoarded(Vertx vertx) throws Exception {
    pool.query("INSERT INTO job_queue (queue, payload) SELECT 'test.slow', jsonb_build_object('n', g) FROM generate_series(1, 20) g")
      .execute().await(10, TimeUnit.SECONDS);
    JobHandler slow = job -> Future.future(p -> vertx.setTimer(80, t -> p.complete(JobOutcome.done())));
    // One lane and the default batch size (500): before, a claim took the whole backlog.
    deploy(vertx, "test.slow", slow, QueueSettings.defaults().withPoll(50).withLanes(QueueSettings.defaults().batchSize(), 1));
    AtomicLong most = new AtomicLong();
    Eventually.until("the backlog worked off", () -> {
      Row r = pool.query("SELECT count(*) FILTER (WHERE status = 'running'), count(*) FROM job_queue WHERE queue = 'test.slow'")
        .execute().await(10, TimeUnit.SECONDS).iterator().next();
      most.accumulateAndGet(r.getLong(0), Math::max);
      return r.getLong(1) == 0;
    });
    long held = most.get();
    // One running, two claimed ahead, and finished ones still in the settle batch; never the backlog.
    assertThat(held).isBetween(1L, 6L);
  }

  @Test
  @DisplayName("A batch handler gets a backlog in batches, each job settled with its own outcome; a batch that fails runs job by job, so only the bad job fails")
  void batchesAndTheirFallback(Vertx vertx) throws Exception {
    pool.query("INSERT INTO job_queue (queue, payload) SELECT 'test.batch', jsonb_build_object('n', g) FROM generate_series(1, 300) g")
      .execute().await(10, TimeUnit.SECONDS);
    List<Integer> batches = new CopyOnWriteArrayList<>();
    AtomicInteger alone = new AtomicInteger();
    BatchJobHandler handler = new BatchJobHandler() {
      @Override
      public Future<JobOutcome> handle(Job job) {
        alone.incrementAndGet();
        int n = job.payload().getInteger("n");
        return n == 150 ? Future.failedFuture(new PermanentJobFailure("job 150 is bad")) : Future.succeededFuture(JobOutcome.done("alone " + n));
      }

      @Override
      public Future<List<JobOutcome>> handleAll(List<Job> jobs) {
        batches.add(jobs.size());
        if (jobs.stream().anyMatch(j -> j.payload().getInteger("n") == 150)) {
          return Future.failedFuture(new IllegalStateException("one bad job spoils the batch"));
        }
        return Future.succeededFuture(jobs.stream().map(j -> JobOutcome.done("batched " + j.payload().getInteger("n"))).toList());
      }

      @Override
      public int maxBatch() {
        return 40;
      }
    };
    deploy(vertx, "test.batch", handler, QueueSettings.defaults().withPoll(50));
    Eventually.until("every batch job settled", () -> pool.query("SELECT count(*) FROM job_queue WHERE queue = 'test.batch'").execute()
      .await(10, TimeUnit.SECONDS).iterator().next().getLong(0) == 0);
    Row counts = pool.query("SELECT count(*) FILTER (WHERE status = 'done'), count(*) FILTER (WHERE status = 'dead'), "
        + "count(*) FILTER (WHERE result LIKE 'batched %'), count(*) FROM jobs WHERE queue = 'test.batch'")
      .execute().await(10, TimeUnit.SECONDS).iterator().next();
    assertThat(counts.getLong(0)).isEqualTo(299);
    assertThat(counts.getLong(1)).isEqualTo(1);
    assertThat(counts.getLong(3)).isEqualTo(300);
    // Most jobs went in batches, none larger than the handler takes; only the spoilt batch ran alone.
    assertThat(batches).allMatch(n -> n <= 40);
    assertThat(batches.stream().mapToInt(Integer::intValue).max().orElse(0)).isGreaterThan(1);
    assertThat(counts.getLong(2)).isGreaterThan(200);
    assertThat(alone.get()).isBetween(1, 300 - counts.getLong(2).intValue());
    Row bad = pool.query("SELECT last_error FROM jobs WHERE queue = 'test.batch' AND status = 'dead'").execute()
      .await(10, TimeUnit.SECONDS).iterator().next();
    assertThat(bad.getString(0)).contains("job 150 is bad");
  }

  @Test
  @DisplayName("Every job of a large backlog is finished exactly once by several workers")
  void backlogDrainedOnceBySeveralWorkers(Vertx vertx) throws Exception {
    pool.query("INSERT INTO job_queue (queue, payload) SELECT 'test.bulk', jsonb_build_object('n', g) FROM generate_series(1, 2000) g")
      .execute().await(10, TimeUnit.SECONDS);
    AtomicInteger runs = new AtomicInteger();
    JobHandler count = job -> {
      runs.incrementAndGet();
      return Future.succeededFuture(JobOutcome.done());
    };
    for (int i = 0; i < 3; i++) {
      deploy(vertx, "test.bulk", count, QueueSettings.defaults().withPoll(50));
    }
    long done = Eventually.until(Duration.ofSeconds(60), "2000 jobs done", () -> pool.query(
        "SELECT count(*) FROM jobs WHERE queue = 'test.bulk' AND status = 'done'").execute()
      .await(10, TimeUnit.SECONDS).iterator().next().getLong(0), n -> n >= 2000);
    assertThat(done).isEqualTo(2000);
    assertThat(runs.get()).isEqualTo(2000);
    JsonObject stats = admin.stats().await(10, TimeUnit.SECONDS).getJsonObject("test.bulk");
    assertThat(stats.getLong("done")).isEqualTo(2000L);
    assertThat(stats.getLong("queued")).isZero();
  }

  @Test
  @DisplayName("Undeploying a worker waits for the jobs in hand, which end done rather than abandoned")
  void stopDrainsJobsInHand(Vertx vertx) throws Exception {
    long id = enqueue("test.drain", null);
    io.vertx.core.Promise<Void> started = io.vertx.core.Promise.promise();
    JobHandler slow = job -> {
      started.tryComplete();
      return io.vertx.core.Future.<JobOutcome>future(p -> vertx.setTimer(700, t -> p.complete(JobOutcome.done())));
    };
    String deployment = vertx.deployVerticle(new JobWorker(queue, "test.drain", slow, QueueSettings.defaults().withPoll(50)))
      .await(10, TimeUnit.SECONDS);
    started.future().await(10, TimeUnit.SECONDS);
    assertThat(job(id).getString("status")).isEqualTo("running");

    vertx.undeploy(deployment).await(10, TimeUnit.SECONDS);

    assertThat(job(id).getString("status")).isEqualTo("done");
  }

  @Test
  @DisplayName("Debounced requests share one queued job; once it is claimed, the next request queues a new one")
  void debouncedJobs() throws Exception {
    JsonObject payload = new JsonObject().put("repository_id", 7);
    for (int i = 0; i < 3; i++) {
      Enqueue.debounced(pool, "test.debounced", payload, "metrics:7", 0).await(10, TimeUnit.SECONDS);
    }
    Enqueue.debounced(pool, "test.debounced", payload, "metrics:8", 0).await(10, TimeUnit.SECONDS);
    String countKey7 = "SELECT count(*) FROM jobs WHERE pending_key = 'metrics:7'";
    assertThat(pool.query(countKey7).execute().await(10, TimeUnit.SECONDS).iterator().next().getLong(0)).isEqualTo(1);

    List<Job> claimed = queue.claim("test.debounced", "w1", 10, 60_000).await(10, TimeUnit.SECONDS);
    assertThat(claimed).hasSize(2);
    assertThat(Enqueue.debounced(pool, "test.debounced", payload, "metrics:7", 5_000).await(10, TimeUnit.SECONDS))
      .as("a new job while the first one runs").isPresent();
    assertThat(Enqueue.debounced(pool, "test.debounced", payload, "metrics:7", 5_000).await(10, TimeUnit.SECONDS))
      .as("absorbed by the queued one").isEmpty();
    assertThat(pool.query(countKey7).execute().await(10, TimeUnit.SECONDS).iterator().next().getLong(0)).isEqualTo(2);
    assertThat(queue.claim("test.debounced", "w1", 10, 60_000).await(10, TimeUnit.SECONDS))
      .as("the new job waits for its delay").isEmpty();
  }
}
