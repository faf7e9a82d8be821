package dev.hookyard.gateway.ingest;

/** SQL of storing deliveries and of the webhook health figures. */
final class IngestQueries {

  /**
   * Stores a batch of {@code rows} deliveries and one job each, in one statement and so
   * one transaction. $1 and $2 are the ids and queues of the batch; each row then takes
   * six parameters. A GUID already stored inserts nothing and returns no row.
   * Rows are bound one parameter per value: PostgreSQL unnests an array of
   * multi-kilobyte bodies about four times slower than it reads a VALUES list.
   */
  static String storeBatch(int rows) {
    StringBuilder sql = new StringBuilder(64 + rows * 40).append("""
      WITH stored AS (
        INSERT INTO deliveries (id, event, action, content_type, signature, body) VALUES
      """);
    for (int r = 0; r < rows; r++) {
      int p = 3 + r * 6;
      sql.append(r == 0 ? "  (" : ", (");
      for (int c = 0; c < 6; c++) {
        sql.append(c == 0 ? "$" : ", $").append(p + c);
      }
      sql.append(')');
    }
    return sql.append("""

        ON CONFLICT (id) DO NOTHING
        RETURNING id
      )
      INSERT INTO jobs (queue, delivery_id)
      SELECT q.queue, stored.id FROM stored JOIN unnest($1::text[], $2::text[]) AS q(id, queue) ON q.id = stored.id
      RETURNING delivery_id
      """).toString();
  }

  /** Deliveries of the last hour, and how many of them ended in the dead letters. */
  static final String HEALTH = """
    SELECT count(*) AS total,
           count(*) FILTER (WHERE EXISTS (SELECT 1 FROM jobs j WHERE j.delivery_id = d.id AND j.status = 'dead')) AS failed,
           (SELECT max(received_at) FROM deliveries) AS last_event_at
      FROM deliveries d
     WHERE d.received_at > now() - interval '1 hour'
    """;

  private IngestQueries() {
  }
}
