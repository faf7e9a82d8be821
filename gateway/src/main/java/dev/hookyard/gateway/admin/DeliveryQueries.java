package dev.hookyard.gateway.admin;

/** SQL of the deliveries the gateway stores and lists. */
final class DeliveryQueries {

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

  private DeliveryQueries() {
  }
}
