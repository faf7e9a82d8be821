package dev.hookyard.gateway.admin;

/** SQL of the deliveries the gateway stores and lists. */
final class DeliveryQueries {

  static final String GET = """
    SELECT id, event, action, repository, content_type, signature, body, received_at FROM deliveries WHERE id = $1
    """;

  static final String JOBS_OF = """
    SELECT id, queue, status, attempts, result, last_error, payload, created_at, finished_at
      FROM jobs WHERE delivery_id = $1 ORDER BY id
    """;

  /** The board changes a delivery caused (history rows whose cause names it), oldest first. */
  static final String BOARD_CHANGES_OF = """
    SELECT h.id, w.slug, i.identifier, h.type, h.from_value, h.to_value, h.pr_number, h.at
      FROM issue_history h JOIN board_issues i ON i.id = h.issue_id JOIN workspaces w ON w.id = h.workspace_id
     WHERE h.cause ? 'delivery_id' AND h.cause ->> 'delivery_id' = $1
     ORDER BY h.id
    """;

  /**
   * Deliveries newest first, each with the status of its latest job. Received in
   * [$1, $2); optional event $3, action $4, repository $5, latest job status $6; after
   * the keyset position ($7 received_at, $8 id) of the previous page; at most $9.
   * New deliveries arrive at the top, so a page's next one is never shifted by them.
   */
  static final String LIST = """
    SELECT d.id, d.event, d.action, d.repository, d.received_at,
           j.status, j.attempts, j.result, j.last_error
      FROM deliveries d
      LEFT JOIN LATERAL (
        SELECT status, attempts, result, last_error FROM jobs WHERE delivery_id = d.id ORDER BY id DESC LIMIT 1
      ) j ON true
     WHERE d.received_at >= $1 AND d.received_at < $2
       AND ($3::text IS NULL OR d.event = $3) AND ($4::text IS NULL OR d.action = $4)
       AND ($5::text IS NULL OR d.repository = $5) AND ($6::text IS NULL OR j.status = $6)
       AND d.received_at <= $7 AND (d.received_at, d.id) < ($7, $8)
     ORDER BY d.received_at DESC, d.id DESC
     LIMIT $9
    """;

  private DeliveryQueries() {
  }
}
