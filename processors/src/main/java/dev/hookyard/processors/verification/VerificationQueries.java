package dev.hookyard.processors.verification;

/** SQL of fix verification. */
final class VerificationQueries {

  static final String CREATE_ATTEMPT = """
    INSERT INTO fix_attempts (issue_id, repository_id, pr_number, pr_title, pr_url, merged_sha, merged_at)
    VALUES ($1, $2, $3, $4, $5, $6, $7)
    ON CONFLICT (issue_id, repository_id, pr_number) DO NOTHING
    RETURNING id
    """;

  /** A production deploy already seen that ships a merge: its SHA, or started after the merge. */
  static final String COVERING_DEPLOY = """
    SELECT run_id, head_sha, completed_at, workflow FROM deploys
     WHERE repository_id = $1 AND (head_sha = $2 OR started_at >= $3)
     ORDER BY completed_at
     LIMIT 1
    """;

  static final String MONITOR = """
    UPDATE fix_attempts
       SET status = 'monitoring', deploy_run_id = $2, deployed_sha = $3, deployed_at = $4::timestamptz,
           verification_deadline = $4::timestamptz + make_interval(secs => $5::double precision), updated_at = now()
     WHERE id = $1 AND status = 'awaiting_deploy'
    RETURNING verification_deadline
    """;

  static final String REPOSITORY = """
    SELECT r.id, r.full_name, t.tracked FROM repositories r JOIN repository_tracking t ON t.id = r.id
     WHERE r.deleted_at IS NULL AND (r.github_id = $1 OR lower(r.full_name) = lower($2))
     ORDER BY (r.github_id = $1) DESC NULLS LAST
     LIMIT 1
    """;

  static final String RECORD_DEPLOY = """
    INSERT INTO deploys (run_id, repository_id, workflow, branch, head_sha, started_at, completed_at, delivery_id)
    VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
    ON CONFLICT (run_id) DO NOTHING
    RETURNING run_id
    """;

  /** Attempts waiting for a deploy of the repository, with what a history row needs. */
  static final String AWAITING = """
    SELECT a.id, a.pr_number, a.merged_sha, a.merged_at, i.id AS issue_id, i.identifier, i.workspace_id, w.slug AS workspace
      FROM fix_attempts a JOIN board_issues i ON i.id = a.issue_id JOIN workspaces w ON w.id = i.workspace_id
     WHERE a.repository_id = $1 AND a.status = 'awaiting_deploy'
     ORDER BY a.id
    """;

  /** Issues an alert names: error source and its id (Sentry short id or numeric id, Loki label or fingerprint). */
  static final String ISSUES_OF_ALERT = """
    SELECT i.id, i.identifier, i.status, i.priority, i.labels, i.workspace_id, w.slug AS workspace,
           i.error_source, i.error_external_id
      FROM board_issues i JOIN workspaces w ON w.id = i.workspace_id
     WHERE i.error_source = $1 AND i.error_external_id = ANY ($2::text[])
     ORDER BY i.id
       FOR UPDATE OF i
    """;

  static final String RECORD_ALERT = """
    INSERT INTO issue_alerts (issue_id, source, external_id, delivery_id, title, events)
    VALUES ($1, $2, $3, $4, $5, $6)
    ON CONFLICT (issue_id, delivery_id, external_id) DO NOTHING
    RETURNING id
    """;

  static final String LATEST_ATTEMPT = """
    SELECT a.id, a.status, a.pr_number, a.repository_id, a.merged_sha, a.merged_at
      FROM fix_attempts a WHERE a.issue_id = $1 ORDER BY a.id DESC LIMIT 1 FOR UPDATE
    """;

  static final String FAIL_ATTEMPT = """
    UPDATE fix_attempts SET status = 'failed', failed_at = now(), failure_reason = $2, failure_events = $3, updated_at = now()
     WHERE id = $1
    """;

  static final String REOPEN_ISSUE = """
    UPDATE board_issues SET status = $2, priority = $3, labels = $4, updated_at = now() WHERE id = $1
    """;

  static final String COMMENT = """
    INSERT INTO issue_comments (issue_id, author, body) VALUES ($1, $2, $3) RETURNING id
    """;

  static final String ALERT_FAILED = "UPDATE issue_alerts SET failed_attempt_id = $2 WHERE id = $1";

  private VerificationQueries() {
  }
}
