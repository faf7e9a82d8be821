package dev.hookyard.common.operations;

/**
 * SQL of operators' bulk operations. A selection of deliveries takes, in this order:
 * $1 repository, $2 workspace slug (its tracked repositories), $3 events to include,
 * $4 events to exclude, $5 a text the latest job's result or error contains, $6 since,
 * $7 until (received in [since, until); never null: the open ends are ±infinity, so the
 * time range is always an index condition). Every filter but the times may be null.
 */
final class OperationQueries {

  private static final String DELIVERY_FILTER = """
       d.received_at >= $6 AND d.received_at < $7
       AND ($1::text IS NULL OR d.repository = $1)
       AND ($2::text IS NULL OR d.repository IN (
             SELECT r.full_name FROM workspaces w
               JOIN workspace_repositories wr ON wr.workspace_id = w.id
               JOIN repositories r ON r.id = wr.repository_id
              WHERE w.slug = $2))
       AND ($3::text[] IS NULL OR d.event = ANY($3))
       AND ($4::text[] IS NULL OR NOT d.event = ANY($4))
       AND ($5::text IS NULL OR EXISTS (
             SELECT 1 FROM (SELECT result, last_error FROM jobs WHERE delivery_id = d.id ORDER BY id DESC LIMIT 1) j
              WHERE strpos(lower(coalesce(j.last_error, '') || ' ' || coalesce(j.result, '')), lower($5)) > 0))
    """;

  /** The plan of a replay or reprocess: deliveries per event. */
  static final String PLAN_DELIVERIES = "SELECT d.event AS key, count(*) AS n FROM deliveries d WHERE " + DELIVERY_FILTER
    + " GROUP BY d.event ORDER BY d.event";

  /** The next $9 selected deliveries after the keyset position ($8 received_at, $10 id), oldest first. */
  static final String NEXT_DELIVERIES = "SELECT d.id, d.event, d.received_at FROM deliveries d WHERE " + DELIVERY_FILTER + """
       AND d.received_at >= $8 AND (d.received_at, d.id) > ($8, $10)
     ORDER BY d.received_at, d.id
     LIMIT $9
    """;

  /**
   * A selection of dead letters: $1 queue, $2 event of its delivery, $3 repository of its
   * delivery, $4 a text its reason contains, $5 since, $6 until (dead-lettered in
   * [since, until)).
   */
  private static final String DEAD_FILTER = """
       h.status = 'dead' AND h.finished_at >= $5 AND h.finished_at < $6
       AND ($1::text IS NULL OR h.queue = $1)
       AND ($2::text IS NULL OR d.event = $2)
       AND ($3::text IS NULL OR d.repository = $3)
       AND ($4::text IS NULL OR strpos(lower(coalesce(h.last_error, '')), lower($4)) > 0)
    """;

  /** The plan of a retry: dead letters per queue. */
  static final String PLAN_DEAD = "SELECT h.queue AS key, count(*) AS n FROM job_history h"
    + " LEFT JOIN deliveries d ON d.id = h.delivery_id WHERE " + DEAD_FILTER + " GROUP BY h.queue ORDER BY h.queue";

  /** The next $7 selected dead letters after job id $8, by id. */
  static final String NEXT_DEAD = "SELECT h.id FROM job_history h LEFT JOIN deliveries d ON d.id = h.delivery_id WHERE "
    + DEAD_FILTER + """
       AND h.id > $8
     ORDER BY h.id
     LIMIT $7
    """;

  /** A new operation ($1 kind, $2 filter, $3 total). */
  static final String CREATE = """
    INSERT INTO operations (kind, filter, total) VALUES ($1, $2, $3) RETURNING id, created_at
    """;

  /** The operation, locked, so two steps of one operation never feed at once. */
  static final String LOCK = """
    SELECT id, kind, filter, status, total, cursor_at, cursor_id, cursor_job, fed, last_batch
      FROM operations WHERE id = $1 FOR UPDATE
    """;

  /** How many jobs of $1 (job ids) still wait or run. */
  static final String WAITING = """
    SELECT count(*) AS n FROM job_queue WHERE id = ANY($1::bigint[]) AND status IN ('queued', 'running')
    """;

  /** How many jobs of operation $1 are still to finish (queued, running or waiting for a retry). */
  static final String UNFINISHED = """
    SELECT count(*) AS n FROM operation_jobs o JOIN job_queue j ON j.id = o.job_id WHERE o.operation_id = $1
    """;

  /**
   * Jobs for deliveries ($1 queues, $2 delivery ids) at priority $3, each with payload $4,
   * recorded as operation $5's; returns their ids.
   */
  static final String ENQUEUE_DELIVERIES = """
    WITH added AS (
      INSERT INTO job_queue (queue, delivery_id, payload, priority)
      SELECT q, d, $4::jsonb, $3 FROM unnest($1::text[], $2::text[]) WITH ORDINALITY AS u(q, d, n) ORDER BY n
      RETURNING id, queue
    ), recorded AS (
      INSERT INTO operation_jobs (operation_id, job_id) SELECT $5, id FROM added
    )
    SELECT id, queue FROM added
    """;

  /**
   * Dead letters $1 back to their queues at priority $2 with a fresh attempt count (their
   * ids and dedupe keys kept, as a single retry does), recorded as operation $3's.
   */
  static final String RETRY_DEAD = """
    WITH revived AS (
      DELETE FROM job_history WHERE id = ANY($1::bigint[]) AND status = 'dead'
      RETURNING id, queue, delivery_id, payload, dedupe_key, last_error, created_at
    ), requeued AS (
      INSERT INTO job_queue (id, queue, delivery_id, payload, dedupe_key, priority, last_error, created_at)
      SELECT id, queue, delivery_id, payload, dedupe_key, $2, last_error, created_at FROM revived
      RETURNING id, queue
    ), recorded AS (
      INSERT INTO operation_jobs (operation_id, job_id) SELECT $3, id FROM requeued
    )
    SELECT id, queue FROM requeued
    """;

  /** Operation $1 after a step: its keyset position, how many it has fed, its latest batch. */
  static final String ADVANCE = """
    UPDATE operations SET cursor_at = $2, cursor_id = $3, cursor_job = $4, fed = fed + $5, last_batch = $6 WHERE id = $1
    """;

  static final String FINISH = """
    UPDATE operations SET status = 'done', finished_at = now() WHERE id = $1 AND status = 'running'
    """;

  /** Cancels operation $1; answers its status afterwards (no row: no such operation). */
  static final String CANCEL = """
    UPDATE operations SET status = CASE WHEN status = 'running' THEN 'cancelled' ELSE status END,
                          finished_at = coalesce(finished_at, now())
     WHERE id = $1
    RETURNING kind, status
    """;

  /** Jobs a cancelled replay or reprocess ($1) queued that no worker has started: they are dropped. */
  static final String DROP_QUEUED = """
    DELETE FROM job_queue j USING operation_jobs o
     WHERE o.operation_id = $1 AND j.id = o.job_id AND j.status = 'queued' AND j.locked_by IS NULL
    """;

  static final String GET = """
    SELECT id, kind, filter, status, total, fed, created_at, finished_at FROM operations WHERE id = $1
    """;

  /** Operation $1's jobs by status, waiting or finished. */
  static final String PROGRESS = """
    SELECT j.status, count(*) AS n FROM operation_jobs o JOIN jobs j ON j.id = o.job_id
     WHERE o.operation_id = $1 GROUP BY j.status
    """;

  private OperationQueries() {
  }
}
