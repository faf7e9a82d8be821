package dev.hookyard.common.queue;

import dev.hookyard.common.db.Database;
import dev.hookyard.common.testing.TestDatabase;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import io.vertx.sqlclient.Pool;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;

@ExtendWith(VertxExtension.class)
class JobQueueClaimPlanTest {

  /** 3,000 jobs waiting in queue plan-test, numbered by {@code n}. */
  private static final String FILL = "INSERT INTO job_queue (queue, payload) SELECT 'plan-test', jsonb_build_object('n', g) FROM generate_series(1, 3000) g";

  @Test
  @Timeout(60)
  @DisplayName("A claim and a settle after the queue grew from empty find their jobs by key, not by scanning the table as plans from the empty queue would")
  void claimAndSettlePlannedForTheQueueAsItIs(Vertx vertx) throws Exception {
    // One connection: the claims and the statistics read below are the same backend's.
    Pool pool = Database.createPool(vertx, TestDatabase.fresh(), 1);
    JobQueue queue = new JobQueue(pool);
    execute(pool, "VACUUM ANALYZE job_queue");
    // More claims on the empty queue than PostgreSQL makes before it keeps a generic plan.
    for (int i = 0; i < 8; i++) {
      assertThat(queue.claim("plan-test", "worker-1", 50, 60_000).await(10, TimeUnit.SECONDS)).isEmpty();
      // A settlement of a job that is not there, as a late one from an expired lease would be.
      assertThat(queue.settle("worker-1", List.of(new JobQueue.Settlement(-1 - i, 1, "done", null, null, null)))
        .await(10, TimeUnit.SECONDS)).isZero();
    }
    execute(pool, FILL);
    long scansBefore = seqScans(pool);

    List<Job> claimed = queue.claim("plan-test", "worker-1", 50, 60_000).await(10, TimeUnit.SECONDS);

    assertThat(claimed).hasSize(50);
    assertThat(claimed).extracting(j -> j.payload().getInteger("n")).containsExactlyInAnyOrderElementsOf(
      IntStream.rangeClosed(1, 50).boxed().toList());
    assertThat(seqScans(pool) - scansBefore).as("sequential scans of job_queue by the claim").isZero();

    int settled = queue.settle("worker-1", claimed.stream().map(j -> JobQueue.Settlement.of(j, JobOutcome.done())).toList())
      .await(10, TimeUnit.SECONDS);

    assertThat(settled).isEqualTo(50);
    assertThat(seqScans(pool) - scansBefore).as("sequential scans of job_queue by the claim and the settle").isZero();
  }

  @Test
  @Timeout(60)
  @DisplayName("A settle and a renewal after statistics taken on a drained queue read their own jobs by key, not the whole queue's key index")
  void settleAndRenewReadOnlyTheirJobs(Vertx vertx) throws Exception {
    Pool pool = Database.createPool(vertx, TestDatabase.fresh(), 1);
    JobQueue queue = new JobQueue(pool);
    execute(pool, FILL);
    // What autovacuum sees once a burst is drained: one live job in pages full of finished
    // ones, so a density of next to nothing per page, whatever the queue grows to after.
    execute(pool, "DELETE FROM job_queue WHERE id > (SELECT min(id) FROM job_queue)");
    execute(pool, "ANALYZE job_queue");
    execute(pool, FILL);
    List<Job> claimed = queue.claim("plan-test", "worker-1", 50, 60_000).await(10, TimeUnit.SECONDS);
    assertThat(claimed).hasSize(50);

    long before = keyReads(pool);
    assertThat(queue.renew("worker-1", claimed, 60_000).await(10, TimeUnit.SECONDS)).isEqualTo(50);
    long renewReads = keyReads(pool) - before;
    int settled = queue.settle("worker-1", claimed.stream().map(j -> JobQueue.Settlement.of(j, JobOutcome.done())).toList())
      .await(10, TimeUnit.SECONDS);
    long settleReads = keyReads(pool) - before - renewReads;

    assertThat(settled).isEqualTo(50);
    // Each statement reads the 50 claimed rows (the settle once to move them, once to
    // find none left to requeue); walking the key index reads all 3,001.
    assertThat(renewReads).as("job_queue_pkey entries read by the renewal").isLessThanOrEqualTo(150);
    assertThat(settleReads).as("job_queue_pkey entries read by the settle").isLessThanOrEqualTo(300);
  }

  @Test
  @Timeout(60)
  @DisplayName("A claim after statistics taken on a drained queue reads the head of the queue in order, not every waiting job to sort them")
  void claimReadsTheHeadOfTheQueue(Vertx vertx) throws Exception {
    // The session leans the planner away from the ordered scan, as the estimates from a
    // drained queue did in a monorepo run on PostgreSQL 15 (a bitmap of the whole backlog,
    // sorted, at most of its claims): the claim's own settings must win over them.
    Pool pool = Database.createPool(vertx, TestDatabase.fresh().addProperty("enable_indexscan", "off"), 1);
    JobQueue queue = new JobQueue(pool);
    execute(pool, FILL);
    // A drained burst vacuumed: the finished jobs' index entries gone, their pages kept
    // behind the one job still waiting, and statistics of one live row in all of them.
    execute(pool, "DELETE FROM job_queue WHERE id < (SELECT max(id) FROM job_queue)");
    execute(pool, "VACUUM ANALYZE job_queue");
    execute(pool, FILL);

    List<Long> head = new ArrayList<>();
    pool.query("SELECT id FROM job_queue ORDER BY priority DESC, run_at, id LIMIT 50").execute().await(10, TimeUnit.SECONDS)
      .forEach(r -> head.add(r.getLong(0)));

    long before = claimableReads(pool);
    List<Job> claimed = queue.claim("plan-test", "worker-1", 50, 60_000).await(10, TimeUnit.SECONDS);
    long reads = claimableReads(pool) - before;

    assertThat(claimed).extracting(Job::id).containsExactlyInAnyOrderElementsOf(head);
    // In order from the index: the 50 claimed and a few passed over. A bitmap of every
    // waiting job, sorted to take the first 50, reads all 3,001 at every claim.
    assertThat(reads).as("job_queue_claimable entries read by the claim").isLessThanOrEqualTo(200);
  }

  /** Entries read from the index of claimable jobs so far. */
  private static long claimableReads(Pool pool) throws Exception {
    return statistic(pool, "SELECT idx_tup_read FROM pg_stat_user_indexes WHERE indexrelname = 'job_queue_claimable'");
  }

  /** Entries read from job_queue's key index so far. */
  private static long keyReads(Pool pool) throws Exception {
    return statistic(pool, "SELECT idx_tup_read FROM pg_stat_user_indexes WHERE indexrelname = 'job_queue_pkey'");
  }

  /** Sequential scans of job_queue so far. */
  private static long seqScans(Pool pool) throws Exception {
    return statistic(pool, "SELECT seq_scan FROM pg_stat_user_tables WHERE relname = 'job_queue'");
  }

  private static void execute(Pool pool, String sql) throws Exception {
    pool.query(sql).execute().await(10, TimeUnit.SECONDS);
  }

  /** A cumulative statistic read by {@code sql}, with this backend's own counts flushed first. */
  private static long statistic(Pool pool, String sql) throws Exception {
    pool.query("SELECT pg_stat_force_next_flush()").execute().await(10, TimeUnit.SECONDS);
    return pool.query(sql).execute().await(10, TimeUnit.SECONDS).iterator().next().getLong(0);
  }
}
