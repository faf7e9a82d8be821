package dev.hookyard.gateway;

/** SQL of the deliveries the gateway stores and lists. */
final class DeliveryQueries {

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

  static final String GET = """
    SELECT id, event, action, content_type, signature, body, received_at FROM deliveries WHERE id = $1
    """;

  static final String JOBS_OF = """
    SELECT id, queue, status, attempts, result, last_error, created_at, finished_at
      FROM jobs WHERE delivery_id = $1 ORDER BY id
    """;

  /** Newest deliveries first, each with the status of its latest job; filters are optional. */
  static final String LIST = """
    SELECT d.id, d.event, d.action, d.received_at,
           j.status, j.attempts, j.result, j.last_error
      FROM deliveries d
      LEFT JOIN LATERAL (
        SELECT status, attempts, result, last_error FROM jobs WHERE delivery_id = d.id ORDER BY id DESC LIMIT 1
      ) j ON true
     WHERE ($1::text IS NULL OR d.event = $1) AND ($2::text IS NULL OR j.status = $2)
     ORDER BY d.received_at DESC, d.id
     LIMIT $3
    """;

  /** Deliveries of the last hour, and how many of them ended in the dead letters. */
  static final String HEALTH = """
    SELECT count(*) AS total,
           count(*) FILTER (WHERE EXISTS (SELECT 1 FROM jobs j WHERE j.delivery_id = d.id AND j.status = 'dead')) AS failed,
           (SELECT max(received_at) FROM deliveries) AS last_event_at
      FROM deliveries d
     WHERE d.received_at > now() - interval '1 hour'
    """;

  private DeliveryQueries() {
  }
}
