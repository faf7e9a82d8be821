package dev.hookyard.common.testing;

import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;

import java.util.concurrent.TimeUnit;

/** Puts jobs in a state a test needs without running them, as the queue's own settlement would leave them. */
public final class TestJobs {

  private static final String FINISH = """
    WITH f AS (DELETE FROM job_queue WHERE delivery_id = $1 RETURNING *)
    INSERT INTO job_history (id, queue, delivery_id, payload, dedupe_key, priority, status, attempts, result, last_error,
                             created_at, finished_at)
    SELECT id, queue, delivery_id, payload, dedupe_key, priority, $2, greatest(attempts, $3), NULL, coalesce($4, last_error),
           created_at, now()
      FROM f
    """;

  /**
   * Moves the waiting jobs of delivery {@code deliveryId} to the history as {@code status}
   * (done, ignored or dead) after {@code attempts} attempts, with {@code error} as their
   * last error; returns how many moved.
   */
  public static int finish(SqlClient client, String deliveryId, String status, int attempts, String error) throws Exception {
    return client.preparedQuery(FINISH).execute(Tuple.of(deliveryId, status, attempts, error)).await(10, TimeUnit.SECONDS).rowCount();
  }

  private TestJobs() {
  }
}
