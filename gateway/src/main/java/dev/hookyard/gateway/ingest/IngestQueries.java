package dev.hookyard.gateway.ingest;

/** SQL of storing deliveries and of the webhook health figures. */
public final class IngestQueries {

  /** Rows per minute in {@code delivery_counts}: one per delivery store, give or take a collision. */
  static final int COUNTER_SHARDS = 64;

  /**
   * Stores a batch of {@code rows} deliveries and one job each, in one statement and so
   * one transaction. $1 and $2 are the ids and queues of the batch, $3 the store's
   * counter shard; each row then takes seven parameters. A GUID already stored inserts
   * nothing and returns no row.
   * Rows are bound one parameter per value: PostgreSQL unnests an array of
   * multi-kilobyte bodies about four times slower than it reads a VALUES list.
   * <p>
   * The same statement adds the deliveries it stored to this minute's counter (a ring of
   * 60 minute slots per shard), so the health figures read at most 60 × shards small rows
   * instead of counting an hour of deliveries.
   */
  static String storeBatch(int rows) {
    StringBuilder sql = new StringBuilder(64 + rows * 40).append("""
      WITH stored AS (
        INSERT INTO deliveries (id, event, action, repository, content_type, signature, body) VALUES
      """);
    for (int r = 0; r < rows; r++) {
      int p = 4 + r * 7;
      sql.append(r == 0 ? "  (" : ", (");
      for (int c = 0; c < 7; c++) {
        sql.append(c == 0 ? "$" : ", $").append(p + c);
      }
      sql.append(')');
    }
    return sql.append("""

        ON CONFLICT (id) DO NOTHING
        RETURNING id
      ), counted AS (
        INSERT INTO delivery_counts AS c (slot, shard, minute_start, total)
        SELECT (floor(extract(epoch FROM now()) / 60)::bigint % 60)::smallint, $3::smallint, date_trunc('minute', now()), count(*)
          FROM stored HAVING count(*) > 0
        ON CONFLICT (slot, shard) DO UPDATE
          SET total = CASE WHEN c.minute_start = excluded.minute_start THEN c.total + excluded.total ELSE excluded.total END,
              minute_start = excluded.minute_start
      )
      INSERT INTO job_queue (queue, delivery_id)
      SELECT q.queue, stored.id FROM stored JOIN unnest($1::text[], $2::text[]) AS q(id, queue) ON q.id = stored.id
      RETURNING delivery_id
      """).toString();
  }

  /**
   * The webhook health figures, each from a bounded read: deliveries of the last hour
   * from the minute counters (at most 60 × shards rows), failed ones from the dead-letter
   * index (jobs dead-lettered in the last hour — a job dies after its delivery arrived),
   * and the latest arrival from the end of the {@code received_at} index.
   */
  public static final String HEALTH = """
    SELECT (SELECT coalesce(sum(total), 0) FROM delivery_counts WHERE minute_start > now() - interval '1 hour')::bigint AS total,
           (SELECT count(DISTINCT j.delivery_id) FROM job_history j JOIN deliveries d ON d.id = j.delivery_id
             WHERE j.status = 'dead' AND j.finished_at > now() - interval '1 hour'
               AND d.received_at > now() - interval '1 hour') AS failed,
           (SELECT max(received_at) FROM deliveries) AS last_event_at
    """;

  private IngestQueries() {
  }
}
