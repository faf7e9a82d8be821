package dev.hookyard.scheduler;

/** The scheduler's SQL: firing claims, retention and redelivery requests. */
final class SchedulerQueries {

  /** $1 task, $2 period ms, $3 period index, $4 owner, $5 fired at. One row back = this process won the firing. */
  static final String CLAIM = """
    INSERT INTO scheduler_firings (task, period_ms, period_index, owner, fired_at)
    VALUES ($1, $2, $3, $4, $5)
    ON CONFLICT DO NOTHING""";

  /** $1 task, $2 period ms, $3 period index, $4 finished at, $5 outcome. */
  static final String FINISH = """
    UPDATE scheduler_firings SET finished_at = $4, outcome = $5
    WHERE task = $1 AND period_ms = $2 AND period_index = $3""";

  /**
   * $1 task, $2 period ms, $3 oldest index kept, $4 fired-at cutoff for rows of other
   * periods (left by an earlier configuration).
   */
  static final String PRUNE_FIRINGS = """
    DELETE FROM scheduler_firings
    WHERE task = $1 AND ((period_ms = $2 AND period_index < $3) OR (period_ms <> $2 AND fired_at < $4))""";

  /** $1 cutoff, $2 batch size. Finished jobs, oldest first; a row someone holds is left for later. */
  static final String DELETE_OLD_JOBS = """
    DELETE FROM jobs WHERE id IN (
      SELECT id FROM jobs
      WHERE status IN ('done', 'ignored') AND finished_at < $1
      ORDER BY finished_at
      LIMIT $2
      FOR UPDATE SKIP LOCKED)""";

  /**
   * $1 cutoff, $2 batch size. A delivery goes once no job refers to it any more: jobs
   * that are pending, dead or finished recently (a replay) keep it.
   */
  static final String DELETE_OLD_DELIVERIES = """
    DELETE FROM deliveries WHERE id IN (
      SELECT d.id FROM deliveries d
      WHERE d.received_at < $1
        AND NOT EXISTS (SELECT 1 FROM jobs j WHERE j.delivery_id = d.id)
      ORDER BY d.received_at
      LIMIT $2
      FOR UPDATE SKIP LOCKED)""";

  /** $1 GUIDs. Those hookyard has stored. */
  static final String KNOWN_DELIVERIES = "SELECT id FROM deliveries WHERE id = ANY($1)";

  /**
   * $1 GUID, $2 GitHub's delivery id, $3 now, $4 quiet cutoff (now − 1 h). A row back means
   * this run may ask for the redelivery: never asked, or last asked before the cutoff.
   */
  static final String CLAIM_REDELIVERY = """
    INSERT INTO redelivery_requests (guid, github_delivery_id, requested_at)
    VALUES ($1, $2, $3)
    ON CONFLICT (guid) DO UPDATE
      SET github_delivery_id = EXCLUDED.github_delivery_id,
          requested_at = EXCLUDED.requested_at,
          requests = redelivery_requests.requests + 1
      WHERE redelivery_requests.requested_at <= $4
    RETURNING guid""";

  /** $1 cutoff. Requests older than the look-back can never match a listed delivery again. */
  static final String PRUNE_REDELIVERIES = "DELETE FROM redelivery_requests WHERE requested_at < $1";

  private SchedulerQueries() {
  }
}
