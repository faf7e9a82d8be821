package dev.hookyard.common.queue;

/** The queue's SQL, in one place. */
final class QueueQueries {

  /**
   * Claims up to $2 runnable jobs of queue $1 for worker $4 with a lease of $3 ms.
   * Runnable: queued, failed and due for retry, or running with an expired lease.
   */
  static final String CLAIM = """
    WITH c AS (
      SELECT id, status AS prev_status FROM jobs
      WHERE queue = $1 AND status IN ('queued', 'failed', 'running') AND run_at <= now()
      ORDER BY priority DESC, run_at, id
      LIMIT $2
      FOR UPDATE SKIP LOCKED
    )
    UPDATE jobs j
       SET status = 'running', attempts = j.attempts + 1, locked_by = $4,
           run_at = now() + $3 * interval '1 millisecond', updated_at = now()
      FROM c
     WHERE j.id = c.id
    RETURNING j.id, j.queue, j.delivery_id, j.payload, j.priority, j.attempts, c.prev_status
    """;

  /** Raw deliveries of claimed webhook jobs, fetched in one round trip. */
  static final String DELIVERIES = """
    SELECT id, event, action, content_type, body FROM deliveries WHERE id = ANY($1::text[])
    """;

  /**
   * Settles a batch of jobs: per row its id, the attempt that ran, the new status, a
   * result note, an error and, for retries, the delay in ms. The attempt and worker
   * guard stop a worker whose lease expired from overwriting a newer attempt.
   */
  static final String COMPLETE = """
    UPDATE jobs j
       SET status = u.status, result = u.result, last_error = coalesce(u.error, j.last_error),
           attempts = j.attempts - CASE WHEN u.status = 'queued' THEN 1 ELSE 0 END,
           run_at = CASE WHEN u.delay_ms IS NULL THEN j.run_at ELSE now() + u.delay_ms * interval '1 millisecond' END,
           locked_by = NULL, updated_at = now(),
           finished_at = CASE WHEN u.status IN ('done', 'ignored', 'dead') THEN now() END
      FROM unnest($1::bigint[], $2::int[], $3::text[], $4::text[], $5::text[], $6::bigint[])
           AS u(id, attempt, status, result, error, delay_ms)
     WHERE j.id = u.id AND j.attempts = u.attempt AND j.locked_by = $7 AND j.status = 'running'
    """;

  /**
   * Extends the lease of this worker's jobs still in hand ($1 ids, $2 attempts) by $4 ms;
   * a job another worker has since claimed (a newer attempt) is left alone.
   */
  static final String RENEW = """
    UPDATE jobs j SET run_at = now() + $4 * interval '1 millisecond'
      FROM unnest($1::bigint[], $2::int[]) AS u(id, attempt)
     WHERE j.id = u.id AND j.attempts = u.attempt AND j.locked_by = $3 AND j.status = 'running'
    """;

  static final String ENQUEUE = """
    INSERT INTO jobs (queue, payload, dedupe_key, priority, delivery_id)
    VALUES ($1, $2, $3, $4, $5)
    ON CONFLICT (dedupe_key) WHERE dedupe_key IS NOT NULL DO NOTHING
    RETURNING id
    """;

  /** Jobs of queue $1, one per payload $2 and dedupe key $3, at priority $4; duplicates are skipped. */
  static final String ENQUEUE_ALL = """
    INSERT INTO jobs (queue, payload, dedupe_key, priority)
    SELECT $1, p, k, $4 FROM unnest($2::jsonb[], $3::text[]) AS u(p, k)
    ON CONFLICT (dedupe_key) WHERE dedupe_key IS NOT NULL DO NOTHING
    RETURNING id
    """;

  /** A job that starts after $4 ms, unless one with pending key $3 is already queued. */
  static final String ENQUEUE_DEBOUNCED = """
    INSERT INTO jobs (queue, payload, pending_key, run_at)
    VALUES ($1, $2, $3, now() + $4 * interval '1 millisecond')
    ON CONFLICT (pending_key) WHERE status = 'queued' AND pending_key IS NOT NULL DO NOTHING
    RETURNING id
    """;

  static final String STATS = """
    SELECT queue, status, count(*) AS n,
           extract(epoch FROM now() - min(run_at) FILTER (WHERE status IN ('queued', 'failed') AND run_at <= now())) AS oldest_s
      FROM jobs GROUP BY queue, status
    """;

  static final String DEPTH = """
    SELECT queue, count(*) AS n FROM jobs WHERE status IN ('queued', 'failed', 'running') GROUP BY queue
    """;

  static final String DEAD = """
    SELECT id, queue, delivery_id, payload, attempts, last_error, created_at, updated_at
      FROM jobs WHERE status = 'dead' ORDER BY updated_at DESC, id DESC LIMIT $1
    """;

  static final String RETRY = """
    UPDATE jobs SET status = 'queued', attempts = 0, run_at = now(), locked_by = NULL,
                    finished_at = NULL, updated_at = now(), pending_key = NULL
     WHERE id = $1 AND status IN ('dead', 'failed')
    RETURNING queue
    """;

  static final String JOB_STATUS = "SELECT status FROM jobs WHERE id = $1";

  private QueueQueries() {
  }
}
