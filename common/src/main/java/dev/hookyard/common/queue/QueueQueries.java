package dev.hookyard.common.queue;

import dev.hookyard.common.db.Database;

/**
 * The queue's SQL, in one place. Jobs still to finish live in {@code job_queue}; a job
 * that finishes moves to {@code job_history} in the statement that settles it; dedupe
 * keys are taken in {@code job_keys} (see V11).
 */
final class QueueQueries {

  /**
   * Claims up to $2 runnable jobs of queue $1 for worker $4 with a lease of $3 ms, each
   * with its delivery when it has one. Runnable: running with an expired lease (taken
   * first: they have waited longest), then queued or failed and due, in priority order.
   * PostgreSQL plans it at every call ({@link Database#PLANNED_EACH_CALL}): a plan kept
   * from when the queue was nearly empty looked the claimed rows up by scanning the whole
   * table once per claimed row, 40,000 buffers for a claim of 70 once thousands waited.
   * The claimed rows are updated where the locking scan found them ({@code ctid}, locked,
   * so they cannot move), their deliveries found by key.
   * A paused queue ({@code queue_pauses}) gives nothing: one primary-key lookup that
   * PostgreSQL evaluates once per statement, before it reads a single job.
   */
  static final String CLAIM = Database.PLANNED_EACH_CALL + """
    WITH expired AS (
      SELECT ctid AS found, id, delivery_id, status AS prev_status FROM job_queue
       WHERE queue = $1 AND status = 'running' AND run_at <= now()
         AND NOT EXISTS (SELECT 1 FROM queue_pauses WHERE queue = $1)
       LIMIT $2
       FOR UPDATE SKIP LOCKED
    ), due AS (
      SELECT ctid AS found, id, delivery_id, status AS prev_status FROM job_queue
       WHERE queue = $1 AND status IN ('queued', 'failed') AND run_at <= now()
         AND NOT EXISTS (SELECT 1 FROM queue_pauses WHERE queue = $1)
       ORDER BY priority DESC, run_at, id
       LIMIT $2
       FOR UPDATE SKIP LOCKED
    ), c AS (
      (SELECT * FROM expired) UNION ALL (SELECT * FROM due) LIMIT $2
    )
    UPDATE job_queue j
       SET status = 'running', attempts = j.attempts + 1, locked_by = $4,
           run_at = now() + $3 * interval '1 millisecond', updated_at = now()
      FROM c LEFT JOIN LATERAL (SELECT * FROM deliveries WHERE id = c.delivery_id) d ON true
     WHERE j.ctid = c.found AND j.id = c.id
    RETURNING j.id, j.queue, j.delivery_id, j.payload, j.priority, j.attempts, c.prev_status,
              d.event, d.action, d.content_type, d.body
    """;

  /**
   * The planner's settings for the claim, local to its transaction: the waiting jobs are
   * read in claim order from {@code job_queue_claimable} and the read stops at the
   * claim's limit. Statistics taken once a burst is drained (one live job in pages of
   * finished ones) make the planner believe a queue of thousands holds a row or two; it
   * then as often chose a bitmap of every waiting job of the queue, sorted to take the
   * first of them: 1,655 buffers and 13.7 ms a claim through a monorepo run's backlog,
   * against 300-800 with the ordered scan. Without a bitmap or a sort, the ordered scan is
   * the plan whatever the estimate.
   */
  static final String CLAIM_PLANNER = "SET LOCAL enable_bitmapscan = off; SET LOCAL enable_sort = off";

  /**
   * Settles a batch of jobs: per row its id, the attempt that ran, the new status, a
   * result note, an error and, for retries, the delay in ms. Finished jobs (done,
   * ignored, dead) move to the history; retries and releases stay queued. The attempt
   * and worker guard stop a worker whose lease expired from overwriting a newer attempt.
   * Returns one row: how many jobs it settled. A job is running exactly while it has a
   * {@code locked_by} (a table constraint), so the guard needs no status test. Rows are
   * found by their ids ({@code j.id = ANY($1)}, an index condition), never by walking the
   * queue, whatever the planner believes of its size: statistics taken once a burst is
   * drained (one live job in pages of finished ones) make it believe the queue holds a
   * row or two however far it has grown since, and without that condition it walked the
   * whole key index once per settlement (34 s for 500). The worker is a column of the
   * settlements ({@code u.worker}), so the guard is a join condition and not a filter
   * estimated from statistics taken while every job waited (none locked by anyone). At
   * worst the join compares each settlement with each of its jobs' rows, and a statement
   * carries at most {@link JobsInHand#MAX_SETTLE_BATCH}. Planned at each call, as the
   * claim is: a plan kept from a nearly empty queue joined the ids to a sequential scan
   * of the whole queue.
   */
  static final String COMPLETE = Database.PLANNED_EACH_CALL + """
    WITH u AS MATERIALIZED (
      SELECT *, $7::text AS worker FROM unnest($1::bigint[], $2::int[], $3::text[], $4::text[], $5::text[], $6::bigint[])
               AS u(id, attempt, status, result, error, delay_ms)
    ), finished AS (
      DELETE FROM job_queue j USING u
       WHERE j.id = ANY($1) AND j.id = u.id AND j.attempts = u.attempt AND j.locked_by = u.worker
         AND u.status IN ('done', 'ignored', 'dead')
      RETURNING j.id, j.queue, j.delivery_id, j.payload, j.dedupe_key, j.priority, u.status, j.attempts, u.result,
                coalesce(u.error, j.last_error) AS last_error, j.created_at
    ), archived AS (
      INSERT INTO job_history (id, queue, delivery_id, payload, dedupe_key, priority, status, attempts, result, last_error,
                               created_at, finished_at)
      SELECT *, now() FROM finished
      RETURNING 1
    ), requeued AS (
      UPDATE job_queue j
         SET status = u.status, last_error = coalesce(u.error, j.last_error),
             attempts = j.attempts - CASE WHEN u.status = 'queued' THEN 1 ELSE 0 END,
             run_at = now() + coalesce(u.delay_ms, 0) * interval '1 millisecond',
             locked_by = NULL, updated_at = now()
        FROM u
       WHERE j.id = ANY($1) AND j.id = u.id AND j.attempts = u.attempt AND j.locked_by = u.worker
         AND u.status IN ('queued', 'failed')
      RETURNING 1
    )
    SELECT (SELECT count(*) FROM archived) + (SELECT count(*) FROM requeued) AS settled
    """;

  /**
   * Extends the lease of this worker's jobs still in hand ($1 ids, $2 attempts) by $4 ms;
   * a job another worker has since claimed (a newer attempt) is left alone. The worker is
   * a column and the statement planned at each call, for the same reasons as the settle.
   */
  static final String RENEW = Database.PLANNED_EACH_CALL + """
    WITH u AS MATERIALIZED (
      SELECT *, $3::text AS worker FROM unnest($1::bigint[], $2::int[]) AS u(id, attempt)
    )
    UPDATE job_queue j SET run_at = now() + $4 * interval '1 millisecond'
      FROM u
     WHERE j.id = ANY($1) AND j.id = u.id AND j.attempts = u.attempt AND j.locked_by = u.worker
    """;

  /** A job of queue $1 (payload $2, priority $4, delivery $5); with a dedupe key $3 already taken, none. */
  static final String ENQUEUE = """
    WITH taken AS (
      INSERT INTO job_keys (key) SELECT $3::text WHERE $3::text IS NOT NULL
      ON CONFLICT DO NOTHING
      RETURNING key
    )
    INSERT INTO job_queue (queue, payload, dedupe_key, priority, delivery_id)
    SELECT $1, $2, $3, $4, $5 WHERE $3::text IS NULL OR EXISTS (SELECT 1 FROM taken)
    RETURNING id
    """;

  /** Jobs of queue $1, one per payload $2 and dedupe key $3, at priority $4; keys already taken are skipped. */
  static final String ENQUEUE_ALL = """
    WITH u AS (
      SELECT p, k, n FROM unnest($2::jsonb[], $3::text[]) WITH ORDINALITY AS u(p, k, n)
    ), taken AS (
      INSERT INTO job_keys (key) SELECT DISTINCT k FROM u WHERE k IS NOT NULL
      ON CONFLICT DO NOTHING
      RETURNING key
    )
    INSERT INTO job_queue (queue, payload, dedupe_key, priority)
    SELECT $1, p, k, $4 FROM (
      SELECT p, k, n FROM u WHERE k IS NULL
      UNION ALL
      (SELECT DISTINCT ON (u.k) u.p, u.k, u.n FROM u JOIN taken ON taken.key = u.k ORDER BY u.k, u.n)
    ) j ORDER BY n
    RETURNING id, dedupe_key
    """;

  /** A job that starts after $4 ms, unless one with pending key $3 is already queued. */
  static final String ENQUEUE_DEBOUNCED = """
    INSERT INTO job_queue (queue, payload, pending_key, run_at)
    VALUES ($1, $2, $3, now() + $4 * interval '1 millisecond')
    ON CONFLICT (pending_key) WHERE status = 'queued' AND pending_key IS NOT NULL DO NOTHING
    RETURNING id
    """;

  /**
   * Per queue and status: jobs waiting or running (counted in the hot table, the size of
   * the backlog) and finished ones (summed from {@code job_history_counts}, which
   * job_history's triggers keep; see V17), with the age of the oldest due job.
   */
  static final String STATS = """
    SELECT queue, status, count(*) AS n,
           extract(epoch FROM now() - min(run_at) FILTER (WHERE status IN ('queued', 'failed') AND run_at <= now())) AS oldest_s
      FROM job_queue GROUP BY queue, status
    UNION ALL
    SELECT queue, status, sum(n)::bigint, NULL FROM job_history_counts GROUP BY queue, status HAVING sum(n) <> 0
    """;

  /** Per queue: jobs waiting or running, and how long the oldest due one has waited (seconds). */
  static final String DEPTH = """
    SELECT queue, count(*) AS n,
           extract(epoch FROM now() - min(run_at) FILTER (WHERE status IN ('queued', 'failed') AND run_at <= now())) AS oldest_s
      FROM job_queue GROUP BY queue
    """;

  static final String PAUSE = "INSERT INTO queue_pauses (queue) VALUES ($1) ON CONFLICT (queue) DO NOTHING";

  static final String RESUME = "DELETE FROM queue_pauses WHERE queue = $1";

  static final String PAUSED = "SELECT queue, paused_at FROM queue_pauses ORDER BY queue";

  static final String DEAD = """
    SELECT id, queue, delivery_id, payload, attempts, last_error, created_at, finished_at
      FROM job_history WHERE status = 'dead' ORDER BY finished_at DESC, id DESC LIMIT $1
    """;

  /**
   * Job $1 back to its queue with a fresh attempt count, due now: a dead one out of the
   * history (its dedupe key stays taken), or a failed one waiting for its retry.
   */
  static final String RETRY = """
    WITH revived AS (
      DELETE FROM job_history WHERE id = $1 AND status = 'dead'
      RETURNING id, queue, delivery_id, payload, dedupe_key, priority, last_error, created_at
    ), requeued AS (
      INSERT INTO job_queue (id, queue, delivery_id, payload, dedupe_key, priority, last_error, created_at)
      SELECT * FROM revived
      RETURNING queue
    ), hastened AS (
      UPDATE job_queue SET status = 'queued', attempts = 0, run_at = now(), locked_by = NULL, updated_at = now(),
                           pending_key = NULL
       WHERE id = $1 AND status = 'failed'
      RETURNING queue
    )
    SELECT queue FROM requeued UNION ALL SELECT queue FROM hastened
    """;

  static final String JOB_STATUS = """
    SELECT status FROM job_queue WHERE id = $1 UNION ALL SELECT status FROM job_history WHERE id = $1
    """;

  private QueueQueries() {
  }
}
