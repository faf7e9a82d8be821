package dev.hookyard.processors.github;

/** SQL of the {@code refresh-project} job: a project update, its outcome and the progress snapshots. */
final class ProjectQueries {

  /** Project update $1 with what its refresh needs: the plan, the repository, the workspace. */
  static final String UPDATE_TO_REFRESH = """
    SELECT u.status, u.commit_sha, p.id AS project_id, p.plan_path, r.full_name, w.slug
      FROM project_updates u
      JOIN projects p ON p.id = u.project_id
      JOIN repositories r ON r.id = p.repository_id
      JOIN workspaces w ON w.id = p.workspace_id
     WHERE u.id = $1
    """;

  /** Puts refreshes of project $1 in line, so each compares itself with the snapshot before it. */
  static final String LOCK_PROJECT = "SELECT id FROM projects WHERE id = $1 FOR UPDATE";

  static final String LATEST_SNAPSHOT = """
    SELECT total, done, phases FROM project_snapshots WHERE project_id = $1 ORDER BY id DESC LIMIT 1
    """;

  /** One snapshot per update: a rerun of the job stores nothing twice. */
  static final String INSERT_SNAPSHOT = """
    INSERT INTO project_snapshots (project_id, project_update_id, commit_sha, total, done, phases)
    VALUES ($1, $2, $3, $4, $5, $6)
    ON CONFLICT (project_update_id) DO NOTHING
    RETURNING id, created_at
    """;

  static final String MARK_REFRESHED = """
    WITH u AS (
      UPDATE project_updates SET status = 'refreshed', status_reason = NULL, refreshed_at = now()
       WHERE id = $1 RETURNING project_id, commit_sha
    )
    UPDATE projects p SET last_refreshed_sha = u.commit_sha, last_refreshed_at = now()
      FROM u WHERE p.id = u.project_id
    RETURNING p.id
    """;

  /** A refresh that could not read the plan: status $2 ('skipped', 'not_found') with reason $3. */
  static final String MARK_UNREAD = """
    UPDATE project_updates SET status = $2, status_reason = $3, refreshed_at = now()
     WHERE id = $1 AND status = 'pending'
    """;

  private ProjectQueries() {
  }
}
