package dev.hookyard.common.queue;

import dev.hookyard.common.db.Database;
import dev.hookyard.common.testing.TestDatabase;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

@ExtendWith(VertxExtension.class)
class JobQueueSettleTest {

  private Pool pool;
  private JobQueue queue;

  @BeforeEach
  void setUp(Vertx vertx) {
    pool = Database.createPool(vertx, TestDatabase.fresh(), 4);
    queue = new JobQueue(pool);
  }

  private List<Job> claimThree() throws Exception {
    for (int i = 0; i < 3; i++) {
      Enqueue.one(pool, "settle-test", new JsonObject().put("n", i), null, 0).await(10, TimeUnit.SECONDS);
    }
    List<Job> jobs = queue.claim("settle-test", "worker-1", 10, 60_000).await(10, TimeUnit.SECONDS);
    assertThat(jobs).hasSize(3);
    return jobs;
  }

  private Row job(long id) throws Exception {
    return pool.preparedQuery("SELECT status, result, last_error FROM jobs WHERE id = $1").execute(Tuple.of(id))
      .await(10, TimeUnit.SECONDS).iterator().next();
  }

  @Test
  @Timeout(30)
  @DisplayName("A NUL in a job's result or error settles that job and its batch-mates, the text stored without it")
  void nulInTexts() throws Exception {
    List<Job> jobs = claimThree();

    int changed = queue.settle("worker-1", List.of(
      JobQueue.Settlement.of(jobs.get(0), JobOutcome.done("kept \u0000note")),
      JobQueue.Settlement.retry(jobs.get(1), "payload said \u0000boom", 1_000),
      JobQueue.Settlement.of(jobs.get(2), JobOutcome.ignored("nothing to do")))).await(10, TimeUnit.SECONDS);

    assertThat(changed).isEqualTo(3);
    assertThat(job(jobs.get(0).id()).getString("status")).isEqualTo("done");
    assertThat(job(jobs.get(0).id()).getString("result")).isEqualTo("kept note");
    assertThat(job(jobs.get(1).id()).getString("status")).isEqualTo("failed");
    assertThat(job(jobs.get(1).id()).getString("last_error")).isEqualTo("payload said boom");
    assertThat(job(jobs.get(2).id()).getString("status")).isEqualTo("ignored");
  }

  @Test
  @Timeout(30)
  @DisplayName("A settlement PostgreSQL refuses fails alone: the batch is settled one by one and the others are written")
  void refusedSettlementFailsAlone() throws Exception {
    List<Job> jobs = claimThree();

    // A status the jobs table's CHECK constraint refuses (SQL state 23514) stands for any bad value.
    int changed = queue.settle("worker-1", List.of(
      JobQueue.Settlement.of(jobs.get(0), JobOutcome.done()),
      new JobQueue.Settlement(jobs.get(1).id(), jobs.get(1).attempt(), "bogus", null, null, null),
      JobQueue.Settlement.of(jobs.get(2), JobOutcome.done("fine")))).await(10, TimeUnit.SECONDS);

    assertThat(changed).isEqualTo(2);
    assertThat(job(jobs.get(0).id()).getString("status")).isEqualTo("done");
    assertThat(job(jobs.get(2).id()).getString("status")).isEqualTo("done");
    // The refused one stays in its lease and is rescued when it expires.
    assertThat(job(jobs.get(1).id()).getString("status")).isEqualTo("running");
  }
}
