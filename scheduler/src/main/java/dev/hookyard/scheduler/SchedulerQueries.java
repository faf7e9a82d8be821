package dev.hookyard.scheduler;

/** SQL of the scheduler: firings claimed per task and period, and its tasks' statements. */
final class SchedulerQueries {

  static final String CLAIM_FIRING = """
    INSERT INTO scheduler_firings (task, period, node) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING RETURNING period
    """;

  static final String RECORD_FIRING = "UPDATE scheduler_firings SET summary = $3 WHERE task = $1 AND period = $2";

  static final String VERIFY_FIXES = """
    WITH due AS (
      SELECT id FROM fix_attempts
       WHERE status = 'monitoring' AND verification_deadline <= $1
       ORDER BY verification_deadline
       LIMIT $2
         FOR UPDATE SKIP LOCKED
    )
    UPDATE fix_attempts a SET status = 'verified', verified_at = $1, updated_at = now()
      FROM due, board_issues i, workspaces w
     WHERE a.id = due.id AND i.id = a.issue_id AND w.id = i.workspace_id
    RETURNING a.id, a.pr_number, a.deployed_sha, a.verification_deadline, i.id AS issue_id, i.identifier,
              i.workspace_id, w.slug AS workspace
    """;

  static final String STORED_DELIVERIES = "SELECT id FROM deliveries WHERE id = ANY ($1::text[])";

  static final String RECENT_REDELIVERIES = "SELECT guid FROM redelivery_requests WHERE guid = ANY ($1::text[]) AND requested_at > $2";

  static final String REMEMBER_REDELIVERY = """
    INSERT INTO redelivery_requests (guid, hook_id, requested_at) VALUES ($1, $2, $3)
    ON CONFLICT (guid) DO UPDATE SET hook_id = EXCLUDED.hook_id, requested_at = EXCLUDED.requested_at,
                                     attempts = redelivery_requests.attempts + 1
    """;

  /** Finished jobs out of the history, and their dedupe keys with them. */
  static final String EXPIRED_JOBS = """
    WITH gone AS (
      DELETE FROM job_history WHERE id IN (
        SELECT id FROM job_history WHERE finished_at < $1 AND status IN ('done', 'ignored') LIMIT $2)
      RETURNING dedupe_key
    ), keys AS (
      DELETE FROM job_keys WHERE key IN (SELECT dedupe_key FROM gone WHERE dedupe_key IS NOT NULL)
    )
    SELECT count(*) FROM gone
    """;

  static final String EXPIRED_DELIVERIES = """
    WITH gone AS (
      DELETE FROM deliveries WHERE id IN (
        SELECT d.id FROM deliveries d
         WHERE d.received_at < $1 AND NOT EXISTS (SELECT 1 FROM jobs j WHERE j.delivery_id = d.id)
         LIMIT $2)
      RETURNING 1
    )
    SELECT count(*) FROM gone
    """;

  static final String EXPIRED_FIRINGS = "DELETE FROM scheduler_firings WHERE fired_at < $1";

  private SchedulerQueries() {
  }
}
