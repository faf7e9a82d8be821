package dev.hookyard.common.queue;

import dev.hookyard.common.db.Database;
import dev.hookyard.common.testing.TestDatabase;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

@ExtendWith(VertxExtension.class)
class QueueStatsTest {

  private static final String QUEUE = "stats-test";

  @Test
  @Timeout(60)
  @DisplayName("Finished jobs in the stats follow the history through settles on several connections, a retried dead letter and a retention delete")
  void finishedCountsFollowTheHistory(Vertx vertx) throws Exception {
    Pool pool = Database.createPool(vertx, TestDatabase.fresh(), 4);
    JobQueue queue = new JobQueue(pool);
    QueueAdmin admin = new QueueAdmin(pool);
    for (int i = 0; i < 12; i++) {
      Enqueue.one(pool, QUEUE, new JsonObject().put("n", i), null, 0).await(10, TimeUnit.SECONDS);
    }
    // Three workers settle four jobs each, at once, on the pool's connections.
    List<Job> a = queue.claim(QUEUE, "w-a", 4, 60_000).await(10, TimeUnit.SECONDS);
    List<Job> b = queue.claim(QUEUE, "w-b", 4, 60_000).await(10, TimeUnit.SECONDS);
    List<Job> c = queue.claim(QUEUE, "w-c", 4, 60_000).await(10, TimeUnit.SECONDS);
    Future.all(
      queue.settle("w-a", a.stream().map(j -> JobQueue.Settlement.of(j, JobOutcome.done())).toList()),
      queue.settle("w-b", List.of(JobQueue.Settlement.of(b.get(0), JobOutcome.done()), JobQueue.Settlement.of(b.get(1), JobOutcome.ignored("no")),
        JobQueue.Settlement.dead(b.get(2), "boom"), JobQueue.Settlement.dead(b.get(3), "boom"))),
      queue.settle("w-c", List.of(JobQueue.Settlement.of(c.get(0), JobOutcome.done()), JobQueue.Settlement.retry(c.get(1), "later", 60_000))))
      .await(10, TimeUnit.SECONDS);

    assertThat(finished(admin)).isEqualTo(Map.of("dead", 2L, "done", 6L, "ignored", 1L));
    assertThat(finished(admin)).isEqualTo(counted(pool));

    assertThat(admin.retry(b.get(2).id()).await(10, TimeUnit.SECONDS)).contains(QUEUE);
    assertThat(finished(admin)).containsEntry("dead", 1L);
    assertThat(finished(admin)).isEqualTo(counted(pool));

    pool.query("DELETE FROM job_history WHERE status = 'done'").execute().await(10, TimeUnit.SECONDS);
    assertThat(finished(admin)).isEqualTo(Map.of("dead", 1L, "done", 0L, "ignored", 1L));
    assertThat(finished(admin)).isEqualTo(counted(pool));
  }

  /** The stats' done, ignored and dead for the test queue. */
  private static Map<String, Long> finished(QueueAdmin admin) throws Exception {
    JsonObject q = admin.stats().await(10, TimeUnit.SECONDS).getJsonObject(QUEUE);
    Map<String, Long> out = new TreeMap<>();
    for (String s : List.of("done", "ignored", "dead")) {
      out.put(s, q.getLong(s));
    }
    return out;
  }

  /** The same figures counted in the history itself. */
  private static Map<String, Long> counted(Pool pool) throws Exception {
    Map<String, Long> out = new TreeMap<>(Map.of("done", 0L, "ignored", 0L, "dead", 0L));
    for (Row r : pool.preparedQuery("SELECT status, count(*) AS n FROM job_history WHERE queue = $1 GROUP BY status")
      .execute(Tuple.of(QUEUE)).await(10, TimeUnit.SECONDS)) {
      out.put(r.getString("status"), r.getLong("n"));
    }
    return out;
  }
}
